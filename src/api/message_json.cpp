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
  // What the message says, by kind: messageType, then the kind's own fields in its codec's names.
  std::visit(core::Overloaded{[&](const core::TemplateContent& t) {
                                body["messageType"] = "TEMPLATE";
                                body["templateName"] = t.template_name;
                                body["language"] = t.language;
                              },
                              [&](const core::TextContent& t) {
                                body["messageType"] = "TEXT";
                                body["text"] = t.text;
                              },
                              [&](const core::MediaContent& c) {
                                body["messageType"] =
                                    c.media.kind == core::MediaKind::kImage ? "IMAGE" : "DOCUMENT";
                                body["fileName"] = c.media.file_name;
                                body["mimeType"] = c.media.mime_type;
                              }},
             m.message.content);
  // The chat it joined (store/conversations.hpp); null for a message stored before chats were.
  body["chatId"] =
      m.chat_id.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(m.chat_id);
  body["createdAt"] = util::FormatUtcMillis(m.created_at_ms);
  body["updatedAt"] = util::FormatUtcMillis(m.updated_at_ms);
}

nlohmann::ordered_json MessageHistoryJson(const store::StoredMessage& m) {
  nlohmann::ordered_json history = nlohmann::ordered_json::array();
  for (const auto& e : m.history) {
    nlohmann::ordered_json event = {{"status", core::MessageStatusName(e.status)},
                                    {"at", util::FormatUtcMillis(e.at_ms)}};
    if (!e.detail.empty()) event["detail"] = e.detail;
    if (!e.source.empty()) event["source"] = e.source;
    history.push_back(std::move(event));
  }
  return history;
}

void AddBillingFields(nlohmann::ordered_json& body, const store::StoredMessage& m) {
  using Json = nlohmann::ordered_json;
  Json pricing = nullptr;
  if (m.pricing) {
    pricing = {{"billable", m.pricing->billable ? Json(*m.pricing->billable) : Json(nullptr)},
               {"category", m.pricing->category},
               {"pricingModel", m.pricing->pricing_model},
               {"type", m.pricing->type}};
  }
  body["pricing"] = std::move(pricing);
  Json conversation = nullptr;
  if (m.conversation) {
    conversation = {{"id", m.conversation->id},
                    {"originType", m.conversation->origin_type},
                    {"expiresAt", m.conversation->expires_at_ms > 0
                                      ? Json(util::FormatUtcMillis(m.conversation->expires_at_ms))
                                      : Json(nullptr)}};
  }
  body["conversation"] = std::move(conversation);
}

}  // namespace socialgate::api
