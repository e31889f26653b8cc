#include "webhooks/callback_sender.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "obs/metrics.hpp"
#include "util/thread_name.hpp"
#include "webhooks/callback_body.hpp"
#include "webhooks/standard_webhooks.hpp"

namespace socialgate::webhooks {

namespace {

// The lease of a claim: the longest post's timeout twice, its record's commit and a margin, so
// that a claim is never taken again while its post is still in flight.
std::int64_t LeaseFor(const std::map<std::string, CallbackTarget, std::less<>>& targets) {
  std::chrono::milliseconds longest{0};
  for (const auto& [domain, target] : targets) longest = std::max(longest, target.timeout);
  return 2 * longest.count() + 30'000;
}

}  // namespace

CallbackSender::CallbackSender(store::Callbacks& callbacks, net::HttpClient& http,
                               std::map<std::string, CallbackTarget, std::less<>> targets,
                               CallbackSenderOptions options, const util::Clock& clock)
    : callbacks_(callbacks),
      http_(http),
      targets_(std::make_shared<const Targets>(std::move(targets))),
      options_(std::move(options)),
      clock_(clock),
      lease_ms_(LeaseFor(*targets_)) {}

CallbackSender::~CallbackSender() { Stop(); }

std::shared_ptr<const CallbackSender::Targets> CallbackSender::CurrentTargets() const {
  std::lock_guard lock(targets_mutex_);
  return targets_;
}

void CallbackSender::Start() {
  std::lock_guard lock(targets_mutex_);
  started_ = true;
  if (targets_->empty() || thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void CallbackSender::SetTargets(std::map<std::string, CallbackTarget, std::less<>> targets) {
  // A longer timeout lengthens the lease of later claims; a lease never shortens, since claims
  // made before may still be in flight with the longer one.
  const std::int64_t lease = LeaseFor(targets);
  if (lease > lease_ms_.load()) lease_ms_.store(lease);
  std::lock_guard lock(targets_mutex_);
  targets_ = std::make_shared<const Targets>(std::move(targets));
  if (started_ && !targets_->empty() && !thread_.joinable()) {
    thread_ = std::thread([this] { Run(); });
  }
}

void CallbackSender::Stop() {
  {
    std::lock_guard lock(targets_mutex_);
    started_ = false;  // SetTargets starts no thread from now on
  }
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::int64_t CallbackSender::RetryAt(int attempts, std::int64_t now_ms) const {
  std::int64_t wait = options_.first_retry.count();
  for (int i = 1; i < attempts && wait < options_.max_retry.count(); ++i) wait *= 2;
  return now_ms + std::min<std::int64_t>(wait, options_.max_retry.count());
}

void CallbackSender::Run() {
  util::NameThisThread("sg-callbacks");
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    changed_.wait(lock, [this] { return stopping_ || in_flight_ < options_.max_in_flight; });
    if (stopping_) break;
    const int room = std::min(options_.batch, options_.max_in_flight - in_flight_);
    claiming_ = true;
    std::vector<store::CallbackDelivery> claimed;
    bool refused = false;
    lock.unlock();
    callbacks_.ClaimCallbacksAsync(
        store::CallbackClaim{clock_.UnixMillis(), options_.owner, lease_ms_.load(), room},
        [this, &claimed, &refused](core::Result<std::vector<store::CallbackDelivery>> got) {
          std::lock_guard done(mutex_);
          if (got) {
            claimed = std::move(*got);
            in_flight_ += static_cast<int>(claimed.size());
          } else {
            refused = true;
            spdlog::warn("callbacks: cannot claim due callbacks: {}", got.error().detail);
          }
          claiming_ = false;
          changed_.notify_all();
        });
    lock.lock();
    changed_.wait(lock, [this] { return !claiming_; });
    lock.unlock();
    for (auto& c : claimed) Post(std::move(c));
    lock.lock();
    // A full batch: there may be more due at once. Otherwise look again after a while.
    if (refused || static_cast<int>(claimed.size()) < room) {
      changed_.wait_for(lock, options_.poll, [this] { return stopping_; });
    }
  }
  // Posts in flight are answered by the client (within their timeout) and then recorded.
  changed_.wait(lock, [this] { return in_flight_ == 0 && recording_ == 0; });
}

void CallbackSender::Post(store::CallbackDelivery callback) {
  const auto targets = CurrentTargets();
  const auto target = targets->find(callback.domain);
  if (target == targets->end()) {
    // Its domain had a URL when the change was recorded and has none now.
    return Finish(callback, core::MakeError(core::ErrorCode::kNotFound,
                                            "the domain has no callback URL any more"));
  }
  net::ClientRequest request;
  request.method = "POST";
  request.url = target->second.url;
  request.timeout = target->second.timeout;
  request.connect_timeout = std::min(target->second.timeout, std::chrono::milliseconds(5'000));
  request.body = BuildCallbackBody(callback);
  const std::int64_t timestamp_s = clock_.UnixMillis() / 1000;
  request.headers = {{"Content-Type", "application/json"},
                     {"User-Agent", "socialgate"},
                     {"webhook-id", callback.id},
                     {"webhook-timestamp", std::to_string(timestamp_s)},
                     {"webhook-signature", StandardWebhookSignature(target->second.key, callback.id,
                                                                    timestamp_s, request.body)}};
  http_.Start(std::move(request),
              [this, callback = std::move(callback)](core::Result<net::ClientResponse> answer) {
                Finish(callback, std::move(answer));
              });
}

namespace {

// Each attempt to call a domain's receiver: delivered, retry (failed, tried again later) or
// failed (given up).
obs::Counter& CallbackAttempts(std::string_view outcome) {
  static obs::CounterFamily& attempts = obs::DefaultRegistry().AddCounter(
      "socialgate_callbacks_total",
      "Attempts to call the callers' receivers, by outcome: delivered, retry (failed, tried "
      "again later), failed (given up).",
      {"outcome"});
  return attempts.With({std::string(outcome)});
}
// Registered at start, so that a scrape shows the family before the first callback.
[[maybe_unused]] const obs::Counter& kCallbackAttemptsRegistered = CallbackAttempts("delivered");

}  // namespace

void CallbackSender::Finish(const store::CallbackDelivery& callback,
                            core::Result<net::ClientResponse> answer) {
  const std::int64_t now_ms = clock_.UnixMillis();
  store::CallbackOutcome outcome;
  outcome.id = callback.id;
  outcome.owner = options_.owner;
  outcome.now_ms = now_ms;
  if (answer && answer->status >= 200 && answer->status < 300) {
    outcome.kind = store::CallbackOutcome::Kind::kDelivered;
    CallbackAttempts("delivered").Add();
  } else {
    outcome.error = answer ? "the receiver answered HTTP " + std::to_string(answer->status)
                           : "no answer: " + answer.error().message;
    const auto targets = CurrentTargets();
    const auto target = targets->find(callback.domain);
    const std::int64_t max_age_ms = target == targets->end() ? 0 : target->second.max_age.count();
    const std::int64_t next_ms = RetryAt(callback.attempts, now_ms);
    if (next_ms - callback.created_at_ms > max_age_ms) {
      outcome.kind = store::CallbackOutcome::Kind::kFailed;
      CallbackAttempts("failed").Add();
      outcome.error += " (given up after " + std::to_string(callback.attempts) + " attempts)";
      spdlog::warn("callbacks: {} of message {} to domain {} given up: {}", callback.id,
                   callback.message_id, callback.domain, outcome.error);
    } else {
      outcome.kind = store::CallbackOutcome::Kind::kRetry;
      CallbackAttempts("retry").Add();
      outcome.next_attempt_at_ms = next_ms;
      spdlog::debug("callbacks: {} attempt {} failed, again in {} ms: {}", callback.id,
                    callback.attempts, next_ms - now_ms, outcome.error);
    }
  }
  {
    std::lock_guard lock(mutex_);
    ++recording_;
  }
  callbacks_.RecordCallbackAsync(
      std::move(outcome), [this, id = callback.id](core::Result<void> recorded) {
        if (!recorded) {
          // The lease ends and the callback is claimed again: it may arrive twice (same
          // webhook-id).
          spdlog::warn("callbacks: the outcome of {} was not recorded: {}", id,
                       recorded.error().detail);
        }
        std::lock_guard lock(mutex_);
        --recording_;
        changed_.notify_all();
      });
  // Queued: a claim queued from now on is applied after it, so the slot is free.
  std::lock_guard lock(mutex_);
  --in_flight_;
  changed_.notify_all();
}

}  // namespace socialgate::webhooks
