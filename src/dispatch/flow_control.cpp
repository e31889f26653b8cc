#include "dispatch/flow_control.hpp"

#include <algorithm>

namespace socialgate::dispatch {
namespace {

constexpr std::size_t kMaxPrepaid = 100'000;
constexpr auto kCleanupEvery = std::chrono::seconds(30);

std::string PairKey(const std::string& number, const std::string& customer) {
  return number + "/" + customer;
}

}  // namespace

FlowControl::FlowControl(const config::Config& config, Clock::time_point start)
    : settings_(config.dispatch), next_cleanup_(start + kCleanupEvery) {
  const auto now = start;
  for (const auto& domain : config.domains) {
    for (const auto& n : domain.numbers) {
      numbers_.emplace(n.phone, std::make_unique<Number>(n.messages_per_second, settings_, now));
    }
  }
}

void FlowControl::SetNumbers(const config::Config& config, Clock::time_point now) {
  std::unique_lock lock(numbers_mutex_);
  std::map<std::string, std::unique_ptr<Number>, std::less<>> next;
  for (const auto& domain : config.domains) {
    for (const auto& n : domain.numbers) {
      if (next.count(n.phone) != 0) continue;
      auto it = numbers_.find(n.phone);
      const bool same_rate = it != numbers_.end() &&
                             it->second->per_second == PerSecondFor(n.messages_per_second) &&
                             it->second->window == RateWindowFor(n.messages_per_second);
      if (same_rate) {
        next.emplace(n.phone, std::move(it->second));
        numbers_.erase(it);
      } else {
        next.emplace(n.phone, std::make_unique<Number>(n.messages_per_second, settings_, now));
      }
    }
  }
  for (auto& [phone, n] : numbers_) retired_.push_back(std::move(n));
  numbers_.swap(next);
}

FlowControl::Number* FlowControl::Find(const std::string& number) {
  std::shared_lock lock(numbers_mutex_);
  auto it = numbers_.find(number);
  return it == numbers_.end() ? nullptr : it->second.get();
}

std::vector<std::string> FlowControl::ThrottledNumbers(Clock::time_point now,
                                                       Clock::duration booked_beyond,
                                                       Clock::duration* until_change) {
  std::vector<std::string> out;
  Clock::duration soonest = Clock::duration::max();
  std::shared_lock numbers_lock(numbers_mutex_);
  std::lock_guard lock(mutex_);
  for (auto& [phone, n] : numbers_) {
    if (const auto change = UntilUnthrottled(*n, now, booked_beyond)) {
      out.push_back(phone);
      soonest = std::min(soonest, *change);
    }
  }
  if (until_change != nullptr) *until_change = soonest;
  return out;
}

bool FlowControl::Throttled(const std::string& number, Clock::time_point now,
                            Clock::duration booked_beyond) {
  Number* n = Find(number);
  if (n == nullptr) return false;
  std::lock_guard lock(mutex_);
  return UntilUnthrottled(*n, now, booked_beyond).has_value();
}

std::optional<FlowControl::Clock::duration> FlowControl::UntilUnthrottled(
    Number& n, Clock::time_point now, Clock::duration booked_beyond) {
  if (n.breaker.open(now)) return kBreakerRecheck;
  const auto booked = n.bucket.TimeUntilAvailable(now);
  if (booked > booked_beyond) return booked - booked_beyond;
  return std::nullopt;
}

FlowControl::Admission FlowControl::Pace(const std::string& message_id, const std::string& number,
                                         const std::string& customer, Clock::time_point now,
                                         Clock::duration horizon) {
  Number* n = Find(number);
  if (n == nullptr) return {};  // no provider either: the dispatcher fails it
  Clock::time_point retry_at;
  bool probe = false;
  if (!n->breaker.Allow(now, &retry_at, &probe)) return {{}, retry_at - now};

  std::lock_guard lock(mutex_);
  if (now >= next_cleanup_) ForgetIdlePairs(now);
  if (settings_.pair_per_minute > 0 && prepaid_.erase(message_id) == 0) {
    const auto wait = PairBucket(number, customer, now).Reserve(now);
    if (wait > Clock::duration::zero()) {
      if (prepaid_.size() >= kMaxPrepaid) prepaid_.clear();  // worst case: a slot is paid twice
      prepaid_.insert(message_id);
      n->breaker.Abandon();
      return {{}, wait};
    }
  }
  const auto until_slot = n->bucket.TimeUntilAvailable(now);
  if (until_slot > horizon) {
    // The pair slot (if any) stays paid for this message: it goes first when it comes back.
    if (settings_.pair_per_minute > 0) prepaid_.insert(message_id);
    n->breaker.Abandon();
    return {{}, until_slot};
  }
  return {n->bucket.Reserve(now), std::nullopt, probe};
}

bool FlowControl::CircuitOpen(const std::string& number, Clock::time_point now) {
  Number* n = Find(number);
  return n != nullptr && n->breaker.open(now);
}

TokenBucket& FlowControl::PairBucket(const std::string& number, const std::string& customer,
                                     Clock::time_point now) {
  const std::string key = PairKey(number, customer);
  auto it = pairs_.find(key);
  if (it == pairs_.end()) {
    it = pairs_
             .emplace(key, TokenBucket(settings_.pair_per_minute / 60.0,
                                       static_cast<double>(settings_.pair_burst), now))
             .first;
  }
  return it->second;
}

FlowControl::Clock::duration FlowControl::ReservePair(const std::string& message_id,
                                                      const std::string& number,
                                                      const std::string& customer,
                                                      Clock::time_point now) {
  if (settings_.pair_per_minute <= 0 || Find(number) == nullptr) return Clock::duration::zero();
  std::lock_guard lock(mutex_);
  if (now >= next_cleanup_) ForgetIdlePairs(now);
  TokenBucket& pair = PairBucket(number, customer, now);
  // A slot free now is left for Pace to take: only a message that must wait is remembered.
  if (pair.TimeUntilAvailable(now) == Clock::duration::zero()) return Clock::duration::zero();
  const auto wait = pair.Reserve(now);
  if (prepaid_.size() >= kMaxPrepaid) prepaid_.clear();  // worst case: a slot is paid twice
  prepaid_.insert(message_id);
  return wait;
}

void FlowControl::ReleasePair(const std::string& message_id, const std::string& number,
                              const std::string& customer, Clock::time_point now) {
  if (settings_.pair_per_minute <= 0) return;
  std::lock_guard lock(mutex_);
  // Not prepaid: no slot was taken (or the set was cleared at kMaxPrepaid; the slot then stays
  // taken, the worst case being one slot wasted).
  if (prepaid_.erase(message_id) == 0) return;
  // A pair forgotten since was full: nothing to give back.
  if (auto it = pairs_.find(PairKey(number, customer)); it != pairs_.end()) {
    it->second.Unreserve(now);
  }
}

FlowControl::Clock::duration FlowControl::RateWindow(const std::string& number) {
  Number* n = Find(number);
  return n == nullptr ? std::chrono::seconds(1) : n->window;
}

int FlowControl::PerSecond(const std::string& number) {
  Number* n = Find(number);
  return n == nullptr ? 0 : n->per_second;
}

void FlowControl::Report(const std::string& number, const providers::SendOutcome& outcome,
                         Clock::time_point now) {
  Number* n = Find(number);
  if (n == nullptr) return;
  if (outcome.kind == providers::SendOutcome::Kind::kRetryLater && outcome.provider_unwell) {
    n->breaker.RecordFailure(now);
  } else {
    n->breaker.RecordSuccess();
  }
}

void FlowControl::ForgetIdlePairs(Clock::time_point now) {
  // A full bucket is the same as no bucket: forget it, so memory follows active pairs only.
  for (auto it = pairs_.begin(); it != pairs_.end();) {
    it = it->second.Full(now) ? pairs_.erase(it) : std::next(it);
  }
  next_cleanup_ = now + kCleanupEvery;
}

}  // namespace socialgate::dispatch
