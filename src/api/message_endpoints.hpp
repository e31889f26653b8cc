// File: api/message_endpoints.hpp
//
// GET /livechat/{domain}/messages/{messageId}: a message of the domain with its status and
// history; 404 when the domain has no such message or the user may not send from its number.
// GET /livechat/{domain}/messages: the domain's messages, newest first, a page at a time, by
// the filters of the query string (api/message_query.hpp; docs/api.md, "List messages"); a user
// limited to some numbers sees only their messages, and asking for another number is 403.
// The store reads run on a request worker.
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
  void ListMessages(const config::Domain& domain, const auth::Principal& principal,
                    const std::string& query, const http::Responder& respond);

  ApiDependencies deps_;
};

}  // namespace socialgate::api
