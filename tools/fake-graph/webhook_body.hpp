// File: fake-graph/webhook_body.hpp
//
// The status webhook Meta posts after it accepted a send, and its signature
// (docs/meta-cloud-api.md section 5, as in meta_error.hpp). One status per body, compact JSON
// in Meta's field order:
//   {"object":"whatsapp_business_account","entry":[{"id":"<WABA>","changes":[{"value":{
//     "messaging_product":"whatsapp","metadata":{"display_phone_number":"...",
//     "phone_number_id":"..."},"statuses":[{"id":"<wamid>","status":"sent","timestamp":"<s>",
//     "recipient_id":"<digits>","biz_opaque_callback_data":"...","conversation":{...},
//     "pricing":{...}}]},"field":"messages"}]}]}
// `sent` carries conversation (with expiration_timestamp) and pricing; `delivered` carries both,
// without expiration_timestamp; `read` neither; `failed` carries errors[] and neither.
// biz_opaque_callback_data appears only when the send carried it.
//
// Also the webhook Meta posts when a template's status changes (field
// message_template_status_update), compact, in this order:
//   {"object":"whatsapp_business_account","entry":[{"id":"<WABA>","time":<unix s>,"changes":[
//     {"field":"message_template_status_update","value":{"event":"PAUSED",
//      "message_template_id":<id, a number>,"message_template_name":"...",
//      "message_template_language":"en_GB","reason":"NONE"}}]}]}
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace socialgate::fake_graph {

enum class StatusKind { kSent, kDelivered, kRead, kFailed };

std::string_view StatusKindName(StatusKind kind);  // "sent", "delivered", "read", "failed"

// A failed status's errors[0].
struct StatusError {
  int code = 131026;
  std::string title;    // errors[].title
  std::string message;  // errors[].message
  std::string details;  // errors[].error_data.details
};

// Meta's title for the code as title and message, `details` as given (the title when empty).
StatusError DefaultStatusError(int code, std::string_view details = {});

inline constexpr std::string_view kErrorCodesHref =
    "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/";

// Everything one status webhook says.
struct StatusEvent {
  std::string waba_id;          // entry[].id
  std::string phone_number_id;  // metadata.phone_number_id
  std::string wamid;            // statuses[].id
  StatusKind status = StatusKind::kSent;
  std::int64_t timestamp = 0;            // Unix seconds
  std::string recipient_id;              // digits, no '+'
  std::string biz_opaque_callback_data;  // "" = absent
  std::string conversation_id;           // 32 hex characters (sent and delivered only)
  std::string category = "utility";      // conversation.origin.type and pricing.category
  std::optional<StatusError> error;      // failed only: errors[0]
};

// The body, compact JSON (see above). Strings that are not valid UTF-8 are replaced, not thrown.
std::string StatusWebhookBody(const StatusEvent& event);

// Everything one message_template_status_update webhook says.
struct TemplateStatusEvent {
  std::string waba_id;         // entry[].id
  std::int64_t timestamp = 0;  // entry[].time, Unix seconds
  std::string event;           // APPROVED, PAUSED, REJECTED, DISABLED...
  std::uint64_t template_id = 0;
  std::string template_name;
  std::string template_language;
  std::string reason = "NONE";
};

// The body, compact JSON (see above). Strings that are not valid UTF-8 are replaced, not thrown.
std::string TemplateStatusWebhookBody(const TemplateStatusEvent& event);

// What display_phone_number shows for a phone-number-id: "1555" and the id's last 7 digits
// (zero-padded), like Meta's test numbers ("15550783881").
std::string DisplayPhoneNumber(std::string_view phone_number_id);

// A conversation id, 32 lower-case hex characters, the same for the same (phone-number-id,
// recipient) pair.
std::string ConversationId(std::string_view phone_number_id, std::string_view recipient_id);

// Lower-case hex HMAC-SHA256 of `data` under `key` (OpenSSL).
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// The X-Hub-Signature-256 header value Meta sends: "sha256=" + HmacSha256Hex(app_secret, body).
std::string HubSignature256(std::string_view app_secret, std::string_view body);

}  // namespace socialgate::fake_graph
