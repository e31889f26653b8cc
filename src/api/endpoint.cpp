#include "api/endpoint.hpp"

namespace socialgate::api {

std::string Call::Param(std::string_view name) const {
  for (const auto& [n, v] : params) {
    if (n == name) return v;
  }
  return {};
}

void OnWorker(const ApiDependencies& deps, http::Responder respond,
              std::function<void(const http::Responder&)> work) {
  if (deps.workers->Backlog() >= deps.max_queued_requests) {
    http::HttpResponse r = http::JsonError(503, "the gateway is overloaded, try again shortly");
    r.headers.emplace_back("Retry-After", "1");
    respond(std::move(r));
    return;
  }
  const bool queued = deps.workers->Submit([respond, work = std::move(work)] { work(respond); });
  if (!queued) respond(http::JsonError(503, "the gateway is shutting down, try again shortly"));
}

}  // namespace socialgate::api
