#include "providers/meta/meta_errors.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "providers/meta/graph_answer.hpp"

namespace socialgate::providers::meta {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
constexpr MetaAction kFail = MetaAction::kFail;
constexpr MetaAction kRetry = MetaAction::kRetry;
constexpr bool kUnwell = true;  // MetaErrorRule::unwell
constexpr milliseconds kNoMinimum{0};

// Source: ../shared/reference/meta-cloud-api.md section 3 (Meta's error-code page).
constexpr std::array kTable{
    MetaErrorRule{0, kFail, "access token expired, invalidated or blocked"},
    MetaErrorRule{1, kRetry, "unknown API error, possibly a server error", kNoMinimum, kUnwell},
    MetaErrorRule{2, kRetry, "temporary API service downtime or overload", kNoMinimum, kUnwell},
    MetaErrorRule{3, kFail, "capability or permission issue"},
    MetaErrorRule{4, kRetry, "app-level API call rate limit reached", minutes(5)},
    MetaErrorRule{10, kFail, "permission denied"},
    MetaErrorRule{100, kFail, "invalid or unsupported parameter"},
    MetaErrorRule{190, kFail, "access token expired"},
    MetaErrorRule{200, kFail, "API permission not granted or removed"},
    MetaErrorRule{368, kFail, "temporarily blocked for policy violations"},
    MetaErrorRule{80007, kRetry, "WhatsApp Business Account rate limit reached", minutes(1)},
    MetaErrorRule{130429, kRetry, "throughput (messages per second) limit reached", seconds(1)},
    MetaErrorRule{130472, kFail, "recipient is part of a Meta experiment; not sent"},
    MetaErrorRule{130497, kFail, "the business may not message users in that country"},
    MetaErrorRule{131000, kRetry, "something went wrong at Meta", kNoMinimum, kUnwell},
    MetaErrorRule{131005, kFail, "access denied"},
    MetaErrorRule{131008, kFail, "a required parameter is missing"},
    MetaErrorRule{131009, kFail, "a parameter value is not valid"},
    MetaErrorRule{131016, kRetry, "service temporarily unavailable", kNoMinimum, kUnwell},
    MetaErrorRule{131021, kFail, "recipient cannot be the sender"},
    MetaErrorRule{131026, kFail, "message undeliverable (not on WhatsApp, or an old client)"},
    MetaErrorRule{131030, kFail, "recipient is not in the allowed list of a test number"},
    MetaErrorRule{131031, kFail, "business account locked"},
    MetaErrorRule{131042, kFail, "business eligibility or payment problem"},
    MetaErrorRule{131045, kFail, "phone number registration certificate is wrong"},
    MetaErrorRule{131047, kFail, "more than 24 hours since the customer last replied"},
    MetaErrorRule{131048, kFail, "spam rate limit: too many messages were blocked or flagged"},
    MetaErrorRule{131049, kFail, "not delivered, to keep healthy ecosystem engagement"},
    MetaErrorRule{131050, kFail, "the user stopped marketing messages"},
    MetaErrorRule{131051, kFail, "unsupported message type"},
    MetaErrorRule{131052, kFail, "media download error"},
    MetaErrorRule{131053, kFail, "media upload error: the media is unusable"},
    MetaErrorRule{131056, kRetry, "pair rate limit: too many messages to this user", seconds(4)},
    MetaErrorRule{131057, kRetry, "business account in maintenance mode", seconds(30)},
    MetaErrorRule{132000, kFail, "template parameter count does not match"},
    MetaErrorRule{132001, kFail, "template does not exist in this language, or is not approved"},
    MetaErrorRule{132005, kFail, "translated text too long"},
    MetaErrorRule{132007, kFail, "template format character policy violated"},
    MetaErrorRule{132012, kFail, "template parameter format does not match"},
    MetaErrorRule{132015, kFail, "template paused for low quality"},
    MetaErrorRule{132016, kFail, "template disabled"},
    MetaErrorRule{132018, kFail, "template parameter has a newline, tab or too many spaces"},
    MetaErrorRule{133004, kRetry, "server temporarily unavailable", kNoMinimum, kUnwell},
    MetaErrorRule{133010, kFail, "phone number not registered on the Cloud API"},
    MetaErrorRule{135000, kFail, "generic user error"},
    MetaErrorRule{137000, kFail, "identity key hash mismatch"},
};

SendOutcome Outcome(SendOutcome::Kind kind, std::string code, std::string message,
                    std::optional<milliseconds> retry_after, bool unwell = false) {
  SendOutcome o;
  o.kind = kind;
  o.error_code = std::move(code);
  o.error_message = std::move(message);
  o.retry_after = retry_after;
  o.provider_unwell = unwell;
  return o;
}

}  // namespace

std::span<const MetaErrorRule> MetaErrorTable() { return kTable; }

const MetaErrorRule* FindMetaErrorRule(int code) {
  for (const auto& rule : kTable) {
    if (rule.code == code) return &rule;
  }
  // 200-299: "API permission" errors form a range.
  if (code > 200 && code < 300) return FindMetaErrorRule(200);
  return nullptr;
}

std::optional<milliseconds> ParseRetryAfter(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  long long secs = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
  if (value.empty() || ec != std::errc() || ptr != value.data() + value.size() || secs < 0) {
    return std::nullopt;
  }
  // Cap at a day: a larger value is a mistake, and the attempt limit still applies.
  return milliseconds(std::min<long long>(secs, 86'400) * 1000);
}

SendOutcome ClassifyMetaFailure(long http_status, std::string_view body,
                                std::optional<milliseconds> retry_after) {
  using Kind = SendOutcome::Kind;
  const std::string status = std::to_string(http_status);
  // Codes are letters, digits and '_': a status line never has more than three digits.
  const std::string status_code =
      http_status >= 0 && http_status <= 999 ? "http_" + status : "http_invalid";
  auto error = ReadGraphError(body);
  if (!error) {
    const bool passing =
        http_status == 408 || http_status == 429 || http_status >= 500 || http_status < 100;
    const std::string what =
        "HTTP " + status + " without a Graph API error: " + error.error().message;
    // A 5xx says Meta is unwell. (So does, as its code reads the same, a status of 5 or 50 to
    // 59: not an HTTP status, and never sent by a working server.)
    const bool unwell = status_code.starts_with("http_5");
    if (passing) return Outcome(Kind::kRetryLater, status_code, what, retry_after, unwell);
    return Outcome(Kind::kRejected, status_code, what, std::nullopt);
  }
  const int code = error->code;
  std::string message = error->message;
  if (!error->details.empty() && error->details != message) {
    message += message.empty() ? error->details : ": " + error->details;
  }
  if (message.empty()) message = "Graph API error " + std::to_string(code);
  const MetaErrorRule* rule = FindMetaErrorRule(code);
  MetaAction action;
  if (rule != nullptr) {
    action = rule->action;
  } else {
    action = (http_status == 429 || http_status >= 500 || http_status < 100) ? kRetry : kFail;
  }
  if (action == kFail) {
    return Outcome(Kind::kRejected, std::to_string(code), message, std::nullopt);
  }
  std::optional<milliseconds> wait = retry_after;
  if (rule != nullptr && rule->min_retry_after.count() > 0) {
    wait = std::max(wait.value_or(milliseconds(0)), rule->min_retry_after);
  }
  return Outcome(Kind::kRetryLater, std::to_string(code), message, wait,
                 rule != nullptr && rule->unwell);
}

SendOutcome ClassifySendAnswer(long http_status, std::string_view body,
                               std::optional<milliseconds> retry_after, std::string* note) {
  if (note != nullptr) note->clear();
  if (http_status < 200 || http_status >= 300) {
    return ClassifyMetaFailure(http_status, body, retry_after);
  }
  auto answer = ReadSendAnswer(body);
  if (!answer) {
    // A success without a message id cannot be tracked; Meta may or may not have taken it.
    return Outcome(SendOutcome::Kind::kRetryLater, "bad_response",
                   "the provider's answer carried no usable message id: " + answer.error().message,
                   retry_after, /*unwell=*/true);
  }
  if (note != nullptr) *note = std::move(answer->ignored);
  return SendOutcome::Accepted(std::move(answer->message_id), std::move(answer->wa_id));
}

tl::expected<std::string, SendOutcome> ClassifyUploadAnswer(
    long http_status, std::string_view body, std::optional<milliseconds> retry_after) {
  SendOutcome failure;
  if (http_status >= 200 && http_status < 300) {
    auto id = ReadUploadAnswer(body);
    if (id) return std::move(*id);
    failure = Outcome(SendOutcome::Kind::kRetryLater, "bad_response",
                      "the answer carried no usable media id: " + id.error().message, retry_after,
                      /*unwell=*/true);
  } else {
    failure = ClassifyMetaFailure(http_status, body, retry_after);
  }
  failure.error_message = "media upload: " + failure.error_message;
  return tl::unexpected(std::move(failure));
}

}  // namespace socialgate::providers::meta
