// File: webhooks/callback_sender.hpp
//
// Posts the callbacks to callers (store/callbacks.hpp) that the store wrote with each status
// change: the `sg-callbacks` thread claims due callbacks with a lease (the earliest pending one
// of each message, so a message's callbacks arrive in the order of its changes), posts each
// through the shared HTTP client, signed (standard_webhooks.hpp) with the body of
// callback_body.hpp, and records how it went:
//   - a 2xx answer: delivered;
//   - anything else (another status, no answer within the domain's timeout, a refused
//     connection): tried again after 1 s, then doubling up to 15 minutes, until the callback is
//     older than the domain's max_age: then failed, kept for GET /livechat/{domain}/callbacks.
// Nothing waits for the receiver: sends never do, and the thread only claims and hands over.
// Instances sharing a database share the work (the claim's lease); a stopped instance's claims
// are taken again once their lease ends.
//
// Thread safety: Start and Stop from one thread; SetTargets from any. Lifetime: `callbacks` and
// `http` must outlive the sender; Stop waits until every post it started is recorded.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "net/http_client.hpp"
#include "store/callbacks.hpp"
#include "util/clock.hpp"

namespace socialgate::webhooks {

// Where a domain's callbacks go (config::CallbackSettings).
struct CallbackTarget {
  std::string url;
  std::string key;  // the HMAC key (the bytes of the whsec_ secret)
  std::chrono::milliseconds timeout{15'000};
  std::chrono::milliseconds max_age{24LL * 3600 * 1000};
};

struct CallbackSenderOptions {
  std::string owner;  // the lease owner: this instance's name
  int batch = 256;    // callbacks claimed at once, at most
  // Callbacks claimed and not yet answered by their receiver: the posts in flight. A callback's
  // slot is free again once its outcome is queued for the store (the store applies writes in
  // order, so a later claim sees it); waiting for that commit too held slots for a commit round
  // each under load, and callbacks fell behind (issue 21's callbacks bench).
  int max_in_flight = 256;
  std::chrono::milliseconds poll{250};  // how often due callbacks are looked for when idle
  std::chrono::milliseconds first_retry{1'000};
  std::chrono::milliseconds max_retry{15LL * 60 * 1000};
};

class CallbackSender {
 public:
  // `targets` by domain name.
  CallbackSender(store::Callbacks& callbacks, net::HttpClient& http,
                 std::map<std::string, CallbackTarget, std::less<>> targets,
                 CallbackSenderOptions options, const util::Clock& clock = util::SystemClock());
  ~CallbackSender();  // Stop()
  CallbackSender(const CallbackSender&) = delete;
  CallbackSender& operator=(const CallbackSender&) = delete;
  CallbackSender(CallbackSender&&) = delete;
  CallbackSender& operator=(CallbackSender&&) = delete;

  // Starts the thread when some domain has a callback URL (else SetTargets does, once one has).
  void Start();
  void Stop();

  // A configuration reload: callbacks go to `targets` from now on (a post in flight finishes
  // with the target it began with); a callback of a domain that has no URL any more fails.
  // Starts the thread if Start found no target and `targets` has one.
  void SetTargets(std::map<std::string, CallbackTarget, std::less<>> targets);

  // When the next attempt of a callback that failed `attempts` times is due, after `now_ms`.
  std::int64_t RetryAt(int attempts, std::int64_t now_ms) const;

 private:
  void Run();
  void Post(store::CallbackDelivery callback);
  void Finish(const store::CallbackDelivery& callback, core::Result<net::ClientResponse> answer);

  store::Callbacks& callbacks_;
  net::HttpClient& http_;
  using Targets = std::map<std::string, CallbackTarget, std::less<>>;
  std::shared_ptr<const Targets> CurrentTargets() const;

  mutable std::mutex targets_mutex_;  // guards targets_ and started_
  std::shared_ptr<const Targets> targets_;
  bool started_ = false;  // Start was called (and Stop not yet)
  CallbackSenderOptions options_;
  const util::Clock& clock_;
  std::atomic<std::int64_t> lease_ms_{0};  // longer than any attempt

  std::mutex mutex_;
  std::condition_variable changed_;
  int in_flight_ = 0;      // claimed, outcome not queued yet; guarded by mutex_
  int recording_ = 0;      // outcomes queued, not yet committed; guarded by mutex_
  bool claiming_ = false;  // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace socialgate::webhooks
