// File: api/callback_endpoints.hpp
//
// GET /livechat/{domain}/callbacks: the domain's callbacks to its URL (store/callbacks.hpp),
// newest first, for the operator to see which ones gave up:
//   ?status=pending|delivered|failed   (optional; all by default)
//   &limit=1..1000                     (default 100)
//   &cursor=<the previous page's next>
// Answer: {"result":true,"error":null,"callbacks":[{id, messageId, type (message.status.updated
// or message.received), status (null for a customer's message), at, state, attempts, lastError,
// createdAt, finishedAt}], "next": cursor or null}. Callbacks are the domain's, not
// a number's: a user limited to some numbers gets 403. Runs on a request worker.
#pragma once

#include <string>
#include <vector>

#include "api/endpoint.hpp"

namespace socialgate::api {

class CallbackEndpoints {
 public:
  explicit CallbackEndpoints(const ApiDependencies& deps) : deps_(deps) {}

  // Handlers hold `this`: it must outlive the routes.
  std::vector<Endpoint> Endpoints();

 private:
  void List(const config::Domain& domain, const auth::Principal& principal,
            const std::string& query, const http::Responder& respond);

  ApiDependencies deps_;
};

}  // namespace socialgate::api
