#include "fake-graph/webhook_body.hpp"

#include <array>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "fake-graph/meta_error.hpp"
#include "fake-graph/text_util.hpp"

namespace socialgate::fake_graph {

namespace {

using OJson = nlohmann::ordered_json;

constexpr std::int64_t kConversationSeconds = 24 * 60 * 60;
constexpr std::size_t kDisplayDigits = 7;

std::string Hex(const unsigned char* bytes, std::size_t length) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (std::size_t i = 0; i < length; ++i) {
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0xF]);
  }
  return out;
}

}  // namespace

std::string_view StatusKindName(StatusKind kind) {
  switch (kind) {
    case StatusKind::kSent:
      return "sent";
    case StatusKind::kDelivered:
      return "delivered";
    case StatusKind::kRead:
      return "read";
    case StatusKind::kFailed:
      return "failed";
  }
  return "sent";
}

StatusError DefaultStatusError(int code, std::string_view details) {
  const std::string title(DefaultTitle(code));
  return StatusError{code, title, title, details.empty() ? title : std::string(details)};
}

std::string StatusWebhookBody(const StatusEvent& event) {
  OJson status;
  status["id"] = event.wamid;
  status["status"] = StatusKindName(event.status);
  status["timestamp"] = std::to_string(event.timestamp);
  status["recipient_id"] = event.recipient_id;
  if (!event.biz_opaque_callback_data.empty()) {
    status["biz_opaque_callback_data"] = event.biz_opaque_callback_data;
  }
  if (event.status == StatusKind::kSent || event.status == StatusKind::kDelivered) {
    OJson conversation;
    conversation["id"] = event.conversation_id;
    if (event.status == StatusKind::kSent) {
      conversation["expiration_timestamp"] = std::to_string(event.timestamp + kConversationSeconds);
    }
    conversation["origin"] = OJson{{"type", event.category}};
    status["conversation"] = std::move(conversation);
    status["pricing"] = OJson{{"billable", true},
                              {"pricing_model", "PMP"},
                              {"category", event.category},
                              {"type", "regular"}};
  }
  if (event.status == StatusKind::kFailed) {
    const StatusError error = event.error.value_or(DefaultStatusError(131026));
    status["errors"] = OJson::array({OJson{{"code", error.code},
                                           {"title", error.title},
                                           {"message", error.message},
                                           {"error_data", OJson{{"details", error.details}}},
                                           {"href", kErrorCodesHref}}});
  }
  OJson value;
  value["messaging_product"] = "whatsapp";
  value["metadata"] = OJson{{"display_phone_number", DisplayPhoneNumber(event.phone_number_id)},
                            {"phone_number_id", event.phone_number_id}};
  value["statuses"] = OJson::array({std::move(status)});
  OJson change;
  change["value"] = std::move(value);
  change["field"] = "messages";
  OJson entry;
  entry["id"] = event.waba_id;
  entry["changes"] = OJson::array({std::move(change)});
  OJson body;
  body["object"] = "whatsapp_business_account";
  body["entry"] = OJson::array({std::move(entry)});
  // biz_opaque_callback_data is whatever the client sent: replace invalid UTF-8, never throw.
  return body.dump(-1, ' ', false, OJson::error_handler_t::replace);
}

std::string TemplateStatusWebhookBody(const TemplateStatusEvent& event) {
  OJson value;
  value["event"] = event.event;
  value["message_template_id"] = event.template_id;
  value["message_template_name"] = event.template_name;
  value["message_template_language"] = event.template_language;
  value["reason"] = event.reason;
  OJson change;
  change["field"] = "message_template_status_update";
  change["value"] = std::move(value);
  OJson entry;
  entry["id"] = event.waba_id;
  entry["time"] = event.timestamp;
  entry["changes"] = OJson::array({std::move(change)});
  OJson body;
  body["object"] = "whatsapp_business_account";
  body["entry"] = OJson::array({std::move(entry)});
  return body.dump(-1, ' ', false, OJson::error_handler_t::replace);
}

std::string DisplayPhoneNumber(std::string_view phone_number_id) {
  std::string digits = DigitsOf(phone_number_id);
  if (digits.size() > kDisplayDigits) digits.erase(0, digits.size() - kDisplayDigits);
  return "1555" + std::string(kDisplayDigits - digits.size(), '0') + digits;
}

std::string ConversationId(std::string_view phone_number_id, std::string_view recipient_id) {
  std::string key(phone_number_id);
  key += '/';
  key += recipient_id;
  return Sha256Hex(key).substr(0, 32);
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  // HMAC() with a null output buffer would use a static one; ours is on the stack. An empty
  // key still needs a valid pointer.
  HMAC(EVP_sha256(), key.empty() ? "" : key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(), &length);
  return Hex(digest.data(), length);
}

std::string HubSignature256(std::string_view app_secret, std::string_view body) {
  return "sha256=" + HmacSha256Hex(app_secret, body);
}

}  // namespace socialgate::fake_graph
