#include "api/message_endpoints.hpp"

#include <nlohmann/json.hpp>

#include "api/envelope.hpp"
#include "api/message_json.hpp"
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
  body["history"] = MessageHistoryJson(m);
  respond(JsonAnswer(200, body));
}

}  // namespace socialgate::api
