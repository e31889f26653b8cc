#include "api/request_observer.hpp"

#include <array>
#include <chrono>
#include <string>

#include <spdlog/spdlog.h>

namespace socialgate::api {

namespace {

std::string_view MethodLabel(std::string_view method) {
  static constexpr std::array<std::string_view, 7> kMethods = {"GET",     "POST",  "PUT", "DELETE",
                                                               "OPTIONS", "PATCH", "HEAD"};
  if (method.empty()) return "unparsed";
  for (std::string_view m : kMethods) {
    if (m == method) return m;
  }
  return "other";
}

std::string_view EndpointLabel(const http::AnsweredRequest& a) {
  if (!a.route.empty()) return a.route;
  return a.method.empty() ? "unparsed" : "unmatched";
}

}  // namespace

std::function<void(const http::AnsweredRequest&)> RequestObserver(obs::Registry& registry) {
  auto& requests =
      registry.AddCounter("socialgate_http_requests_total",
                          "HTTP requests answered, by endpoint (route pattern), method and status.",
                          {"endpoint", "method", "status"});
  auto& durations =
      registry.AddHistogram("socialgate_http_request_duration_seconds",
                            "Time from a request's header read to its answer written, by endpoint.",
                            {"endpoint"}, obs::LatencyBuckets());
  return [&requests, &durations](const http::AnsweredRequest& a) {
    const std::string_view endpoint = EndpointLabel(a);
    const std::string_view method = MethodLabel(a.method);
    const double seconds = std::chrono::duration<double>(a.duration).count();
    requests.With({std::string(endpoint), std::string(method), std::to_string(a.status)}).Add();
    durations.With({std::string(endpoint)}).Observe(seconds);
    spdlog::info("request {} {} {} {} {:.3f} ms client {}{}",
                 a.request_id.empty() ? "-" : a.request_id, method, endpoint, a.status,
                 seconds * 1000, a.remote_address, a.written ? "" : " (client gone)");
  };
}

}  // namespace socialgate::api
