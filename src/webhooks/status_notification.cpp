#include "webhooks/status_notification.hpp"

#include <nlohmann/json.hpp>

namespace socialgate::webhooks {

std::string BuildStatusNotification(const StatusNotice& n) {
  using Json = nlohmann::ordered_json;
  Json status = {{"id", n.provider_message_id},
                 {"status", core::MessageStatusName(n.status)},
                 {"timestamp", std::to_string(n.at_unix_seconds)},
                 {"recipient_id", n.recipient_id}};
  if (!n.message_id.empty()) status["biz_opaque_callback_data"] = n.message_id;
  if (n.conversation) {
    Json conversation = {{"id", n.conversation->id}};
    if (n.conversation->expires_at_ms > 0) {
      conversation["expiration_timestamp"] = std::to_string(n.conversation->expires_at_ms / 1000);
    }
    conversation["origin"] = {{"type", n.conversation->origin_type}};
    status["conversation"] = std::move(conversation);
  }
  if (n.pricing) {
    Json pricing = Json::object();
    if (n.pricing->billable) pricing["billable"] = *n.pricing->billable;
    pricing["pricing_model"] = n.pricing->pricing_model;
    pricing["category"] = n.pricing->category;
    pricing["type"] = n.pricing->type;
    status["pricing"] = std::move(pricing);
  }
  if (n.status == core::MessageStatus::kFailed) {
    status["errors"] = Json::array({{{"code", n.error_code},
                                     {"title", n.error_title},
                                     {"message", n.error_title},
                                     {"error_data", {{"details", n.error_details}}}}});
  }
  const Json body = {
      {"object", "whatsapp_business_account"},
      {"entry",
       Json::array({{{"id", n.waba_id},
                     {"changes", Json::array({{{"value",
                                                {{"messaging_product", "whatsapp"},
                                                 {"metadata",
                                                  {{"display_phone_number", n.display_phone_number},
                                                   {"phone_number_id", n.phone_number_id}}},
                                                 {"statuses", Json::array({std::move(status)})}}},
                                               {"field", "messages"}}})}}})}};
  // Replace invalid UTF-8 rather than throw: the values are the gateway's own, but a dump must
  // not throw across the module.
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace socialgate::webhooks
