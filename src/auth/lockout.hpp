// File: auth/lockout.hpp
//
// Who may try credentials now. Failed attempts are counted, and decay with time (see
// FailureLimiter), per client address, per user at one address, and per user across every
// address that has never succeeded for that user. Past each count's threshold the key is
// refused with 429 for a while.
//
// The user's own lock (someone guessing one user's password from many addresses) applies only
// at addresses that user has never logged in from. An address where the user has
// authenticated before is trusted for that user for kTrustFor after its last success; trust is
// kept in the store, so it holds across restarts. So a guesser spread over many addresses
// cannot keep a user out of the places the user works from, while a guesser at one address
// meets that address's own locks. Session tokens (256 random bits) are not guessed: requests
// that carry one name no user and meet only their address's lock.
//
// Thread safety: all methods may be called from many threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/failure_limiter.hpp"
#include "core/error.hpp"
#include "store/trusted_addresses.hpp"

namespace socialgate::auth {

class Lockout {
 public:
  using Clock = std::chrono::steady_clock;

  static constexpr std::chrono::hours kTrustFor{24 * 30};
  // A trusted address's last success is written again at most this often.
  static constexpr std::chrono::hours kTrustRefresh{24};
  static constexpr std::size_t kMaxTrusted = 100'000;

  // One attempt: the domain, the user it names ("" when none: a session, an API token) and the
  // client's address.
  struct Attempt {
    std::string_view domain;
    std::string_view user;
    std::string_view address;
  };

  // What Failed found.
  struct Failure {
    int failures = 0;     // the highest count among the attempt's keys, for the 401's delay
    bool locked = false;  // one of its keys is locked now
  };

  // `store` keeps trusted addresses across restarts; nullptr keeps them in memory only.
  explicit Lockout(store::TrustedAddresses* store);

  // Reads the trusted addresses from the store (at start).
  core::Result<void> Load(std::int64_t now_unix_ms);

  // How long `attempt` is refused, when it is.
  std::optional<std::chrono::milliseconds> Refused(const Attempt& attempt, Clock::time_point now,
                                                   std::int64_t now_unix_ms);

  // Counts a failed attempt.
  Failure Failed(const Attempt& attempt, Clock::time_point now, std::int64_t now_unix_ms);

  // A success: forgets the user's failures at that address and trusts the address for the
  // user. The user's count across addresses is left to decay: a success elsewhere must not
  // reopen the door to a guesser.
  void Succeeded(const Attempt& attempt, std::int64_t now_unix_ms);

  // Whether `attempt.user` has succeeded from `attempt.address` within kTrustFor.
  bool Trusted(const Attempt& attempt, std::int64_t now_unix_ms);

 private:
  static std::string TrustKey(const Attempt& attempt);

  store::TrustedAddresses* const store_;
  // A guesser from one address is locked longest, and so is a guesser of one user at one
  // address. Every first lock outlasts the 401 delay at its threshold (750 ms at 5 failures,
  // 2 s at 20), so a client that waits for each answer does meet the lock.
  FailureLimiter by_address_{20, std::chrono::seconds(30), std::chrono::minutes(15),
                             std::chrono::seconds(5)};
  FailureLimiter by_user_at_address_{5, std::chrono::minutes(1), std::chrono::minutes(15),
                                     std::chrono::seconds(3)};
  // Failures at addresses the user has never succeeded from.
  FailureLimiter by_user_{20, std::chrono::seconds(30), std::chrono::minutes(15),
                          std::chrono::seconds(5)};
  std::mutex mutex_;
  std::unordered_map<std::string, std::int64_t> trusted_;  // TrustKey -> last success, Unix ms
};

}  // namespace socialgate::auth
