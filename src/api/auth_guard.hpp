// File: api/auth_guard.hpp
//
// Authenticates a request from its head alone (before its body is read), for every endpoint
// that needs credentials, and answers the refusals: 429 while the attempt's lockout keys are
// locked (auth::Lockout), 401 for wrong, missing or malformed credentials (later and later as
// failures pile up: from the third, 250 ms more per failure, at most 2 s), 503 when the
// credential checks or the session store cannot answer now. Every refusal is a security event
// (obs::SecurityEvents).
//
// Where each check runs: credentials verified before (the authenticator's digest cache) are
// answered on the calling thread (an I/O thread: it only looks up a digest); Basic and Bearer
// secrets go to the credential pool (auth::CredentialChecks, argon2id); session tokens are
// looked up on the request workers. Nothing that blocks runs on the calling thread.
//
// Thread safety: all methods may be called from many threads at once; `done` is called exactly
// once, from any thread, and must not block.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "auth/authenticator.hpp"
#include "auth/credential_checks.hpp"
#include "auth/lockout.hpp"
#include "config/config.hpp"
#include "http/message.hpp"
#include "obs/security_events.hpp"
#include "util/timer_queue.hpp"
#include "util/work_pool.hpp"

namespace socialgate::api {

// A principal, or the answer that refuses the request.
struct AuthVerdict {
  std::optional<auth::Principal> principal;
  http::HttpResponse refusal;
};

class AuthGuard {
 public:
  struct Dependencies {
    auth::Authenticator* authenticator = nullptr;
    auth::CredentialChecks* checks = nullptr;
    auth::Lockout* lockout = nullptr;
    util::WorkPool* workers = nullptr;   // session look-ups
    util::TimerQueue* timers = nullptr;  // delayed 401s
    obs::SecurityEvents* events = nullptr;
  };
  using Done = std::function<void(AuthVerdict)>;

  explicit AuthGuard(Dependencies deps);

  // The request's Authorization header, else its ctlivetoken header, else its ctlivetoken query
  // parameter, checked for `domain` (see auth::Authenticator).
  void Authenticate(const config::Domain& domain, const http::HttpRequest& head, Done done);

  // A user name and password from the login endpoint's body.
  void CheckPassword(const config::Domain& domain, const http::HttpRequest& request,
                     std::string user, std::string password, Done done);

  // The session token a request carries: its ctlivetoken header, else the query parameter.
  static std::string SessionToken(const http::HttpRequest& request);

 private:
  // The 429 when `attempt` is locked (and the event recorded).
  std::optional<http::HttpResponse> Refused(const auth::Lockout::Attempt& attempt);
  // Turns a check's result into the verdict: success, a delayed 401, or the error's answer.
  void Conclude(const config::Domain& domain, const std::string& user, const std::string& address,
                core::Result<auth::Principal> result, const Done& done);

  Dependencies deps_;
};

}  // namespace socialgate::api
