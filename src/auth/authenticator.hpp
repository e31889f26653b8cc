// File: auth/authenticator.hpp
//
// Checks the credentials of a request against one domain's users (HTTP Basic, CTLive's first
// mechanism). A credential of one domain never authenticates on another: users are looked up
// in the path's domain only.
//
// argon2id verification costs tens of milliseconds by design, so a successful check is
// remembered for a few minutes as a keyed BLAKE2b digest of (domain, user, password) under a
// random per-process key: memory holds no password, and a wrong password never matches a
// remembered digest. Failed checks are never cached.
//
// Thread safety: Authenticate may be called from many threads at once. It blocks (argon2id):
// call it from a worker thread, not an I/O thread.
#pragma once

#include <array>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "config/config.hpp"
#include "core/error.hpp"

namespace socialgate::auth {

struct Principal {
  std::string domain;
  std::string user;
};

class Authenticator {
 public:
  explicit Authenticator(std::chrono::seconds cache_ttl = std::chrono::minutes(5));

  // `authorization` is the Authorization header's value ("" when absent). kUnauthenticated
  // with a message that says what is wrong, without saying whether the user exists.
  core::Result<Principal> Authenticate(const config::Domain& domain,
                                       std::string_view authorization);

 private:
  using Digest = std::array<unsigned char, 32>;
  Digest Key(std::string_view domain, std::string_view user, std::string_view password) const;
  bool Remembered(const Digest& digest);
  void Remember(const Digest& digest);

  std::array<unsigned char, 32> cache_key_{};
  const std::chrono::seconds cache_ttl_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> cache_;
  std::string dummy_hash_;  // verified against for unknown users, so timing does not tell
};

}  // namespace socialgate::auth
