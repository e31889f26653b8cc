// File: auth/authenticator.hpp
//
// CTLive's four authentication mechanisms, each checked against one domain only (a credential
// of one domain never authenticates on another):
//   1. Authorization: Basic <user:password>      a user of the domain (argon2id hash)
//   2. Authorization: Bearer <token>             the domain's API token (CTLive's ct7Token)
//   3. ctlivetoken: <session token>              a session from POST .../login
//   4. ?ctlivetoken=<session token>              the same, as a query parameter
// Precedence: the Authorization header if present, else the ctlivetoken header, else the
// query parameter.
//
// argon2id costs tens of milliseconds by design, so a successful check of a password or API
// token is remembered for a few minutes as a keyed BLAKE2b digest under a random per-process
// key: memory holds no secret, and a wrong secret never matches a remembered digest. Session
// tokens are 256-bit random values; the store keeps only their SHA-256.
//
// Thread safety: all methods may be called from many threads at once. They block (argon2id,
// the store): call them from a worker thread, not an I/O thread; AuthenticateRemembered alone
// never blocks.
#pragma once

#include <array>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.hpp"
#include "core/error.hpp"
#include "store/sessions.hpp"
#include "util/clock.hpp"

namespace socialgate::auth {

// How a principal authenticated. Login wants a user's password (Basic), logout a session token.
enum class Mechanism {
  kBasic,    // a user's name and password: Authorization: Basic, or the login's JSON body
  kBearer,   // the domain's API token
  kSession,  // a session token (ctlivetoken header or query parameter)
};

struct Principal {
  std::string domain;
  std::string user;  // the user's name, or "api-token" for the domain's bearer token
  Mechanism mechanism = Mechanism::kBasic;
  std::vector<std::string> numbers;  // business numbers it may send from; empty: all

  bool MaySendFrom(const std::string& phone) const;
};

// What a request carries.
struct Credentials {
  std::string_view authorization;  // the Authorization header, "" when absent
  std::string_view session_token;  // ctlivetoken header, else query parameter; "" when absent
};

struct IssuedSession {
  std::string token;
  std::int64_t expires_at_ms = 0;
};

class Authenticator {
 public:
  // `sessions` and `clock` must outlive the authenticator.
  explicit Authenticator(store::Sessions& sessions,
                         std::chrono::seconds cache_ttl = std::chrono::minutes(5),
                         const util::Clock& clock = util::SystemClock());

  // kUnauthenticated with a message that says what is wrong, never whether a user exists;
  // kUnavailable when the session store cannot answer.
  core::Result<Principal> Authenticate(const config::Domain& domain,
                                       const Credentials& credentials);

  // Authenticate's answer when it needs no waiting: Basic or Bearer credentials that succeeded
  // within the cache's lifetime. nullopt for anything else (a secret to verify with argon2id, a
  // session to look up, credentials that fail): ask Authenticate, from a worker thread.
  std::optional<Principal> AuthenticateRemembered(const config::Domain& domain,
                                                  std::string_view authorization);

  // A user's name and password (the login endpoint).
  core::Result<Principal> CheckPassword(const config::Domain& domain, std::string_view user,
                                        std::string_view password);

  // Issues a session token for an authenticated user of `domain`.
  core::Result<IssuedSession> Login(const config::Domain& domain, const Principal& principal);

  // Revokes a session token; false when it was not a live session.
  core::Result<bool> Logout(std::string_view session_token);

  // A keyed digest naming the slow check that `authorization` (Basic or Bearer) asks for:
  // equal fingerprints are the same check with the same answer, so concurrent checks can share
  // one (see CredentialChecks). nullopt when there is nothing slow to check (malformed or
  // oversized credentials, another scheme). Holds no secret: the key is random per process.
  std::optional<std::string> CheckFingerprint(const config::Domain& domain,
                                              std::string_view authorization) const;
  // The same for a user name and password (the login endpoint's JSON body).
  std::string PasswordFingerprint(const config::Domain& domain, std::string_view user,
                                  std::string_view password) const;

  // The user named by Basic credentials ("" if none): for rate limiting failed attempts.
  static std::string BasicUser(std::string_view authorization);

 private:
  using Digest = std::array<unsigned char, 32>;
  // `verifier`: the hash the secret is checked against, so that what was remembered under one
  // configuration is not under another that changed the hash (a reload, app/config_reload.hpp).
  Digest Key(std::string_view domain, std::string_view user, std::string_view secret,
             std::string_view verifier) const;
  // The remembered digest of the domain's API token.
  Digest ApiTokenKey(const config::Domain& domain, std::string_view token) const;
  bool Remembered(const Digest& digest);
  void Remember(const Digest& digest);
  core::Result<Principal> Basic(const config::Domain& domain, std::string_view encoded);
  core::Result<Principal> Bearer(const config::Domain& domain, std::string_view token);
  core::Result<Principal> Session(const config::Domain& domain, std::string_view token);

  store::Sessions& sessions_;
  std::array<unsigned char, 32> cache_key_{};
  const std::chrono::seconds cache_ttl_;
  const util::Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, util::Clock::TimePoint> cache_;
  std::string dummy_hash_;  // verified against for unknown users, so timing does not tell
};

}  // namespace socialgate::auth
