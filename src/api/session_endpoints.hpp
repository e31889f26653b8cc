// File: api/session_endpoints.hpp
//
// POST /livechat/{domain?}/login: a session token (ctlivetoken) for a user name and password,
// given by Basic auth or as a JSON body {"username", "password"} (the only body read before its
// request is authenticated, so it is held to server.max_unauthenticated_body_bytes).
// POST /livechat/{domain?}/logout: ends the session whose token the request carries.
// Session writes run on a request worker.
#pragma once

#include <vector>

#include "api/endpoint.hpp"

namespace socialgate::api {

class SessionEndpoints {
 public:
  explicit SessionEndpoints(const ApiDependencies& deps) : deps_(deps) {}

  // Handlers hold `this`: it must outlive the routes.
  std::vector<Endpoint> Endpoints();

 private:
  void Login(const Call& call, http::HttpRequest&& request, const http::Responder& respond);
  // Issues a session for a principal that logged in with a user name and password.
  void IssueSession(const config::Domain& domain, const auth::Principal& principal,
                    const http::Responder& respond);
  void Logout(const auth::Principal& principal, const http::HttpRequest& request,
              const http::Responder& respond);

  ApiDependencies deps_;
};

}  // namespace socialgate::api
