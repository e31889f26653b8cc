#include "api/message_endpoints.hpp"

#include <nlohmann/json.hpp>

#include "api/envelope.hpp"
#include "api/message_json.hpp"
#include "api/message_query.hpp"
#include "core/text.hpp"

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
  out.push_back(Endpoint{"GET", "/livechat/{domain}/messages", Access::kUser, 0, std::nullopt,
                         [this](Call call, http::HttpRequest&& request, http::Responder respond) {
                           OnWorker(deps_, std::move(respond),
                                    [this, call = std::move(call),
                                     query = std::move(request.query)](const http::Responder& r) {
                                      ListMessages(*call.domain, *call.principal, query, r);
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
  nlohmann::ordered_json body = {{"result", true}, {"error", nullptr}};
  AddMessageFields(body, m);
  AddBillingFields(body, m);
  body["history"] = MessageHistoryJson(m);
  respond(JsonAnswer(200, body));
}

void MessageEndpoints::ListMessages(const config::Domain& domain, const auth::Principal& principal,
                                    const std::string& query, const http::Responder& respond) {
  auto parsed = ParseMessageQuery(query);
  if (!parsed) return respond(ErrorResponse(parsed.error()));
  store::MessageQuery& q = *parsed;
  if (!q.service_phone.empty() && !principal.MaySendFrom(q.service_phone)) {
    return respond(http::JsonError(403, "servicePhoneNumber: user " +
                                            core::QuoteForMessage(principal.user) +
                                            " may not see the messages of " + q.service_phone));
  }
  q.domain = domain.name;
  q.service_phones_allowed = principal.numbers;  // empty: all of the domain's
  auto page = deps_.outbox->ListMessages(q);
  if (!page) return respond(ErrorResponse(page.error()));
  nlohmann::ordered_json messages = nlohmann::ordered_json::array();
  for (const auto& m : page->messages) {
    nlohmann::ordered_json item = nlohmann::ordered_json::object();
    AddMessageFields(item, m);
    messages.push_back(std::move(item));
  }
  nlohmann::ordered_json body = {{"result", true}, {"error", nullptr}};
  body["messages"] = std::move(messages);
  body["next"] = page->next ? nlohmann::ordered_json(EncodeCursor(*page->next))
                            : nlohmann::ordered_json(nullptr);
  respond(JsonAnswer(200, body));
}

}  // namespace socialgate::api
