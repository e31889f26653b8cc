// File: api/health_endpoints.hpp
//
// GET /healthz (the process answers) and GET /readyz (the store answers: 200 with the outbox's
// pending count, 503 when it cannot count). No credentials, no body.
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
