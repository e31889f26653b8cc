// File: tests/fuzz/provider_answer_fuzzer.cpp
//
// Answers of Meta's Graph API, as a hostile or broken provider could send them: arbitrary bytes
// and HTTP statuses through the answer readers (providers/meta/graph_answer.hpp) and the
// classification (providers/meta/meta_errors.hpp), which once let a type_error escape and abort
// the gateway. Beyond "no crash, leak or undefined behaviour" (the sanitizers), it checks what
// docs/providers/meta.md promises:
//   - an outcome always has one of the three kinds; a refusal or a retry has a short code of
//     [a-z0-9_] and a message that is one line of valid UTF-8 within kMaxOutcomeMessageBytes;
//   - accepted only for a 2xx whose message id the reader accepts, within its limits and
//     character set; a 2xx is never refused for good; a refusal never waits;
//   - 408, 429, 5xx and non-HTTP statuses without a usable Graph error are retried;
//   - an upload gives a media id within its limits, or an outcome whose message says it was
//     the upload;
//   - every reader's refusal is kMalformed with a short one-line reason; text it keeps is one
//     trimmed line of valid UTF-8 within kMaxErrorTextBytes;
//   - classifying the same answer twice gives the same outcome.
//
// Input: three status digits (a byte that is not a digit counts as its value mod 10), one byte
// for the call ('u' an upload's answer, anything else a send's; upper case adds
// "Retry-After: 2"), then the body. Shorter inputs are a send's 200 with the input as body.
// Seeds: tests/fuzz/corpus/provider_answer, e.g. "400m{\"error\":{\"code\":131000}}".
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "core/text.hpp"
#include "providers/meta/graph_answer.hpp"
#include "providers/meta/meta_errors.hpp"

namespace {

namespace core = socialgate::core;
namespace meta = socialgate::providers::meta;
using socialgate::providers::SendOutcome;
using Kind = SendOutcome::Kind;
using std::chrono::milliseconds;

// A reader's reason names a value and a size: a few dozen bytes.
constexpr std::size_t kMaxReasonBytes = 200;

[[noreturn]] void Fail(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "provider_answer_fuzzer: %.*s: %.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void Check(bool ok, std::string_view what, std::string_view detail = {}) {
  if (!ok) Fail(what, detail);
}

// One line of valid UTF-8: no C0 or C1 control character, DEL, U+2028 or U+2029.
bool IsOneLine(std::string_view s) {
  if (!core::Utf8Length(s)) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x20 || b == 0x7F) return false;
    const auto next = i + 1 < s.size() ? static_cast<unsigned char>(s[i + 1]) : 0;
    if (b == 0xC2 && next >= 0x80 && next <= 0x9F) return false;
    if (b == 0xE2 && next == 0x80 && i + 2 < s.size() &&
        (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
         static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      return false;
    }
  }
  return true;
}

bool IsCode(std::string_view code) {
  if (code.empty() || code.size() > meta::kMaxOutcomeCodeBytes) return false;
  for (const char c : code) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool Is2xx(long status) { return status >= 200 && status < 300; }

bool IsPassingStatus(long status) {
  return status == 408 || status == 429 || status >= 500 || status < 100;
}

bool Same(const SendOutcome& a, const SendOutcome& b) {
  return a.kind == b.kind && a.provider_message_id == b.provider_message_id && a.wa_id == b.wa_id &&
         a.error_code == b.error_code && a.error_message == b.error_message &&
         a.retry_after == b.retry_after;
}

template <class T>
void CheckRefusal(const core::Result<T>& result, std::string_view reader) {
  if (result) return;
  const core::Error& e = result.error();
  Check(e.code == core::ErrorCode::kMalformed, reader, "refused with another code");
  Check(!e.message.empty() && e.message.size() <= kMaxReasonBytes, reader,
        "reason empty or long: " + e.message);
  Check(IsOneLine(e.message), reader, "reason not one line of UTF-8");
}

void CheckKeptText(std::string_view text, std::string_view what) {
  Check(text.size() <= meta::kMaxErrorTextBytes, what, "too long");
  Check(IsOneLine(text), what, "not one line of valid UTF-8");
  Check(text.empty() || (text.front() != ' ' && text.back() != ' '), what, "not trimmed");
}

void CheckReaders(std::string_view body) {
  const auto send = meta::ReadSendAnswer(body);
  CheckRefusal(send, "ReadSendAnswer");
  if (send) {
    Check(meta::IsSafeId(send->message_id, meta::kMaxMessageIdBytes), "ReadSendAnswer",
          "message id out of its limits: " + send->message_id);
    Check(send->wa_id.empty() || meta::IsSafeId(send->wa_id, meta::kMaxWaIdBytes), "ReadSendAnswer",
          "wa_id out of its limits");
    Check(send->ignored.size() <= kMaxReasonBytes && IsOneLine(send->ignored), "ReadSendAnswer",
          "note not a short line");
  }
  const auto upload = meta::ReadUploadAnswer(body);
  CheckRefusal(upload, "ReadUploadAnswer");
  if (upload) {
    Check(meta::IsSafeId(*upload, meta::kMaxMediaIdBytes), "ReadUploadAnswer",
          "media id out of its limits");
  }
  const auto error = meta::ReadGraphError(body);
  CheckRefusal(error, "ReadGraphError");
  if (error) {
    Check(error->code >= 0, "ReadGraphError", "negative code");
    CheckKeptText(error->message, "ReadGraphError message");
    CheckKeptText(error->details, "ReadGraphError details");
  }
  if (body.size() > meta::kMaxAnswerBytes) {
    Check(!send && !upload && !error, "readers", "an answer over the size limit was used");
  }
}

void CheckFailureOutcome(const SendOutcome& o, std::string_view what) {
  Check(o.kind == Kind::kRejected || o.kind == Kind::kRetryLater, what, "no failure kind");
  Check(IsCode(o.error_code), what, "bad error code: " + o.error_code);
  Check(!o.error_message.empty() && o.error_message.size() <= meta::kMaxOutcomeMessageBytes, what,
        "message empty or long: " + o.error_message);
  Check(IsOneLine(o.error_message), what, "message not one line of valid UTF-8");
  Check(o.provider_message_id.empty() && o.wa_id.empty(), what, "a failure with ids");
  if (o.kind == Kind::kRejected) Check(!o.retry_after.has_value(), what, "a refusal that waits");
}

void CheckSend(long status, std::string_view body, std::optional<milliseconds> retry_after) {
  std::string note;
  const SendOutcome o = meta::ClassifySendAnswer(status, body, retry_after, &note);
  Check(o.kind == Kind::kAccepted || o.kind == Kind::kRejected || o.kind == Kind::kRetryLater,
        "send", "an outcome without a kind");
  const auto answer = meta::ReadSendAnswer(body);
  if (o.kind == Kind::kAccepted) {
    Check(Is2xx(status), "send", "accepted without a 2xx");
    Check(answer && answer->message_id == o.provider_message_id && answer->wa_id == o.wa_id, "send",
          "accepted with other ids than the reader's");
    Check(meta::IsSafeId(o.provider_message_id, meta::kMaxMessageIdBytes), "send",
          "accepted id out of its limits");
    Check(o.error_code.empty() && o.error_message.empty(), "send", "accepted with an error");
    Check(note == answer->ignored, "send", "note is not what the reader left out");
  } else {
    CheckFailureOutcome(o, "send");
    Check(note.empty(), "send", "a note on a failure");
  }
  if (Is2xx(status)) {
    Check(o.kind != Kind::kRejected, "send", "a 2xx refused for good");
    Check((o.kind == Kind::kAccepted) == answer.has_value(), "send",
          "a 2xx accepted iff its id is usable");
  } else {
    Check(Same(o, meta::ClassifyMetaFailure(status, body, retry_after)), "send",
          "a failure classified unlike ClassifyMetaFailure");
    if (!meta::ReadGraphError(body) && IsPassingStatus(status)) {
      Check(o.kind == Kind::kRetryLater, "send", "a passing status without Graph error refused");
    }
  }
  if (o.kind == Kind::kRetryLater && retry_after) {
    Check(o.retry_after && *o.retry_after >= *retry_after, "send", "Retry-After shortened");
  }
  Check(Same(o, meta::ClassifySendAnswer(status, body, retry_after)), "send", "not deterministic");
}

void CheckUpload(long status, std::string_view body, std::optional<milliseconds> retry_after) {
  const auto id = meta::ClassifyUploadAnswer(status, body, retry_after);
  if (id) {
    Check(Is2xx(status), "upload", "a media id without a 2xx");
    Check(meta::IsSafeId(*id, meta::kMaxMediaIdBytes), "upload", "media id out of its limits");
    return;
  }
  CheckFailureOutcome(id.error(), "upload");
  Check(id.error().error_message.rfind("media upload: ", 0) == 0, "upload",
        "a failure that does not say it was the upload");
  if (Is2xx(status)) Check(id.error().kind == Kind::kRetryLater, "upload", "a 2xx refused");
}

void CheckOneLine(std::string_view text, std::size_t limit) {
  const std::string line = core::OneLine(text, limit);
  Check(line.size() <= limit, "OneLine", "over its limit");
  Check(IsOneLine(line), "OneLine", "not one line of valid UTF-8");
  if (text.size() <= limit && IsOneLine(text)) Check(line == text, "OneLine", "changed clean text");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  long status = 200;
  char call = 'm';
  std::string_view body = input;
  if (input.size() >= 4) {
    status = 0;
    for (int i = 0; i < 3; ++i) {
      const char c = input[static_cast<std::size_t>(i)];
      status = status * 10 + (c >= '0' && c <= '9' ? c - '0' : static_cast<unsigned char>(c) % 10);
    }
    call = input[3];
    body = input.substr(4);
  }
  const std::optional<milliseconds> retry_after =
      call >= 'A' && call <= 'Z' ? std::optional<milliseconds>(milliseconds(2000)) : std::nullopt;

  CheckReaders(body);
  if (call == 'u' || call == 'U') {
    CheckUpload(status, body, retry_after);
  } else {
    CheckSend(status, body, retry_after);
  }
  CheckOneLine(body, status % 300);
  return 0;
}
