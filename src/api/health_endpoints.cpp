#include "api/health_endpoints.hpp"

#include "api/envelope.hpp"
#include "obs/metrics.hpp"

namespace socialgate::api {

std::vector<Endpoint> HealthEndpoints::Endpoints() {
  std::vector<Endpoint> out;
  out.push_back(
      Endpoint{"GET", "/healthz", Access::kPublic, 0, std::nullopt,
               [](Call, http::HttpRequest&&, http::Responder respond) {
                 respond(JsonAnswer(200, {{"result", true}, {"error", nullptr}, {"status", "ok"}}));
               }});
  out.push_back(Endpoint{"GET", "/readyz", Access::kPublic, 0, std::nullopt,
                         [this](Call, http::HttpRequest&&, http::Responder respond) {
                           OnWorker(deps_, std::move(respond),
                                    [this](const http::Responder& r) { Ready(r); });
                         }});
  // The exposition runs the collectors (a few locks and counters): on a worker, like /readyz.
  out.push_back(Endpoint{"GET", "/metrics", Access::kPublic, 0, std::nullopt,
                         [this](Call, http::HttpRequest&&, http::Responder respond) {
                           OnWorker(deps_, std::move(respond), [](const http::Responder& r) {
                             http::HttpResponse metrics;
                             metrics.content_type = "text/plain; version=0.0.4; charset=utf-8";
                             metrics.body = obs::DefaultRegistry().Exposition();
                             r(std::move(metrics));
                           });
                         }});
  return out;
}

void HealthEndpoints::Ready(const http::Responder& respond) {
  auto pending = deps_.outbox->PendingCount();
  if (!pending) return respond(http::JsonError(503, "storage is unavailable"));
  respond(JsonAnswer(
      200, {{"result", true}, {"error", nullptr}, {"status", "ready"}, {"pending", *pending}}));
}

}  // namespace socialgate::api
