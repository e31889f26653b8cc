#include "dispatch/dispatcher.hpp"

#include <algorithm>
#include <array>

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "obs/log.hpp"
#include "util/ids.hpp"

namespace socialgate::dispatch {
namespace {

constexpr int kClaimBatch = 8;

std::string MakeOwnerName() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  // The id's random tail keeps two processes with a recycled pid apart.
  return std::string(host.data()) + ":" + std::to_string(getpid()) + ":" +
         util::NewMessageId().substr(24);
}

}  // namespace

Dispatcher::Dispatcher(store::Store& store, ProviderLookup providers, const config::Config& config)
    : store_(store),
      providers_(std::move(providers)),
      config_(config),
      settings_(config.dispatch),
      flow_(config),
      owner_(MakeOwnerName()),
      rng_(std::random_device{}()) {}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  std::lock_guard lock(mutex_);
  if (!workers_.empty()) return;
  stopping_ = false;
  for (int i = 0; i < settings_.workers; ++i) workers_.emplace_back([this] { RunWorker(); });
  lease_keeper_ = std::thread([this] { RunLeaseKeeper(); });
}

void Dispatcher::Stop() {
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    workers.swap(workers_);
  }
  wake_.notify_all();
  keeper_wake_.notify_all();
  for (auto& t : workers) t.join();
  if (lease_keeper_.joinable()) lease_keeper_.join();
  {
    // Nobody is waiting for an answer any more; drop the listeners while whatever they
    // answer through is still alive.
    std::lock_guard lock(listeners_mutex_);
    listeners_.clear();
  }
  if (workers.empty()) return;
  auto released = store_.ReleaseLeases(owner_, util::NowUnixMillis());
  if (!released) {
    spdlog::error("dispatch: releasing leases failed: {}", released.error().detail);
  } else if (*released > 0) {
    spdlog::info("dispatch: returned {} claimed messages to the queue", *released);
  }
}

void Dispatcher::Notify() {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    ++notifications_;
    // One woken worker claims everything stored until it gets to claim: while one is on its
    // way, more wake-ups would only add claims that find nothing.
    wake = !wake_pending_;
    wake_pending_ = true;
  }
  if (wake) wake_.notify_one();
}

std::chrono::milliseconds Dispatcher::ReservePairSlot(const std::string& message_id,
                                                      const std::string& number,
                                                      const std::string& customer) {
  const auto wait = flow_.ReservePair(message_id, number, customer, FlowControl::Clock::now());
  return std::chrono::ceil<std::chrono::milliseconds>(wait);
}

void Dispatcher::Listen(const std::string& message_id, Listener listener) {
  std::lock_guard lock(listeners_mutex_);
  listeners_[message_id] = std::move(listener);
}

void Dispatcher::Forget(const std::string& message_id) {
  std::lock_guard lock(listeners_mutex_);
  listeners_.erase(message_id);
}

void Dispatcher::Tell(const std::string& message_id, const AttemptResult& result) {
  Listener listener;
  {
    std::lock_guard lock(listeners_mutex_);
    auto it = listeners_.find(message_id);
    if (it == listeners_.end()) return;
    listener = std::move(it->second);
    listeners_.erase(it);
  }
  listener(result);
}

void Dispatcher::Hold(const std::vector<store::StoredMessage>& messages) {
  std::lock_guard lock(held_mutex_);
  for (const auto& m : messages) held_.insert(m.id);
}

void Dispatcher::Drop(const std::string& id) {
  std::lock_guard lock(held_mutex_);
  auto it = held_.find(id);
  if (it != held_.end()) held_.erase(it);
}

void Dispatcher::RunLeaseKeeper() {
  const auto period = std::max(std::chrono::milliseconds(100), settings_.lease / 3);
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (keeper_wake_.wait_for(lock, period, [this] { return stopping_; })) return;
    }
    std::vector<std::string> ids;
    {
      std::lock_guard lock(held_mutex_);
      ids.assign(held_.begin(), held_.end());
    }
    auto extended =
        store_.ExtendLeases(ids, owner_, util::NowUnixMillis() + settings_.lease.count());
    if (!extended) {
      spdlog::error("dispatch: renewing {} leases failed: {}", ids.size(), extended.error().detail);
    }
  }
}

void Dispatcher::RunWorker() {
  for (;;) {
    std::uint64_t seen = 0;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      seen = notifications_;
      wake_pending_ = false;  // this claim covers every notification so far
    }
    const std::int64_t now = util::NowUnixMillis();
    auto claimed = store_.ClaimDue(now, owner_, settings_.lease.count(), kClaimBatch,
                                   flow_.ThrottledNumbers(FlowControl::Clock::now()));
    if (!claimed) {
      spdlog::error("dispatch: claiming messages failed: {}", claimed.error().detail);
    } else if (!claimed->empty()) {
      Hold(*claimed);
      for (auto& message : *claimed) {
        bool stopping = false;
        {
          std::lock_guard lock(mutex_);
          stopping = stopping_;
        }
        // Unsent claims are returned to the queue by Stop().
        if (!stopping) Deliver(message);
        Drop(message.id);
      }
      continue;
    }
    // Nothing due: sleep until the next due time, the poll interval, or a notification.
    auto wait = settings_.poll_interval;
    if (claimed) {
      if (auto next = store_.NextDueAt(); next && *next) {
        wait = std::min(wait, std::chrono::milliseconds(
                                  std::max<std::int64_t>(1, **next - util::NowUnixMillis())));
      }
    } else {
      wait = std::max(wait, std::chrono::milliseconds(100));  // storage trouble: do not spin
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, wait, [&] { return stopping_ || notifications_ != seen; });
  }
}

std::int64_t Dispatcher::BackoffMillis(int attempts,
                                       std::optional<std::chrono::milliseconds> retry_after) {
  // Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(attempts-1))].
  const int shift = std::clamp(attempts - 1, 0, 30);
  const std::int64_t ceiling = std::min<std::int64_t>(settings_.max_backoff.count(),
                                                      settings_.base_backoff.count() << shift);
  std::int64_t delay = 0;
  {
    std::lock_guard lock(rng_mutex_);
    delay =
        std::uniform_int_distribution<std::int64_t>(0, std::max<std::int64_t>(ceiling, 0))(rng_);
  }
  if (retry_after) delay = std::max<std::int64_t>(delay, retry_after->count());
  return delay;
}

int Dispatcher::MaxAttempts(const std::string& domain) const {
  const config::Domain* d = config_.FindDomain(domain);
  return d != nullptr && d->max_attempts > 0 ? d->max_attempts : settings_.max_attempts;
}

std::chrono::milliseconds Dispatcher::MaxAge(const std::string& domain) const {
  const config::Domain* d = config_.FindDomain(domain);
  return d != nullptr && d->max_age.count() > 0 ? d->max_age : settings_.max_age;
}

namespace {

// "3 s", "5 min", "24 h": how long a message was tried, for the give-up sentence.
std::string HumanDuration(std::int64_t ms) {
  if (ms < 120'000) return std::to_string((ms + 500) / 1000) + " s";
  if (ms < 7'200'000) return std::to_string((ms + 30'000) / 60'000) + " min";
  return std::to_string((ms + 1'800'000) / 3'600'000) + " h";
}

}  // namespace

void Dispatcher::Deliver(store::StoredMessage& message) {
  const auto& m = message.message;
  providers::Provider* provider = providers_(m.service_phone);
  if (provider != nullptr) {
    // Rate limits and the circuit breaker may say "not now": give the message back unsent.
    const auto steady_now = FlowControl::Clock::now();
    if (auto wait = flow_.Admit(message.id, m.service_phone, m.customer_phone, steady_now)) {
      const auto wait_ms = std::chrono::ceil<std::chrono::milliseconds>(*wait).count();
      auto released = store_.Release(message.id, owner_, util::NowUnixMillis() + wait_ms);
      if (!released) {
        spdlog::error("dispatch: giving back {} failed: {}", message.id, released.error().detail);
      }
      return;
    }
  }
  providers::SendOutcome outcome;
  if (provider == nullptr) {
    outcome.kind = providers::SendOutcome::Kind::kRejected;
    outcome.error_code = "no_provider";
    outcome.error_message =
        "servicePhoneNumber: no provider is configured for this business number any more";
  } else {
    outcome = provider->Send(message.id, m);
    flow_.Report(m.service_phone, outcome, FlowControl::Clock::now());
  }

  const std::int64_t now = util::NowUnixMillis();
  AttemptResult result;
  core::Result<void> recorded;
  switch (outcome.kind) {
    case providers::SendOutcome::Kind::kAccepted:
      recorded =
          store_.MarkAccepted(message.id, owner_, outcome.provider_message_id, outcome.wa_id, now);
      result.status = "accepted";
      result.provider_message_id = outcome.provider_message_id;
      break;
    case providers::SendOutcome::Kind::kRejected:
      recorded =
          store_.MarkFailed(message.id, owner_, outcome.error_code, outcome.error_message, now);
      result.status = "failed";
      break;
    case providers::SendOutcome::Kind::kRetryLater: {
      const std::int64_t next = now + BackoffMillis(message.attempts, outcome.retry_after);
      const std::int64_t age_at_next = next - message.created_at_ms;
      if (message.attempts >= MaxAttempts(message.domain) ||
          age_at_next > MaxAge(message.domain).count()) {
        outcome.error_message = "gave up after " + std::to_string(message.attempts) +
                                (message.attempts == 1 ? " attempt" : " attempts") + " over " +
                                HumanDuration(now - message.created_at_ms) +
                                ": last error: " + outcome.error_message;
        recorded =
            store_.MarkFailed(message.id, owner_, outcome.error_code, outcome.error_message, now);
        result.status = "failed";
      } else {
        recorded = store_.Reschedule(message.id, owner_, next, outcome.error_code,
                                     outcome.error_message, now);
        result.status = "queued";
      }
      break;
    }
  }
  result.error_code = outcome.error_code;
  result.error_message = outcome.error_message;
  if (!recorded) {
    // The outcome is not durable, so nobody may be told it: the lease expires and the
    // message is attempted again (the duplicate window documented in docs/reliability.md).
    spdlog::error("dispatch: recording the outcome of {} failed: {}", message.id,
                  recorded.error().detail);
    result = AttemptResult{"queued", "", "", "the outcome could not be stored yet"};
  }
  spdlog::info("dispatch: message {} to {} attempt {}: {}{}{}", message.id,
               obs::MaskPhone(m.customer_phone), message.attempts, result.status,
               result.error_message.empty() ? "" : ": ", result.error_message);
  Tell(message.id, result);
}

}  // namespace socialgate::dispatch
