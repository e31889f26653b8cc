// File: auth/failure_limiter.hpp
//
// Slows and then refuses repeated failed logins. Failures are counted per key (a client
// address, a user, a user from one address) and forgotten steadily: one failure every
// `forget_every` (a leaky bucket), so counts decay with time whether or not a success ever
// comes. Once a key counts `threshold` failures it is locked: refused with 429 for
// `first_lock`, doubling with each further failure, at most `max_lock`. Locks always end.
//
// Thread safety: all methods may be called from many threads at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace socialgate::auth {

class FailureLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  FailureLimiter(int threshold, std::chrono::milliseconds forget_every,
                 std::chrono::milliseconds max_lock,
                 std::chrono::milliseconds first_lock = std::chrono::seconds(1),
                 std::size_t max_keys = 100'000);

  // When `key` is locked, how long until it is not.
  std::optional<std::chrono::milliseconds> Locked(const std::string& key, Clock::time_point now);

  // Counts a failure; returns the failures `key` counts now (after the decay), this one
  // included.
  int RecordFailure(const std::string& key, Clock::time_point now);

  // A success forgets the key's failures.
  void RecordSuccess(const std::string& key);

  // Keys remembered now (at most max_keys).
  std::size_t KeyCount();

  // The failures `key` counts at `now`, after the decay: a failure counts until it is wholly
  // forgotten.
  int Failures(const std::string& key, Clock::time_point now);

 private:
  struct Entry {
    double failures = 0;          // as of `updated`
    Clock::time_point updated{};  // when `failures` was last brought up to date
    Clock::time_point locked_until{};
  };
  // `e.failures` as of `now`. REQUIRES: mutex_ held.
  double Decayed(const Entry& e, Clock::time_point now) const;

  const int threshold_;
  const std::chrono::milliseconds forget_every_;
  const std::chrono::milliseconds max_lock_;
  const std::chrono::milliseconds first_lock_;
  const std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace socialgate::auth
