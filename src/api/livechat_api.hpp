// File: api/livechat_api.hpp
//
// The assembly of the CTLive livechat endpoints: it builds the routing table from the groups
// of endpoints and admits every request by it (the HTTP server's Admitter):
//   send_endpoints     POST /livechat/{domain?}/sendExternalTemplateMessageToCtlivesocial
//   message_endpoints  GET  /livechat/{domain}/messages/{messageId}
//   session_endpoints  POST /livechat/{domain?}/login, POST /livechat/{domain?}/logout
//   health_endpoints   GET  /healthz, GET /readyz
//   webhook_endpoints  GET, POST [webhooks.meta] path (Meta's callbacks), when configured
//   callback_endpoints GET  /livechat/{domain}/callbacks
//   template_endpoints GET  /livechat/{domain}/templates
// A new endpoint goes into its group's Endpoints() (a new group: its own files, a member here).
//
// Each request is decided in two steps. Admit sees only the request line and headers, and
// decides in this order: 404 (no route has the path), 405 (with Allow: routes have it for other
// methods only), 404 (unknown {domain}), 415 (the endpoint takes JSON and the Content-Type is
// not), then the AuthGuard's 401/429/503 for endpoints that need a user (see api/endpoint.hpp,
// Access), so that a request that will be refused never has its body read. An admitted request
// may have a body of up to its endpoint's max_body_bytes (413 beyond it); then the endpoint's
// handler gets the whole request. Routing runs on the I/O thread; where the rest runs, see the
// AuthGuard and each group.
//
// Thread safety: Admit may be called from many threads at once.
#pragma once

#include <vector>

#include "api/callback_endpoints.hpp"
#include "api/chat_endpoints.hpp"
#include "api/endpoint.hpp"
#include "api/health_endpoints.hpp"
#include "api/message_endpoints.hpp"
#include "api/router.hpp"
#include "api/sandbox_endpoints.hpp"
#include "api/send_endpoints.hpp"
#include "api/session_endpoints.hpp"
#include "api/template_endpoints.hpp"
#include "api/transcript_endpoints.hpp"
#include "api/webhook_endpoints.hpp"
#include "http/message.hpp"

namespace socialgate::api {

class LivechatApi {
 public:
  explicit LivechatApi(ApiDependencies deps);
  LivechatApi(const LivechatApi&) = delete;
  LivechatApi& operator=(const LivechatApi&) = delete;
  LivechatApi(LivechatApi&&) = delete;
  LivechatApi& operator=(LivechatApi&&) = delete;
  ~LivechatApi() = default;

  // The HTTP server's Admitter (see http/message.hpp).
  void Admit(const http::HttpRequest& head, http::AdmissionResponder decide);

 private:
  void Add(std::vector<Endpoint> endpoints);
  // Admits a request to `endpoint` once its {domain} is known (Access::kUser and kLogin).
  void AdmitForDomain(const Endpoint& endpoint, Call call, const http::HttpRequest& head,
                      http::AdmissionResponder decide);

  ApiDependencies deps_;
  SendEndpoints send_;
  MessageEndpoints messages_;
  SessionEndpoints sessions_;
  HealthEndpoints health_;
  WebhookEndpoints webhooks_;
  CallbackEndpoints callbacks_;
  TemplateEndpoints templates_;
  SandboxEndpoints sandbox_;
  ChatEndpoints chats_;
  TranscriptEndpoints transcripts_;
  Router router_;
  std::vector<Endpoint> endpoints_;  // by route number
};

}  // namespace socialgate::api
