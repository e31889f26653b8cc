// File: api/health_endpoints.hpp
//
// GET /healthz (the process answers), GET /readyz (the store answers: 200 with the outbox's
// pending count, 503 when it cannot count) and GET /metrics (obs::DefaultRegistry in Prometheus'
// text format: counts and times, never a phone number or a message's content). No credentials,
// no body: an operator who does not want them public keeps them behind the proxy.
#pragma once

#include <vector>

#include "api/endpoint.hpp"

namespace socialgate::api {

class HealthEndpoints {
 public:
  explicit HealthEndpoints(const ApiDependencies& deps) : deps_(deps) {}

  // Handlers hold `this`: it must outlive the routes.
  std::vector<Endpoint> Endpoints();

 private:
  void Ready(const http::Responder& respond);

  ApiDependencies deps_;
};

}  // namespace socialgate::api
