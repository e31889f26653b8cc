#include "dispatch/circuit_breaker.hpp"

#include <algorithm>

namespace socialgate::dispatch {

CircuitBreaker::CircuitBreaker(int failure_threshold, std::chrono::milliseconds cooldown,
                               std::chrono::milliseconds max_cooldown)
    : failure_threshold_(std::max(1, failure_threshold)),
      base_cooldown_(cooldown),
      max_cooldown_(std::max(cooldown, max_cooldown)),
      cooldown_(cooldown) {}

bool CircuitBreaker::Allow(Clock::time_point now, Clock::time_point* retry_at, bool* probe) {
  std::lock_guard lock(mutex_);
  if (probe != nullptr) *probe = false;
  if (!is_open_) return true;
  if (now < open_until_ || probe_in_flight_) {
    // While a probe is out, others wait a moment and ask again.
    if (retry_at != nullptr) {
      *retry_at = now < open_until_ ? open_until_ : now + std::chrono::milliseconds(200);
    }
    return false;
  }
  probe_in_flight_ = true;  // half-open: this caller is the probe
  if (probe != nullptr) *probe = true;
  return true;
}

void CircuitBreaker::RecordSuccess() {
  std::lock_guard lock(mutex_);
  consecutive_failures_ = 0;
  is_open_ = false;
  probe_in_flight_ = false;
  cooldown_ = base_cooldown_;
}

void CircuitBreaker::RecordFailure(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  ++consecutive_failures_;
  if (is_open_ && probe_in_flight_) {
    // The probe failed: stay open, and wait longer before the next one.
    probe_in_flight_ = false;
    cooldown_ = std::min(max_cooldown_, cooldown_ * 2);
    open_until_ = now + cooldown_;
    return;
  }
  if (!is_open_ && consecutive_failures_ >= failure_threshold_) {
    is_open_ = true;
    open_until_ = now + cooldown_;
  }
}

void CircuitBreaker::Abandon() {
  std::lock_guard lock(mutex_);
  probe_in_flight_ = false;
}

bool CircuitBreaker::open(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  return is_open_ && (now < open_until_ || probe_in_flight_);
}

}  // namespace socialgate::dispatch
