// File: api/livechat_api.hpp
//
// The CTLive livechat endpoints (DESIGN-BRIEF section 1):
//   POST /livechat/{domain}/sendExternalTemplateMessageToCtlivesocial  (and without {domain})
//   GET  /livechat/{domain}/messages/{messageId}
//   GET  /healthz, GET /readyz
// Routing runs on the calling (I/O) thread; everything that blocks (argon2id, base64 and media
// sniffing, SQLite reads) runs on the worker pool. A send that needs none of it (see
// SendWithoutWaiting) is decoded, validated and handed to the store's committer on the I/O
// thread itself. With ack = "provider" the answer waits for the
// dispatcher's first attempt, at most the domain's ack_timeout.
//
// Thread safety: Handle may be called from many threads at once.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "auth/authenticator.hpp"
#include "auth/failure_limiter.hpp"
#include "config/config.hpp"
#include "core/language.hpp"
#include "dispatch/dispatcher.hpp"
#include "http/message.hpp"
#include "store/store.hpp"
#include "util/timer_queue.hpp"
#include "util/work_pool.hpp"

namespace socialgate::api {

struct ApiDependencies {
  const config::Config* config = nullptr;
  const core::LanguageCatalog* languages = nullptr;
  auth::Authenticator* authenticator = nullptr;
  store::Store* store = nullptr;
  dispatch::Dispatcher* dispatcher = nullptr;
  util::WorkPool* workers = nullptr;
  util::TimerQueue* timers = nullptr;
  std::size_t max_queued_requests = 10'000;  // beyond this, 503 instead of an unbounded queue
};

class LivechatApi {
 public:
  explicit LivechatApi(ApiDependencies deps);

  void Handle(http::HttpRequest&& request, http::Responder respond);

 private:
  // Authenticates, then sends; on a worker thread.
  void Send(const config::Domain& domain, http::HttpRequest& request,
            const http::Responder& respond);
  // Sends on the calling (I/O) thread when nothing on the way can block: credentials
  // remembered from an earlier success, a body without media, no Idempotency-Key to look up.
  // Most requests are such, and each saves two thread switches. False, having done nothing,
  // when the request must go to a worker.
  bool SendWithoutWaiting(const config::Domain& domain, http::HttpRequest& request,
                          const http::Responder& respond);
  void SendAs(const config::Domain& domain, const auth::Principal& principal,
              http::HttpRequest& request, const http::Responder& respond);
  // A text-only template request is a few hundred bytes; media headers are megabytes.
  static constexpr std::size_t kMaxBodyBytesWithoutWaiting = 16 * 1024;
  void GetMessage(const config::Domain& domain, const std::string& id,
                  const http::HttpRequest& request, const http::Responder& respond);
  void Ready(const http::Responder& respond);
  // Runs `work` on the worker pool, or answers 503 when the pool is saturated.
  void OnWorker(http::Responder respond, std::function<void(const http::Responder&)> work);
  void Login(const config::Domain& domain, http::HttpRequest& request,
             const http::Responder& respond);
  void Logout(const config::Domain& domain, const http::HttpRequest& request,
              const http::Responder& respond);

  // The request's principal; otherwise answers (401, 429, 503) and returns nullopt.
  std::optional<auth::Principal> Authenticate(const config::Domain& domain,
                                              const http::HttpRequest& request,
                                              const http::Responder& respond);
  // Failed attempts are counted per client address, per user, and per user at an address.
  struct AttemptKeys {
    std::string address;
    std::string user;             // "" when the request names no user
    std::string user_at_address;  // "" when the request names no user
  };
  static AttemptKeys KeysFor(const config::Domain& domain, const http::HttpRequest& request,
                             const std::string& user);
  // 429 while any of the keys is locked.
  std::optional<http::HttpResponse> Refused(const AttemptKeys& keys);
  void Succeeded(const AttemptKeys& keys);
  // Counts the failure and answers 401, later and later as failures pile up.
  void Failed(const AttemptKeys& keys, const core::Error& error, const http::Responder& respond);
  // 403 / 422 unless `phone` is a business number of `domain`.
  std::optional<http::HttpResponse> CheckBusinessNumber(const config::Domain& domain,
                                                        const std::string& phone) const;
  // 503 when the outbox is at its configured bound (back-pressure).
  std::optional<http::HttpResponse> CheckOutboxDepth();
  static http::HttpResponse RepeatAnswer(const store::IdempotencyRecord& record,
                                         const std::string& request_hash);

  ApiDependencies deps_;
  // A guesser from one address is locked out longest; a user's own lock stays short, so
  // someone guessing a user's password elsewhere cannot keep the user out for long.
  // Every first lock outlasts the 401 delay at its threshold (750 ms at 5 failures, 2 s at
  // 20), so a client that waits for each answer does meet the lock.
  auth::FailureLimiter address_failures_{20, std::chrono::minutes(10), std::chrono::minutes(15),
                                         std::chrono::seconds(5)};
  auth::FailureLimiter user_address_failures_{5, std::chrono::minutes(15), std::chrono::minutes(15),
                                              std::chrono::seconds(3)};
  auth::FailureLimiter user_failures_{20, std::chrono::minutes(10), std::chrono::seconds(60),
                                      std::chrono::seconds(5)};
  std::atomic<std::int64_t> outbox_depth_{0};
  std::atomic<std::int64_t> outbox_checked_at_{0};  // steady clock, ns
  std::atomic<bool> outbox_refreshing_{false};      // a worker is counting
};

}  // namespace socialgate::api
