// File: tests/fuzz/webhook_notification_fuzzer.cpp
//
// Meta's webhook callbacks as a hostile sender (or a broken Meta) could make them, signed or
// not: arbitrary bytes through webhooks/meta_notification.hpp, whose reports the gateway applies
// to its messages. Beyond "no crash, leak or undefined behaviour" (the sanitizers), it checks
// what the header promises:
//   - at most kMaxStatusesPerNotification statuses and kMaxIgnoredNotes (+1) notes;
//   - every status has a wamid and a phone_number_id of 1..kMaxIdBytes printable ASCII
//     characters, a message id that is empty or 1..kMaxOpaqueBytes of them, one of the four
//     tracked statuses, a time in whole seconds from 1970 to 9999, an error sentence only when
//     failed, one line of valid UTF-8 within kMaxDetailBytes, pricing texts within 64 bytes;
//   - at most kMaxInboundPerNotification inbound messages, each with a wamid and a
//     phone_number_id of plain ids, a `from` of 7 to 15 digits, a time in whole seconds, a type
//     of [a-z0-9_], a text of valid UTF-8 within kMaxInboundTextChars code points without NUL
//     or CR, a name and a file name (without '/' or '\') on one line within their bounds, a
//     media id and a context id that are empty or plain ids, a payload within its bound;
//   - a status written back in Meta's shape (webhooks/status_notification.hpp, the sandbox's
//     writer) reads back as the same report;
//   - reading the same body twice gives the same reports.
// Seeds: tests/fuzz/corpus/webhook_notification.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/text.hpp"
#include "webhooks/meta_notification.hpp"
#include "webhooks/status_notification.hpp"

namespace {

namespace webhooks = socialgate::webhooks;
using socialgate::core::MessageStatus;

[[noreturn]] void Fail(const char* what, std::string_view value) {
  std::fprintf(stderr, "webhook_notification_fuzzer: %s: '%.*s'\n", what,
               static_cast<int>(value.size()), value.data());
  std::abort();
}

bool PlainId(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (const char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

bool OneLine(std::string_view s, std::size_t max) {
  return s.size() <= max && socialgate::core::Utf8Length(s).has_value() &&
         s.find('\n') == std::string_view::npos && s.find('\r') == std::string_view::npos;
}

void CheckStatus(const webhooks::NotifiedStatus& n) {
  const auto& r = n.report;
  if (!PlainId(n.phone_number_id, webhooks::kMaxIdBytes))
    Fail("phone_number_id", n.phone_number_id);
  if (!PlainId(r.provider_message_id, webhooks::kMaxIdBytes)) Fail("wamid", r.provider_message_id);
  if (!r.message_id.empty() && !PlainId(r.message_id, webhooks::kMaxOpaqueBytes)) {
    Fail("message id", r.message_id);
  }
  if (r.status != MessageStatus::kSent && r.status != MessageStatus::kDelivered &&
      r.status != MessageStatus::kRead && r.status != MessageStatus::kFailed) {
    Fail("status", "untracked");
  }
  if (r.at_ms < 0 || r.at_ms % 1000 != 0 || r.at_ms > 253'402'300'799'000) {
    Fail("time", std::to_string(r.at_ms));
  }
  if ((r.status == MessageStatus::kFailed) == r.detail.empty()) Fail("detail", r.detail);
  if (!OneLine(r.detail, webhooks::kMaxDetailBytes)) Fail("detail line", r.detail);
  if (r.status != MessageStatus::kFailed && !r.error_code.empty()) Fail("code", r.error_code);
  if (r.pricing) {
    for (const auto& text : {r.pricing->category, r.pricing->pricing_model, r.pricing->type}) {
      if (!OneLine(text, 64)) Fail("pricing", text);
    }
  }
  if (r.conversation) {
    if (!PlainId(r.conversation->id, webhooks::kMaxIdBytes)) Fail("conversation", "id");
    if (!OneLine(r.conversation->origin_type, 64)) Fail("origin", r.conversation->origin_type);
  }
  if (!r.service_phone.empty() || !r.source.empty()) Fail("routing", "filled by the parser");
}

void CheckInbound(const webhooks::NotifiedInbound& n) {
  const auto& r = n.record;
  if (!PlainId(n.phone_number_id, webhooks::kMaxIdBytes)) Fail("inbound pnid", n.phone_number_id);
  if (!PlainId(r.id, webhooks::kMaxIdBytes)) Fail("inbound wamid", r.id);
  if (r.customer_phone.size() < 7 || r.customer_phone.size() > 15 ||
      r.customer_phone.find_first_not_of("0123456789") != std::string::npos) {
    Fail("from", r.customer_phone);
  }
  if (!OneLine(r.customer_name, webhooks::kMaxNameBytes)) Fail("name", r.customer_name);
  if (r.at_ms < 0 || r.at_ms % 1000 != 0 || r.at_ms > 253'402'300'799'000) {
    Fail("inbound time", std::to_string(r.at_ms));
  }
  if (r.type.empty() || r.type.size() > webhooks::kMaxTypeBytes ||
      r.type.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
    Fail("type", r.type);
  }
  const auto chars = socialgate::core::Utf8Length(r.text);
  if (!chars || *chars > webhooks::kMaxInboundTextChars || r.text.find('\0') != std::string::npos ||
      r.text.find('\r') != std::string::npos) {
    Fail("text", r.text);
  }
  if (!r.media_id.empty() && !PlainId(r.media_id, webhooks::kMaxIdBytes)) Fail("media", r.media_id);
  if (r.mime_type.size() > webhooks::kMaxMimeTypeBytes || !OneLine(r.mime_type, 128)) {
    Fail("mime type", r.mime_type);
  }
  if (!OneLine(r.file_name, webhooks::kMaxFileNameBytes) ||
      r.file_name.find_first_of("/\\") != std::string::npos) {
    Fail("file name", r.file_name);
  }
  if (!r.context_id.empty() && !PlainId(r.context_id, webhooks::kMaxIdBytes)) {
    Fail("context", r.context_id);
  }
  if (r.payload.size() > webhooks::kMaxInboundPayloadBytes) Fail("payload", "too large");
  if (!r.service_phone.empty() || !r.source.empty()) Fail("inbound routing", "filled");
}

// The status in Meta's shape again, read back.
void CheckRoundTrip(const webhooks::NotifiedStatus& n) {
  const auto& r = n.report;
  webhooks::StatusNotice notice;
  notice.waba_id = "1";
  notice.phone_number_id = n.phone_number_id;
  notice.provider_message_id = r.provider_message_id;
  notice.status = r.status;
  notice.at_unix_seconds = r.at_ms / 1000;
  notice.message_id = r.message_id;
  notice.pricing = r.pricing;
  notice.conversation = r.conversation;
  if (r.status == MessageStatus::kFailed) {
    notice.error_code = 131026;
    notice.error_title = "Message undeliverable";
  }
  const auto again = webhooks::ParseMetaNotification(webhooks::BuildStatusNotification(notice));
  if (again.statuses.size() != 1 || !again.ignored.empty()) Fail("round trip", "not one status");
  const auto& back = again.statuses[0];
  if (back.phone_number_id != n.phone_number_id ||
      back.report.provider_message_id != r.provider_message_id || back.report.status != r.status ||
      back.report.at_ms != r.at_ms || back.report.message_id != r.message_id ||
      back.report.pricing != r.pricing || back.report.conversation != r.conversation) {
    Fail("round trip", r.provider_message_id);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto first = webhooks::ParseMetaNotification(body);
  if (first.statuses.size() > webhooks::kMaxStatusesPerNotification) Fail("statuses", "too many");
  if (first.ignored.size() > webhooks::kMaxIgnoredNotes + 1) Fail("notes", "too many");
  for (const auto& note : first.ignored) {
    if (note.empty()) Fail("note", note);
  }
  if (first.inbound.size() > webhooks::kMaxInboundPerNotification) Fail("inbound", "too many");
  for (const auto& s : first.statuses) {
    CheckStatus(s);
    CheckRoundTrip(s);
  }
  for (const auto& m : first.inbound) CheckInbound(m);
  const auto second = webhooks::ParseMetaNotification(body);
  if (second.statuses.size() != first.statuses.size() || second.ignored != first.ignored ||
      second.inbound.size() != first.inbound.size()) {
    Fail("determinism", "two readings differ");
  }
  for (std::size_t i = 0; i < first.inbound.size(); ++i) {
    const auto& a = first.inbound[i].record;
    const auto& b = second.inbound[i].record;
    if (a.id != b.id || a.text != b.text || a.payload != b.payload || a.type != b.type) {
      Fail("determinism", a.id);
    }
  }
  return 0;
}
