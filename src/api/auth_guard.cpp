#include "api/auth_guard.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>

#include "api/envelope.hpp"
#include "api/query.hpp"
#include "util/ids.hpp"

namespace socialgate::api {

using http::HttpResponse;

AuthGuard::AuthGuard(Dependencies deps) : deps_(deps) {}

std::string AuthGuard::SessionToken(const http::HttpRequest& request) {
  std::string token(request.Header("ctlivetoken"));
  if (token.empty()) token = QueryParameter(request.query, "ctlivetoken");
  return token;
}

std::optional<HttpResponse> AuthGuard::Refused(const auth::Lockout::Attempt& attempt) {
  const auto wait =
      deps_.lockout->Refused(attempt, std::chrono::steady_clock::now(), util::NowUnixMillis());
  if (!wait) return std::nullopt;
  const auto seconds = std::max<std::int64_t>(1, (wait->count() + 999) / 1000);
  deps_.events->Record(obs::SecurityEvent::kLockedOut, attempt.address, attempt.user,
                       "refused while locked, for " + std::to_string(seconds) + " s more");
  HttpResponse r = http::JsonError(429, "too many failed authentication attempts; try again in " +
                                            std::to_string(seconds) + " s");
  r.headers.emplace_back("Retry-After", std::to_string(seconds));
  return r;
}

void AuthGuard::Authenticate(const config::Domain& domain, const http::HttpRequest& head,
                             Done done) {
  const std::string authorization(head.Header("authorization"));
  const std::string user = auth::Authenticator::BasicUser(authorization);
  const std::string& address = head.remote_address;
  if (auto refused = Refused({domain.name, user, address})) {
    return done(AuthVerdict{std::nullopt, std::move(*refused)});
  }
  const config::Domain* d = &domain;  // the config outlives every request
  auto conclude = [this, d, user, address, done](core::Result<auth::Principal> result) {
    Conclude(*d, user, address, std::move(result), done);
  };
  if (!authorization.empty()) {
    // Remembered credentials answer at once; argon2id checks run on the credential pool.
    return deps_.checks->CheckAuthorization(domain, authorization, std::move(conclude));
  }
  std::string token = SessionToken(head);
  if (token.empty()) {
    return conclude(deps_.authenticator->Authenticate(domain, {{}, {}}));
  }
  // A session is a store look-up: on a request worker, never an I/O thread.
  auto look_up = [this, d, token = std::move(token), conclude]() mutable {
    conclude(deps_.authenticator->Authenticate(*d, {{}, token}));
  };
  auto shared = std::make_shared<decltype(look_up)>(std::move(look_up));
  if (!deps_.workers->Submit([shared] { (*shared)(); })) {
    conclude(core::MakeError(core::ErrorCode::kUnavailable,
                             "the gateway is shutting down, try again shortly"));
  }
}

void AuthGuard::CheckPassword(const config::Domain& domain, const http::HttpRequest& request,
                              std::string user, std::string password, Done done) {
  const std::string address = request.remote_address;
  if (auto refused = Refused({domain.name, user, address})) {
    return done(AuthVerdict{std::nullopt, std::move(*refused)});
  }
  const config::Domain* d = &domain;
  deps_.checks->CheckPassword(domain, user, std::move(password),
                              [this, d, user, address, done](core::Result<auth::Principal> result) {
                                Conclude(*d, user, address, std::move(result), done);
                              });
}

void AuthGuard::Conclude(const config::Domain& domain, const std::string& user,
                         const std::string& address, core::Result<auth::Principal> result,
                         const Done& done) {
  const auth::Lockout::Attempt attempt{domain.name, user, address};
  if (result) {
    deps_.lockout->Succeeded(attempt, util::NowUnixMillis());
    return done(AuthVerdict{std::move(*result), {}});
  }
  if (result.error().code != core::ErrorCode::kUnauthenticated) {
    // Not a verdict on the credentials (the session store is unavailable, too many checks
    // waiting): nothing is counted against anyone.
    HttpResponse r = ErrorResponse(result.error());
    if (r.status == 503) r.headers.emplace_back("Retry-After", "1");
    return done(AuthVerdict{std::nullopt, std::move(r)});
  }
  const auto failure =
      deps_.lockout->Failed(attempt, std::chrono::steady_clock::now(), util::NowUnixMillis());
  deps_.events->Record(obs::SecurityEvent::kAuthFailed, address, user, result.error().message);
  if (failure.locked) {
    deps_.events->Record(obs::SecurityEvent::kLockStarted, address, user,
                         "locked after " + std::to_string(failure.failures) + " failures");
  }
  HttpResponse r = ErrorResponse(result.error());
  r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"socialgate\", charset=\"UTF-8\"");
  // Slow down a guesser before the lock: from the third failure on, the answer waits.
  if (failure.failures < 3) return done(AuthVerdict{std::nullopt, std::move(r)});
  const auto delay = std::chrono::milliseconds(std::min(2000, 250 * (failure.failures - 2)));
  deps_.timers->Schedule(delay, [done, r = std::move(r)] { done(AuthVerdict{std::nullopt, r}); });
}

}  // namespace socialgate::api
