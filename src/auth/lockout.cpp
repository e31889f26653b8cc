#include "auth/lockout.hpp"

#include <algorithm>
#include <vector>

#include <spdlog/spdlog.h>

namespace socialgate::auth {
namespace {

constexpr std::int64_t Millis(std::chrono::hours h) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(h).count();
}

std::string AddressKey(const Lockout::Attempt& a) { return "ip:" + std::string(a.address); }

std::string UserKey(const Lockout::Attempt& a) {
  std::string key = "user:";
  key.append(a.domain).append("/").append(a.user);
  return key;
}

std::string UserAtAddressKey(const Lockout::Attempt& a) {
  return UserKey(a) + "@" + std::string(a.address);
}

}  // namespace

Lockout::Lockout(store::TrustedAddresses* store) : store_(store) {}

std::string Lockout::TrustKey(const Attempt& attempt) {
  std::string key;
  key.reserve(attempt.domain.size() + attempt.user.size() + attempt.address.size() + 2);
  // NUL cannot occur in a domain, a user name or an address, so the parts stay apart.
  key.append(attempt.domain).push_back('\0');
  key.append(attempt.user).push_back('\0');
  key.append(attempt.address);
  return key;
}

core::Result<void> Lockout::Load(std::int64_t now_unix_ms) {
  if (store_ == nullptr) return {};
  SG_ASSIGN_OR_RETURN(auto rows, store_->ListTrustedAddresses(now_unix_ms - Millis(kTrustFor),
                                                              static_cast<int>(kMaxTrusted)));
  std::lock_guard lock(mutex_);
  for (const auto& row : rows) {
    trusted_[TrustKey({row.domain, row.user, row.address})] = row.last_success_ms;
  }
  return {};
}

bool Lockout::Trusted(const Attempt& attempt, std::int64_t now_unix_ms) {
  if (attempt.user.empty()) return false;
  std::lock_guard lock(mutex_);
  auto it = trusted_.find(TrustKey(attempt));
  return it != trusted_.end() && it->second >= now_unix_ms - Millis(kTrustFor);
}

std::optional<std::chrono::milliseconds> Lockout::Refused(const Attempt& attempt,
                                                          Clock::time_point now,
                                                          std::int64_t now_unix_ms) {
  std::optional<std::chrono::milliseconds> wait = by_address_.Locked(AddressKey(attempt), now);
  if (attempt.user.empty()) return wait;
  const auto longest = [&wait](std::optional<std::chrono::milliseconds> w) {
    if (w && (!wait || *w > *wait)) wait = w;
  };
  longest(by_user_at_address_.Locked(UserAtAddressKey(attempt), now));
  // Whether the address is trusted matters only while the user's own lock holds (rarely).
  if (auto user_wait = by_user_.Locked(UserKey(attempt), now);
      user_wait && !Trusted(attempt, now_unix_ms)) {
    longest(user_wait);
  }
  return wait;
}

Lockout::Failure Lockout::Failed(const Attempt& attempt, Clock::time_point now,
                                 std::int64_t now_unix_ms) {
  Failure f;
  f.failures = by_address_.RecordFailure(AddressKey(attempt), now);
  if (!attempt.user.empty()) {
    f.failures =
        std::max(f.failures, by_user_at_address_.RecordFailure(UserAtAddressKey(attempt), now));
    // A mistake where the user works is that address's business; only failures elsewhere
    // count against the user everywhere.
    if (!Trusted(attempt, now_unix_ms)) by_user_.RecordFailure(UserKey(attempt), now);
  }
  f.locked = Refused(attempt, now, now_unix_ms).has_value();
  return f;
}

void Lockout::Succeeded(const Attempt& attempt, std::int64_t now_unix_ms) {
  if (attempt.user.empty()) return;
  by_user_at_address_.RecordSuccess(UserAtAddressKey(attempt));
  const std::string key = TrustKey(attempt);
  {
    std::lock_guard lock(mutex_);
    auto it = trusted_.find(key);
    if (it != trusted_.end() && it->second >= now_unix_ms - Millis(kTrustRefresh)) return;
    if (it == trusted_.end() && trusted_.size() >= kMaxTrusted) {
      // Full: forget what has expired, then the oldest half.
      std::erase_if(trusted_,
                    [&](const auto& e) { return e.second < now_unix_ms - Millis(kTrustFor); });
      if (trusted_.size() >= kMaxTrusted) {
        std::vector<std::int64_t> times;
        times.reserve(trusted_.size());
        for (const auto& e : trusted_) times.push_back(e.second);
        std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
        const std::int64_t median = times[times.size() / 2];
        std::erase_if(trusted_, [&](const auto& e) { return e.second < median; });
      }
    }
    trusted_[key] = now_unix_ms;
  }
  if (store_ == nullptr) return;
  store_->SaveTrustedAddressAsync(
      store::TrustedAddress{std::string(attempt.domain), std::string(attempt.user),
                            std::string(attempt.address), now_unix_ms},
      now_unix_ms - Millis(kTrustFor), [](core::Result<void> saved) {
        // Only the trust after a restart is lost: the user logs in as before.
        if (!saved) spdlog::warn("auth: a trusted address was not saved: {}", saved.error().detail);
      });
}

}  // namespace socialgate::auth
