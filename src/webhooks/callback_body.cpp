#include "webhooks/callback_body.hpp"

#include <cctype>

#include <nlohmann/json.hpp>

#include "util/ids.hpp"

namespace socialgate::webhooks {

namespace {

using Json = nlohmann::ordered_json;

std::string ReceivedBody(const store::CallbackDelivery& c) {
  const store::InboundRecord& m = *c.inbound;
  const std::string at = util::FormatUtcMillis(c.at_ms);
  std::string type = m.type;
  for (char& ch : type) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (m.type == "button") type = "QUICK_REPLY";
  Json data = {
      {"domain", c.domain},
      {"messageId", c.message_id},
      {"chatId", m.chat_id},
      {"servicePhoneNumber", c.service_phone},
      {"customerPhoneNumber", c.customer_phone},
      {"customerName", m.customer_name},
      {"messageType", type},
      {"text", m.text},
      {"replyTo", m.context_id.empty() ? Json(nullptr) : Json(m.context_id)},
      {"at", at},
      {"media", m.media_id.empty() ? Json(nullptr)
                                   : Json{{"mimeType", m.mime_type}, {"fileName", m.file_name}}}};
  const Json body = {{"type", kMessageReceived}, {"timestamp", at}, {"data", std::move(data)}};
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::string BuildCallbackBody(const store::CallbackDelivery& c) {
  if (c.inbound) return ReceivedBody(c);
  const std::string at = util::FormatUtcMillis(c.at_ms);
  Json data = {{"domain", c.domain},
               {"messageId", c.message_id},
               {"status", core::MessageStatusName(c.status)},
               {"at", at},
               {"source", c.source.empty() ? std::string("gateway") : c.source},
               {"servicePhoneNumber", c.service_phone},
               {"customerPhoneNumber", c.customer_phone},
               {"providerMessageId",
                c.provider_message_id.empty() ? Json(nullptr) : Json(c.provider_message_id)},
               {"deliveryError", c.error_message.empty()
                                     ? Json(nullptr)
                                     : Json{{"code", c.error_code}, {"message", c.error_message}}}};
  const Json body = {{"type", kStatusUpdated}, {"timestamp", at}, {"data", std::move(data)}};
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace socialgate::webhooks
