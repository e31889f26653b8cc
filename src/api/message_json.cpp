#include "api/message_json.hpp"

#include <utility>
#include <variant>

#include "util/ids.hpp"

namespace socialgate::api {

void AddMessageFields(nlohmann::ordered_json& body, const store::StoredMessage& m) {
  body["messageId"] = m.id;
  body["status"] = core::MessageStatusName(m.status);
  body["providerMessageId"] = m.provider_message_id.empty()
                                  ? nlohmann::ordered_json(nullptr)
                                  : nlohmann::ordered_json(m.provider_message_id);
  body["deliveryError"] =
      m.error_message.empty()
          ? nlohmann::ordered_json(nullptr)
          : nlohmann::ordered_json{{"code", m.error_code}, {"message", m.error_message}};
  body["attempts"] = m.attempts;
  body["customerPhoneNumber"] = m.message.customer_phone;
  body["servicePhoneNumber"] = m.message.service_phone;
  // What the message says, by kind (the kind's own fields, in the codec's names).
  std::visit(core::Overloaded{[&](const core::TemplateContent& t) {
               body["templateName"] = t.template_name;
               body["language"] = t.language;
             }},
             m.message.content);
  body["createdAt"] = util::FormatUtcMillis(m.created_at_ms);
  body["updatedAt"] = util::FormatUtcMillis(m.updated_at_ms);
}

nlohmann::ordered_json MessageHistoryJson(const store::StoredMessage& m) {
  nlohmann::ordered_json history = nlohmann::ordered_json::array();
  for (const auto& e : m.history) {
    nlohmann::ordered_json event = {{"status", core::MessageStatusName(e.status)},
                                    {"at", util::FormatUtcMillis(e.at_ms)}};
    if (!e.detail.empty()) event["detail"] = e.detail;
    history.push_back(std::move(event));
  }
  return history;
}

}  // namespace socialgate::api
