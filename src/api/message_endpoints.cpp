#include "api/message_endpoints.hpp"

#include <nlohmann/json.hpp>

#include "api/envelope.hpp"
#include "core/text.hpp"
#include "util/ids.hpp"

namespace socialgate::api {

std::vector<Endpoint> MessageEndpoints::Endpoints() {
  std::vector<Endpoint> out;
  out.push_back(
      Endpoint{"GET", "/livechat/{domain}/messages/{messageId}", Access::kUser, 0, std::nullopt,
               [this](Call call, http::HttpRequest&&, http::Responder respond) {
                 OnWorker(deps_, std::move(respond),
                          [this, call = std::move(call)](const http::Responder& r) {
                            GetMessage(*call.domain, *call.principal, call.Param("messageId"), r);
                          });
               }});
  return out;
}

void MessageEndpoints::GetMessage(const config::Domain& domain, const auth::Principal& principal,
                                  const std::string& id, const http::Responder& respond) {
  auto found = deps_.outbox->Get(domain.name, id);
  if (!found) return respond(ErrorResponse(found.error()));
  // A user limited to some numbers does not see the others' messages.
  if (!found->has_value() || !principal.MaySendFrom((*found)->message.service_phone)) {
    return respond(http::JsonError(404, "messageId: no message " + core::QuoteForMessage(id) +
                                            " in domain " + core::QuoteForMessage(domain.name)));
  }
  const store::StoredMessage& m = **found;
  nlohmann::ordered_json history = nlohmann::ordered_json::array();
  for (const auto& e : m.history) {
    nlohmann::ordered_json event = {{"status", core::MessageStatusName(e.status)},
                                    {"at", util::FormatUtcMillis(e.at_ms)}};
    if (!e.detail.empty()) event["detail"] = e.detail;
    if (!e.source.empty()) event["source"] = e.source;
    history.push_back(std::move(event));
  }
  nlohmann::ordered_json body = {
      {"result", true},
      {"error", nullptr},
      {"messageId", m.id},
      {"status", core::MessageStatusName(m.status)},
      {"providerMessageId", m.provider_message_id.empty()
                                ? nlohmann::ordered_json(nullptr)
                                : nlohmann::ordered_json(m.provider_message_id)},
      {"deliveryError",
       m.error_message.empty()
           ? nlohmann::ordered_json(nullptr)
           : nlohmann::ordered_json{{"code", m.error_code}, {"message", m.error_message}}},
      {"attempts", m.attempts},
      {"customerPhoneNumber", m.message.customer_phone},
      {"servicePhoneNumber", m.message.service_phone},
  };
  // What the message says, by kind (the kind's own fields, in the codec's names).
  std::visit(core::Overloaded{[&](const core::TemplateContent& t) {
               body["templateName"] = t.template_name;
               body["language"] = t.language;
             }},
             m.message.content);
  // What the provider says the message costs, and the conversation it was billed in.
  nlohmann::ordered_json pricing = nullptr;
  if (m.pricing) {
    pricing = {{"billable", m.pricing->billable ? nlohmann::ordered_json(*m.pricing->billable)
                                                : nlohmann::ordered_json(nullptr)},
               {"category", m.pricing->category},
               {"pricingModel", m.pricing->pricing_model},
               {"type", m.pricing->type}};
  }
  body["pricing"] = std::move(pricing);
  nlohmann::ordered_json conversation = nullptr;
  if (m.conversation) {
    conversation = {{"id", m.conversation->id},
                    {"originType", m.conversation->origin_type},
                    {"expiresAt", m.conversation->expires_at_ms > 0
                                      ? nlohmann::ordered_json(
                                            util::FormatUtcMillis(m.conversation->expires_at_ms))
                                      : nlohmann::ordered_json(nullptr)}};
  }
  body["conversation"] = std::move(conversation);
  body["createdAt"] = util::FormatUtcMillis(m.created_at_ms);
  body["updatedAt"] = util::FormatUtcMillis(m.updated_at_ms);
  body["history"] = std::move(history);
  respond(JsonAnswer(200, body));
}

}  // namespace socialgate::api
