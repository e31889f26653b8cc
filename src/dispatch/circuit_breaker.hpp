// File: dispatch/circuit_breaker.hpp
//
// Stops hammering a provider that is down. After `failure_threshold` consecutive failures that
// say "the provider is unwell" (timeouts, refused connections, 5xx), the circuit opens: no
// message is sent to that provider for a cool-down, which doubles on each failed probe up to
// `max_cooldown`. When the cool-down ends, one probe is let through (half-open); its success
// closes the circuit, its failure opens it again.
//
// Thread safety: all methods may be called from many threads at once.
#pragma once

#include <chrono>
#include <mutex>

namespace socialgate::dispatch {

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;

  CircuitBreaker(int failure_threshold, std::chrono::milliseconds cooldown,
                 std::chrono::milliseconds max_cooldown);

  // May a send go to the provider now? In the half-open state only one caller gets true until
  // it reports back, and `probe` (when given) says it is that caller. When false, `retry_at`
  // says when to ask again.
  bool Allow(Clock::time_point now, Clock::time_point* retry_at, bool* probe = nullptr);

  // The provider answered (accepted or rejected a message): it is up.
  void RecordSuccess();
  // The provider did not answer usefully (see the file comment).
  void RecordFailure(Clock::time_point now);
  // The caller got Allow() == true but did not send after all.
  void Abandon();

  bool open(Clock::time_point now);

 private:
  const int failure_threshold_;
  const std::chrono::milliseconds base_cooldown_;
  const std::chrono::milliseconds max_cooldown_;
  std::mutex mutex_;
  int consecutive_failures_ = 0;
  std::chrono::milliseconds cooldown_;
  Clock::time_point open_until_{};
  bool is_open_ = false;
  bool probe_in_flight_ = false;
};

}  // namespace socialgate::dispatch
