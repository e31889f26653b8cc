// File: api/chat_endpoints.hpp
//
// The chat endpoints that are not sends (store/conversations.hpp):
//   POST /livechat/{domain?}/endContactByChatID   {"chatID": "CHAT_DEFAULT_...", "reason": "..."}
// ends the domain's active chat: 200 {"result": true, "error": null, "chatId", "endedAt",
// "reason"}. The next message either way opens a new chat. Refused: 404 for no such chat in the
// domain, 409 for a chat that had ended (by an earlier end or by idleness, named), 403 for a
// user who may not send from the chat's business number; the body as the sends' (400 for its
// shape, 422 for a chatID or reason out of bounds). Runs on a request worker.
#pragma once

#include <vector>

#include "api/endpoint.hpp"

namespace socialgate::api {

class ChatEndpoints {
 public:
  explicit ChatEndpoints(const ApiDependencies& deps) : deps_(deps) {}

  // Handlers hold `this`: it must outlive the routes. None without conversations.
  std::vector<Endpoint> Endpoints();

 private:
  void EndContact(const config::Domain& domain, const auth::Principal& principal, std::string body,
                  const http::Responder& respond);

  ApiDependencies deps_;
};

}  // namespace socialgate::api
