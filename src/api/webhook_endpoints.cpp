#include "api/webhook_endpoints.hpp"

#include "api/envelope.hpp"
#include "api/query.hpp"
#include "obs/metrics.hpp"
#include "webhooks/intake.hpp"
#include "webhooks/meta_handshake.hpp"
#include "webhooks/meta_notification.hpp"
#include "webhooks/meta_signature.hpp"

namespace socialgate::api {

namespace {

// Meta's callbacks by outcome: stored, bad_signature (refused 401: the alert on forged or
// misconfigured callbacks), not_stored (503: Meta sends it again).
obs::Counter& MetaEvents(std::string_view outcome) {
  static obs::CounterFamily& events = obs::DefaultRegistry().AddCounter(
      "socialgate_webhook_events_total",
      "Status and message callbacks received from a provider, by source and outcome (stored, "
      "bad_signature, not_stored).",
      {"source", "outcome"});
  return events.With({"meta", std::string(outcome)});
}
// Registered at start, so that a scrape shows the family before the first callback.
[[maybe_unused]] const obs::Counter& kMetaEventsRegistered = MetaEvents("stored");

}  // namespace

std::vector<Endpoint> WebhookEndpoints::Endpoints() {
  std::vector<Endpoint> out;
  meta_ = deps_.config->Current().webhooks.meta;
  if (!meta_ || deps_.webhook_intake == nullptr) return out;
  const std::string& path = meta_->path;
  out.push_back(Endpoint{"GET", path, Access::kPublic, 0, std::nullopt,
                         [this](Call, http::HttpRequest&& request, http::Responder respond) {
                           Handshake(request, respond);
                         }});
  out.push_back(Endpoint{"POST", path, Access::kPublic, webhooks::kMaxNotificationBytes,
                         std::nullopt,
                         [this](Call, http::HttpRequest&& request, http::Responder respond) {
                           Callback(std::move(request), respond);
                         }});
  return out;
}

void WebhookEndpoints::Handshake(const http::HttpRequest& request,
                                 const http::Responder& respond) const {
  const std::string mode = QueryParameter(request.query, "hub.mode");
  const std::string token = QueryParameter(request.query, "hub.verify_token");
  const std::string challenge = QueryParameter(request.query, "hub.challenge");
  auto answer = webhooks::AnswerHandshake(meta_->verify_token, {mode, token, challenge});
  if (!answer) return respond(http::JsonError(403, answer.error().message));
  http::HttpResponse response;
  response.status = 200;
  response.content_type = "text/plain";
  response.body = std::move(*answer);
  respond(std::move(response));
}

void WebhookEndpoints::Callback(http::HttpRequest&& request, const http::Responder& respond) const {
  auto signed_by_meta = webhooks::CheckMetaSignature(meta_->app_secret, request.body,
                                                     request.Header("x-hub-signature-256"));
  if (!signed_by_meta) {
    MetaEvents("bad_signature").Add();
    return respond(http::JsonError(401, signed_by_meta.error().message));
  }
  deps_.webhook_intake->Receive(
      "meta", std::move(request.body), [respond](core::Result<void> received) {
        MetaEvents(received ? "stored" : "not_stored").Add();
        if (!received) {
          http::HttpResponse busy =
              http::JsonError(503, "the event could not be stored, send it again later");
          busy.headers.emplace_back("Retry-After", "1");
          return respond(std::move(busy));
        }
        respond(JsonAnswer(200, {{"result", true}, {"error", nullptr}}));
      });
}

}  // namespace socialgate::api
