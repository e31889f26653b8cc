// File: api/endpoint.hpp
//
// What an endpoint is: a method and a path pattern (api/router.hpp), what its admission needs
// (who may call it, the largest body it takes, whether the body must be JSON) and its handler.
// A group of endpoints (send, messages, sessions, health...) returns its Endpoints; LivechatApi
// routes and admits every request by them, from the request's head, before any body is read.
//
// Also what every group may use: ApiDependencies, and OnWorker for work that blocks.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/auth_guard.hpp"
#include "auth/authenticator.hpp"
#include "config/config.hpp"
#include "config/live_config.hpp"
#include "core/language.hpp"
#include "dispatch/dispatcher.hpp"
#include "http/message.hpp"
#include "store/callbacks.hpp"
#include "store/conversations.hpp"
#include "store/idempotency_keys.hpp"
#include "store/outbox.hpp"
#include "templates/catalog.hpp"
#include "util/timer_queue.hpp"
#include "util/work_pool.hpp"
#include "webhooks/intake.hpp"

namespace socialgate::api {

struct ApiDependencies {
  // The configuration, reloaded on SIGHUP: a request reads Current() once, at its admission,
  // for its domain (Call::domain); settings only a restart changes may be read at any time.
  const config::LiveConfig* config = nullptr;
  const core::LanguageCatalog* languages = nullptr;
  auth::Authenticator* authenticator = nullptr;
  AuthGuard* guard = nullptr;
  store::Outbox* outbox = nullptr;
  store::IdempotencyKeys* idempotency_keys = nullptr;
  dispatch::Dispatcher* dispatcher = nullptr;
  util::WorkPool* workers = nullptr;
  util::TimerQueue* timers = nullptr;
  webhooks::WebhookIntake* webhook_intake = nullptr;  // Meta's callbacks; none without
  store::Callbacks* callbacks = nullptr;              // callbacks to callers, for their list
  const templates::Catalogs* catalogs = nullptr;      // template catalogs; none: no checks
  store::Conversations* conversations = nullptr;      // the 24-hour window; none: not checked
  std::size_t max_queued_requests = 10'000;  // beyond this, 503 instead of an unbounded queue
};

// Who may call an endpoint; decided before its body is read.
enum class Access {
  // Anyone; no domain (/healthz, /readyz).
  kPublic,
  // A user of the path's {domain} (404 for an unknown one; "default" when the pattern's
  // {domain?} is absent), by the credentials in the head, checked by the AuthGuard (401, 429).
  kUser,
  // The login: as kUser when the head carries an Authorization header; otherwise the body
  // carries a user name and password: it is read without credentials (so the endpoint's
  // max_body_bytes must be small) and the handler gets no principal and checks them itself
  // (AuthGuard::CheckPassword).
  kLogin,
};

// What a handler learns from its admission.
struct Call {
  const config::Domain* domain = nullptr;    // set unless Access::kPublic
  std::optional<auth::Principal> principal;  // set for kUser, and kLogin by Authorization
  std::vector<std::pair<std::string, std::string>> params;  // the path's, by name

  // The path parameter `name`, "" when absent.
  std::string Param(std::string_view name) const;
};

// Runs once the body is read (on an I/O thread: must not block; see OnWorker).
using EndpointHandler = std::function<void(Call, http::HttpRequest&&, http::Responder)>;

struct Endpoint {
  std::string method;   // "GET", "POST"
  std::string pattern;  // see api/router.hpp, e.g. "/livechat/{domain?}/login"
  Access access = Access::kUser;
  // The largest body admitted (413 beyond it); 0 for none.
  std::size_t max_body_bytes = 0;
  // When set, the body must be JSON (Content-Type application/json), else 415 with this
  // sentence, before credentials are checked. For kLogin, only when the body carries them.
  std::optional<std::string> json_body_refusal;
  EndpointHandler handle;
};

// Runs `work` on the request workers, or answers 503 (with Retry-After) when their queue holds
// deps.max_queued_requests already, or 503 when they are shutting down.
void OnWorker(const ApiDependencies& deps, http::Responder respond,
              std::function<void(const http::Responder&)> work);

}  // namespace socialgate::api
