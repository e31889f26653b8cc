// File: auth/password.hpp
//
// Secrets at rest: argon2id hashes (libsodium's crypto_pwhash_str, the "interactive" cost) and
// their verification, which libsodium performs in constant time. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace socialgate::auth {

// "$argon2id$v=19$m=65536,t=2,p=1$..." for `secret`. kInternal when out of memory.
core::Result<std::string> HashSecret(std::string_view secret);

// True when `secret` matches `hash`. Deliberately slow (tens of milliseconds).
bool VerifySecret(const std::string& hash, std::string_view secret);

}  // namespace socialgate::auth
