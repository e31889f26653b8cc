// File: api/webhook_endpoints.hpp
//
// Meta's webhook callbacks, at [webhooks.meta] path (default /webhooks/meta), public (Meta
// authenticates each callback by its signature, not by the gateway's users):
//   GET   the subscription handshake: 200 with hub.challenge as the body when hub.mode is
//         "subscribe" and hub.verify_token is the configured one; 403 otherwise.
//   POST  a callback: X-Hub-Signature-256 checked over the raw body with the app secret
//         (401 and nothing stored when missing or wrong), then stored as received and answered
//         200 once durable (503 when the store refuses it: Meta sends it again); its statuses
//         are applied after (webhooks/intake.hpp).
// No routes when [webhooks.meta] is not configured. Both run on the I/O thread: the check is an
// HMAC over at most webhooks::kMaxNotificationBytes, and the store write is asynchronous.
#pragma once

#include <optional>
#include <vector>

#include "api/endpoint.hpp"

namespace socialgate::api {

class WebhookEndpoints {
 public:
  explicit WebhookEndpoints(const ApiDependencies& deps) : deps_(deps) {}

  // Handlers hold `this`: it must outlive the routes.
  std::vector<Endpoint> Endpoints();

 private:
  void Handshake(const http::HttpRequest& request, const http::Responder& respond) const;
  void Callback(http::HttpRequest&& request, const http::Responder& respond) const;

  ApiDependencies deps_;
  // [webhooks.meta] as Endpoints() found it: read at start only (a reload that changes it is
  // told so, app/config_reload.hpp), so that the routes and their secrets stay together.
  std::optional<config::MetaWebhookSettings> meta_;
};

}  // namespace socialgate::api
