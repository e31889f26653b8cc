#include "webhooks/inbound_notification.hpp"

#include <nlohmann/json.hpp>

namespace socialgate::webhooks {

std::string BuildInboundNotification(const InboundNotice& n) {
  using Json = nlohmann::ordered_json;
  Json value = {
      {"messaging_product", "whatsapp"},
      {"metadata",
       {{"display_phone_number", n.display_phone_number}, {"phone_number_id", n.phone_number_id}}}};
  Json contact = {{"wa_id", n.from}};
  if (!n.name.empty()) contact["profile"] = {{"name", n.name}};
  value["contacts"] = Json::array({std::move(contact)});
  value["messages"] = Json::array({{{"from", n.from},
                                    {"id", n.message_id},
                                    {"timestamp", std::to_string(n.at_unix_seconds)},
                                    {"type", "text"},
                                    {"text", {{"body", n.text}}}}});
  const Json body = {
      {"object", "whatsapp_business_account"},
      {"entry",
       Json::array(
           {{{"id", n.waba_id},
             {"changes", Json::array({{{"value", std::move(value)}, {"field", "messages"}}})}}})}};
  // Replace invalid UTF-8 rather than throw: a dump must not throw across the module.
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace socialgate::webhooks
