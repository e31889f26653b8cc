#include "auth/credential_checks.hpp"

#include <utility>

namespace socialgate::auth {

CredentialChecks::CredentialChecks(Authenticator& authenticator, std::size_t threads,
                                   std::size_t max_waiting)
    : authenticator_(authenticator),
      max_waiting_(max_waiting),
      pool_(threads == 0 ? 1 : threads, "sg-credentials") {}

CredentialChecks::~CredentialChecks() { Shutdown(); }

void CredentialChecks::Shutdown() { pool_.Shutdown(); }

void CredentialChecks::CheckAuthorization(const config::Domain& domain, std::string authorization,
                                          Done done) {
  if (auto remembered = authenticator_.AuthenticateRemembered(domain, authorization)) {
    return done(std::move(*remembered));
  }
  const auto fingerprint = authenticator_.CheckFingerprint(domain, authorization);
  if (!fingerprint) {
    // Nothing slow to check: malformed, oversized or another scheme; the answer says which.
    return done(authenticator_.Authenticate(domain, {authorization, {}}));
  }
  const config::Domain* d = &domain;  // config outlives every request
  Run(
      *fingerprint,
      [this, d, authorization = std::move(authorization)] {
        return authenticator_.Authenticate(*d, {authorization, {}});
      },
      std::move(done));
}

void CredentialChecks::CheckPassword(const config::Domain& domain, std::string user,
                                     std::string password, Done done) {
  const config::Domain* d = &domain;
  const std::string fingerprint = authenticator_.PasswordFingerprint(domain, user, password);
  Run(
      fingerprint,
      [this, d, user = std::move(user), password = std::move(password)] {
        return authenticator_.CheckPassword(*d, user, password);
      },
      std::move(done));
}

void CredentialChecks::Run(const std::string& fingerprint,
                           std::function<core::Result<Principal>()> check, Done done) {
  bool room = false;
  {
    std::lock_guard lock(mutex_);
    if (auto it = waiting_.find(fingerprint); it != waiting_.end()) {
      it->second.push_back(std::move(done));  // the check under way answers this one too
      return;
    }
    room = waiting_.size() < max_waiting_;
    if (room) waiting_[fingerprint].push_back(std::move(done));
  }
  if (!room) {
    return done(core::MakeError(core::ErrorCode::kUnavailable,
                                "too many credential checks are waiting; try again shortly"));
  }
  const bool queued = pool_.Submit([this, fingerprint, check = std::move(check)] {
    checks_run_.fetch_add(1, std::memory_order_relaxed);
    const core::Result<Principal> answer = check();
    for (auto& waiter : TakeWaiters(fingerprint)) waiter(answer);
  });
  if (queued) return;
  for (auto& waiter : TakeWaiters(fingerprint)) {
    waiter(core::MakeError(core::ErrorCode::kUnavailable,
                           "the gateway is shutting down, try again shortly"));
  }
}

std::vector<CredentialChecks::Done> CredentialChecks::TakeWaiters(const std::string& fingerprint) {
  std::vector<Done> waiters;
  std::lock_guard lock(mutex_);
  if (auto it = waiting_.find(fingerprint); it != waiting_.end()) {
    waiters = std::move(it->second);
    waiting_.erase(it);
  }
  return waiters;
}

}  // namespace socialgate::auth
