// File: auth/credential_checks.hpp
//
// The slow credential checks (argon2id: tens of milliseconds of CPU and 64 MiB each, by design)
// on their own bounded pool of threads, so that a flood of wrong passwords delays only other
// such checks: never a request whose credentials were verified before, nor one that needs no
// check. The same credentials checked while a check of them is under way wait for its answer
// instead of starting another. Beyond `max_waiting` distinct checks queued, new ones are
// refused at once (kUnavailable) rather than queued without end.
//
// Thread safety: all methods may be called from many threads at once. `done` is called exactly
// once: on the calling thread when the answer needs no check, otherwise on a pool thread; it
// must not block for long.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/authenticator.hpp"
#include "util/work_pool.hpp"

namespace socialgate::auth {

class CredentialChecks {
 public:
  using Done = std::function<void(core::Result<Principal>)>;

  // `authenticator` must outlive this.
  CredentialChecks(Authenticator& authenticator, std::size_t threads, std::size_t max_waiting);
  ~CredentialChecks();
  CredentialChecks(const CredentialChecks&) = delete;
  CredentialChecks& operator=(const CredentialChecks&) = delete;

  // Basic or Bearer credentials (the Authorization header).
  void CheckAuthorization(const config::Domain& domain, std::string authorization, Done done);

  // A user name and password (the login endpoint's body).
  void CheckPassword(const config::Domain& domain, std::string user, std::string password,
                     Done done);

  // Finishes the checks already queued (their `done` is called), then stops the threads. Later
  // checks are refused with kUnavailable.
  void Shutdown();

  // Checks run on the pool since start (each answers everyone who waited for it).
  std::uint64_t ChecksRun() const { return checks_run_.load(std::memory_order_relaxed); }

 private:
  // Runs `check` on the pool unless the same fingerprint is being checked; then `done` joins
  // the waiters for that answer.
  void Run(const std::string& fingerprint, std::function<core::Result<Principal>()> check,
           Done done);
  // Removes and returns everyone waiting for `fingerprint`'s answer.
  std::vector<Done> TakeWaiters(const std::string& fingerprint);

  Authenticator& authenticator_;
  const std::size_t max_waiting_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::vector<Done>> waiting_;  // by fingerprint
  std::atomic<std::uint64_t> checks_run_{0};
  util::WorkPool pool_;
};

}  // namespace socialgate::auth
