#include "auth/failure_limiter.hpp"

#include <algorithm>

namespace socialgate::auth {

FailureLimiter::FailureLimiter(int threshold, std::chrono::seconds window,
                               std::chrono::seconds max_lock, std::chrono::milliseconds first_lock,
                               std::size_t max_keys)
    : threshold_(std::max(1, threshold)),
      window_(window),
      max_lock_(max_lock),
      first_lock_(first_lock),
      max_keys_(max_keys) {}

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
    // Forget quiet keys first; under a flood of distinct keys, start over rather than grow.
    std::erase_if(entries_, [&](const auto& e) {
      return now - e.second.last_failure > window_ && e.second.locked_until <= now;
    });
    if (entries_.size() >= max_keys_) entries_.clear();
  }
  Entry& e = entries_[key];
  if (now - e.last_failure > window_) e.failures = 0;
  ++e.failures;
  e.last_failure = now;
  if (e.failures >= threshold_) {
    const int doublings = std::min(e.failures - threshold_, 20);
    const auto lock_for = std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(first_lock_.count() << doublings), max_lock_);
    e.locked_until = now + lock_for;
  }
  return e.failures;
}

void FailureLimiter::RecordSuccess(const std::string& key) {
  std::lock_guard lock(mutex_);
  entries_.erase(key);
}

}  // namespace socialgate::auth
