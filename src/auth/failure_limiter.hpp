// File: auth/failure_limiter.hpp
//
// Slows and then refuses repeated failed logins. Failures are counted per key (a client
// address, a user, a user from one address) and forgotten after a quiet `window`. Once a key
// has `threshold` failures it is locked: refused with 429 for `first_lock`, doubling with each
// further failure, at most `max_lock`. Locks always end, so a user locked out by someone guessing
// from one address can still get in from another once the short per-user lock has passed.
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

  FailureLimiter(int threshold, std::chrono::seconds window, std::chrono::seconds max_lock,
                 std::chrono::milliseconds first_lock = std::chrono::seconds(1),
                 std::size_t max_keys = 100'000);

  // When `key` is locked, how long until it is not.
  std::optional<std::chrono::milliseconds> Locked(const std::string& key, Clock::time_point now);

  // Counts a failure; returns the failures counted for `key` in the current window.
  int RecordFailure(const std::string& key, Clock::time_point now);

  // A success forgets the key's failures.
  void RecordSuccess(const std::string& key);

 private:
  struct Entry {
    int failures = 0;
    Clock::time_point last_failure{};
    Clock::time_point locked_until{};
  };

  const int threshold_;
  const std::chrono::seconds window_;
  const std::chrono::seconds max_lock_;
  const std::chrono::milliseconds first_lock_;
  const std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace socialgate::auth
