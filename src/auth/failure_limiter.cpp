#include "auth/failure_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace socialgate::auth {

FailureLimiter::FailureLimiter(int threshold, std::chrono::milliseconds forget_every,
                               std::chrono::milliseconds max_lock,
                               std::chrono::milliseconds first_lock, std::size_t max_keys)
    : threshold_(std::max(1, threshold)),
      forget_every_(std::max(forget_every, std::chrono::milliseconds(1))),
      max_lock_(max_lock),
      first_lock_(first_lock),
      max_keys_(max_keys) {}

double FailureLimiter::Decayed(const Entry& e, Clock::time_point now) const {
  if (now <= e.updated) return e.failures;
  const double forgotten =
      std::chrono::duration<double>(now - e.updated) / std::chrono::duration<double>(forget_every_);
  return std::max(0.0, e.failures - forgotten);
}

std::optional<std::chrono::milliseconds> FailureLimiter::Locked(const std::string& key,
                                                                Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.locked_until <= now) return std::nullopt;
  return std::chrono::ceil<std::chrono::milliseconds>(it->second.locked_until - now);
}

int FailureLimiter::RecordFailure(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (entries_.size() >= max_keys_ && entries_.count(key) == 0) {
    // Forget keys whose failures have decayed away first; under a flood of distinct keys,
    // start over rather than grow.
    std::erase_if(entries_, [&](const auto& e) {
      return Decayed(e.second, now) < 1.0 && e.second.locked_until <= now;
    });
    if (entries_.size() >= max_keys_) entries_.clear();
  }
  Entry& e = entries_[key];
  e.failures = Decayed(e, now) + 1.0;
  e.updated = now;
  const int failures = static_cast<int>(std::ceil(e.failures));
  if (failures >= threshold_) {
    const int doublings = std::min(failures - threshold_, 20);
    const auto lock_for = std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(first_lock_.count() << doublings), max_lock_);
    e.locked_until = std::max(e.locked_until, now + lock_for);
  }
  return failures;
}

void FailureLimiter::RecordSuccess(const std::string& key) {
  std::lock_guard lock(mutex_);
  entries_.erase(key);
}

std::size_t FailureLimiter::KeyCount() {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

int FailureLimiter::Failures(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return 0;
  return static_cast<int>(std::ceil(Decayed(it->second, now)));
}

}  // namespace socialgate::auth
