// File: api/message_endpoints.hpp
//
// GET /livechat/{domain}/messages/{messageId}: a message of the domain with its status and
// history; 404 when the domain has no such message or the user may not send from its number.
// The store read runs on a request worker.
#pragma once

#include <string>
#include <vector>

#include "api/endpoint.hpp"

namespace socialgate::api {

class MessageEndpoints {
 public:
  explicit MessageEndpoints(const ApiDependencies& deps) : deps_(deps) {}

  // Handlers hold `this`: it must outlive the routes.
  std::vector<Endpoint> Endpoints();

 private:
  void GetMessage(const config::Domain& domain, const auth::Principal& principal,
                  const std::string& id, const http::Responder& respond);

  ApiDependencies deps_;
};

}  // namespace socialgate::api
