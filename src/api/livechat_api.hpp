// File: api/livechat_api.hpp
//
// The CTLive livechat endpoints (DESIGN-BRIEF section 1):
//   POST /livechat/{domain}/sendExternalTemplateMessageToCtlivesocial  (and without {domain})
//   GET  /livechat/{domain}/messages/{messageId}
//   POST /livechat/{domain}/login, POST /livechat/{domain}/logout       (and without {domain})
//   GET  /healthz, GET /readyz
//
// Each request is decided in two steps. Admit sees only the request line and headers: it
// routes (404, 405), checks the Content-Type (415) and authenticates (401, 429; see AuthGuard),
// so that a request that will be refused never has its body read. An admitted request states
// the largest body it may have (413 beyond it): the configured maximum for a send, a small one
// for requests that are not authenticated yet (the login's JSON credentials) or need no body.
// Then the handler the admission names gets the whole request.
//
// Where work runs: routing on the I/O thread; credential checks on the credential pool or the
// request workers (AuthGuard); a send that needs nothing slow (a body without media, no
// Idempotency-Key to look up) is decoded, validated and handed to the store's committer on the
// I/O thread itself; everything else that blocks (media decoding and sniffing, store reads)
// on the request workers. With ack = "provider" the answer waits for the dispatcher's first
// attempt, at most the domain's ack_timeout.
//
// Thread safety: Admit may be called from many threads at once.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "api/auth_guard.hpp"
#include "auth/authenticator.hpp"
#include "config/config.hpp"
#include "core/language.hpp"
#include "dispatch/dispatcher.hpp"
#include "http/message.hpp"
#include "store/idempotency_keys.hpp"
#include "store/outbox.hpp"
#include "util/timer_queue.hpp"
#include "util/work_pool.hpp"

namespace socialgate::api {

struct ApiDependencies {
  const config::Config* config = nullptr;
  const core::LanguageCatalog* languages = nullptr;
  auth::Authenticator* authenticator = nullptr;
  AuthGuard* guard = nullptr;
  store::Outbox* outbox = nullptr;
  store::IdempotencyKeys* idempotency_keys = nullptr;
  dispatch::Dispatcher* dispatcher = nullptr;
  util::WorkPool* workers = nullptr;
  util::TimerQueue* timers = nullptr;
  std::size_t max_queued_requests = 10'000;  // beyond this, 503 instead of an unbounded queue
};

class LivechatApi {
 public:
  explicit LivechatApi(ApiDependencies deps);

  // The HTTP server's Admitter (see http/message.hpp).
  void Admit(const http::HttpRequest& head, http::AdmissionResponder decide);

 private:
  // Authenticates `head` for `domain`, then admits a body of up to `max_body_bytes` for
  // `handle`, which gets the principal; otherwise refuses with AuthGuard's answer.
  using AuthenticatedHandler =
      std::function<void(const auth::Principal&, http::HttpRequest&&, http::Responder)>;
  void AdmitAuthenticated(const config::Domain& domain, const http::HttpRequest& head,
                          std::size_t max_body_bytes, http::AdmissionResponder decide,
                          AuthenticatedHandler handle);

  // --- send.cpp: the seed endpoint.
  // Sends on the calling (I/O) thread when nothing on the way can block: a body without media,
  // no Idempotency-Key to look up. Most requests are such, and each saves two thread switches.
  // Otherwise on a request worker.
  void Send(const config::Domain& domain, const auth::Principal& principal,
            http::HttpRequest&& request, http::Responder respond);
  void SendAs(const config::Domain& domain, const auth::Principal& principal,
              http::HttpRequest& request, const http::Responder& respond);
  // A text-only template request is a few hundred bytes; media headers are megabytes.
  static constexpr std::size_t kMaxBodyBytesWithoutWaiting = 16 * 1024;
  // 403 / 422 unless `phone` is a business number of `domain`.
  std::optional<http::HttpResponse> CheckBusinessNumber(const config::Domain& domain,
                                                        const std::string& phone) const;
  // 503 when the outbox is at its configured bound (back-pressure).
  std::optional<http::HttpResponse> CheckOutboxDepth();
  static http::HttpResponse RepeatAnswer(const store::IdempotencyRecord& record,
                                         const std::string& request_hash);

  // --- livechat_api.cpp: sessions, reads, health.
  void GetMessage(const config::Domain& domain, const auth::Principal& principal,
                  const std::string& id, const http::Responder& respond);
  void Ready(const http::Responder& respond);
  void AdmitLogin(const config::Domain& domain, const http::HttpRequest& head,
                  http::AdmissionResponder decide);
  // Issues a session for a principal that logged in with a user name and password.
  void IssueSession(const config::Domain& domain, const auth::Principal& principal,
                    const http::Responder& respond);
  void Logout(const auth::Principal& principal, const http::HttpRequest& request,
              const http::Responder& respond);

  // Runs `work` on the worker pool, or answers 503 when the pool is saturated.
  void OnWorker(http::Responder respond, std::function<void(const http::Responder&)> work);

  ApiDependencies deps_;
  std::atomic<std::int64_t> outbox_depth_{0};
  std::atomic<std::int64_t> outbox_checked_at_{0};  // steady clock, ns
  std::atomic<bool> outbox_refreshing_{false};      // a worker is counting
};

}  // namespace socialgate::api
