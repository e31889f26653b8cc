#include "webhooks/callback_body.hpp"

#include <nlohmann/json.hpp>

#include "util/ids.hpp"

namespace socialgate::webhooks {

std::string BuildCallbackBody(const store::CallbackDelivery& c) {
  using Json = nlohmann::ordered_json;
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
