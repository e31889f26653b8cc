// File: dispatch/retry_policy.hpp
//
// What the outcome of one delivery attempt becomes: the attempt's durable record
// (store::AttemptEnd) and what a listener is told (AttemptResult). Accepted and rejected
// outcomes are final; a passing failure is rescheduled with exponential backoff and full jitter
// (at least the provider's Retry-After) until the domain's max_attempts or max_age would be
// passed, and then fails with a sentence saying how long it was tried and the last error.
//
// Pure: the time is an argument and the randomness a Jitter given at construction; no
// threads, no I/O. Thread safety: as the Jitter's (RandomJitter's is thread-safe).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "dispatch/ack_listeners.hpp"
#include "providers/provider.hpp"
#include "store/records.hpp"

namespace socialgate::dispatch {

struct AttemptDecision {
  store::AttemptEnd end;
  AttemptResult result;
};

class RetryPolicy {
 public:
  // A uniform random integer in [0, ceiling] (ceiling >= 0): the backoff's jitter.
  using Jitter = std::function<std::int64_t(std::int64_t ceiling)>;

  // `config` must outlive the policy: each domain's limits are read from it when needed, its
  // [dispatch] settings once, now.
  RetryPolicy(const config::Config& config, Jitter jitter);

  // The record of `message`'s attempt, by lease owner `owner`, that ended at `now_ms` (Unix ms)
  // with `outcome`.
  AttemptDecision Decide(const store::StoredMessage& message, providers::SendOutcome outcome,
                         const std::string& owner, std::int64_t now_ms) const;

  // The wait before attempt `attempts` + 1: uniform in [0, min(max_backoff, base_backoff *
  // 2^(attempts-1))], and at least `retry_after`.
  std::int64_t BackoffMillis(int attempts,
                             std::optional<std::chrono::milliseconds> retry_after) const;

  // A configuration reload: each domain's limits from `config` from now on ([dispatch] stays as
  // it was at start). REQUIRES: `config` outlives the policy.
  void SetConfig(const config::Config& config) { config_.store(&config); }

  // The domain's limits, falling back to [dispatch].
  int MaxAttempts(const std::string& domain) const;
  std::chrono::milliseconds MaxAge(const std::string& domain) const;

 private:
  std::atomic<const config::Config*> config_;  // each domain's limits; SetConfig replaces it
  const config::DispatchSettings settings_;
  Jitter jitter_;
};

// A thread-safe Jitter drawing from a std::mt19937_64 seeded by std::random_device.
RetryPolicy::Jitter RandomJitter();

// "3 s", "5 min", "24 h": how long a message was tried, for the give-up sentence.
std::string HumanDuration(std::int64_t ms);

}  // namespace socialgate::dispatch
