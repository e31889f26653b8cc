// File: api/sandbox_endpoints.hpp
//
// What a developer needs to try two-way conversations with a sandbox number, which has no real
// customers:
//   POST /livechat/{domain?}/sandbox/inboundMessage
//        {"customerPhoneNumber", "servicePhoneNumber", "text"}  (as the free-text send's body)
// posts the text as the customer's message to the business number, in the shape of Meta's
// `messages` webhook (webhooks/inbound_notification.hpp), through the webhook intake: once
// applied, it is stored, opens the customer's 24-hour window and joins the chat, as a real
// customer's message does. The answer comes once the event is applied: 202 {"result": true,
// "error": null, "messageId": "<the inbound message's id>"} (also when the store refused the
// application: a recovery applies it later).
// Only a sandbox number of the domain, that the user may send from, is accepted (403, 422 as the
// sends answer). Runs on the I/O thread until the store answers.
#pragma once

#include <vector>

#include "api/endpoint.hpp"

namespace socialgate::api {

class SandboxEndpoints {
 public:
  explicit SandboxEndpoints(const ApiDependencies& deps) : deps_(deps) {}

  // Handlers hold `this`: it must outlive the routes. None without a webhook intake.
  std::vector<Endpoint> Endpoints();

 private:
  void PostInbound(const Call& call, http::HttpRequest&& request, const http::Responder& respond);

  ApiDependencies deps_;
};

}  // namespace socialgate::api
