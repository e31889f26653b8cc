#include "auth/password.hpp"

#include <array>

#include <sodium.h>

namespace socialgate::auth {

core::Result<std::string> HashSecret(std::string_view secret) {
  if (sodium_init() < 0) {
    return core::MakeError(core::ErrorCode::kInternal, "libsodium could not be initialised");
  }
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), secret.data(), secret.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return core::MakeError(core::ErrorCode::kInternal, "hashing ran out of memory");
  }
  return std::string(out.data());
}

bool VerifySecret(const std::string& hash, std::string_view secret) {
  return crypto_pwhash_str_verify(hash.c_str(), secret.data(), secret.size()) == 0;
}

}  // namespace socialgate::auth
