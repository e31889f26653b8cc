#include "auth/authenticator.hpp"

#include <vector>

#include <sodium.h>

#include "auth/password.hpp"

namespace socialgate::auth {
namespace {

constexpr std::size_t kMaxCacheEntries = 10'000;
constexpr std::size_t kMaxCredentialBytes = 1024;

core::Error Unauthenticated(std::string message) {
  return core::Error{core::ErrorCode::kUnauthenticated, std::move(message), {}};
}

bool StartsWithCaseInsensitive(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

Authenticator::Authenticator(std::chrono::seconds cache_ttl) : cache_ttl_(cache_ttl) {
  if (sodium_init() < 0) dummy_hash_.clear();  // HashSecret below reports the failure
  randombytes_buf(cache_key_.data(), cache_key_.size());
  auto dummy = HashSecret("socialgate-unknown-user");
  if (dummy) dummy_hash_ = *dummy;
}

Authenticator::Digest Authenticator::Key(std::string_view domain, std::string_view user,
                                         std::string_view password) const {
  Digest out{};
  crypto_generichash_state st;
  crypto_generichash_init(&st, cache_key_.data(), cache_key_.size(), out.size());
  // Length-prefix each part so ("ab","c") and ("a","bc") differ.
  for (std::string_view part : {domain, user, password}) {
    const auto len = static_cast<std::uint64_t>(part.size());
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(&len), sizeof(len));
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(part.data()),
                              part.size());
  }
  crypto_generichash_final(&st, out.data(), out.size());
  return out;
}

bool Authenticator::Remembered(const Digest& digest) {
  const std::string key(digest.begin(), digest.end());
  std::lock_guard lock(mutex_);
  auto it = cache_.find(key);
  if (it == cache_.end()) return false;
  if (it->second < std::chrono::steady_clock::now()) {
    cache_.erase(it);
    return false;
  }
  return true;
}

void Authenticator::Remember(const Digest& digest) {
  const std::string key(digest.begin(), digest.end());
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  if (cache_.size() >= kMaxCacheEntries) {
    std::erase_if(cache_, [&](const auto& e) { return e.second < now; });
    if (cache_.size() >= kMaxCacheEntries) cache_.clear();
  }
  cache_[key] = now + cache_ttl_;
}

core::Result<Principal> Authenticator::Authenticate(const config::Domain& domain,
                                                    std::string_view authorization) {
  if (authorization.empty()) {
    return tl::unexpected(Unauthenticated("authentication is required (HTTP Basic)"));
  }
  if (!StartsWithCaseInsensitive(authorization, "basic ")) {
    return tl::unexpected(Unauthenticated("Authorization: only the Basic scheme is supported"));
  }
  std::string_view encoded = authorization.substr(6);
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  while (!encoded.empty() && encoded.back() == ' ') encoded.remove_suffix(1);
  if (encoded.size() > kMaxCredentialBytes) {
    return tl::unexpected(Unauthenticated("Authorization: credentials are too long"));
  }
  std::vector<unsigned char> decoded(encoded.size());
  std::size_t decoded_len = 0;
  if (sodium_base642bin(decoded.data(), decoded.size(), encoded.data(), encoded.size(), nullptr,
                        &decoded_len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return tl::unexpected(Unauthenticated("Authorization: Basic credentials are not valid base64"));
  }
  const std::string_view pair(reinterpret_cast<const char*>(decoded.data()), decoded_len);
  const auto colon = pair.find(':');
  if (colon == std::string_view::npos) {
    return tl::unexpected(
        Unauthenticated("Authorization: Basic credentials must be user:password"));
  }
  const std::string_view user = pair.substr(0, colon);
  const std::string_view password = pair.substr(colon + 1);

  const config::User* found = nullptr;
  for (const auto& u : domain.users) {
    if (u.name == user) found = &u;
  }
  const Digest digest = Key(domain.name, user, password);
  if (found != nullptr && Remembered(digest)) return Principal{domain.name, std::string(user)};

  // Verify against a dummy hash for unknown users, so the answer takes as long either way.
  const bool ok = found != nullptr ? VerifySecret(found->password_hash, password)
                                   : (VerifySecret(dummy_hash_, password), false);
  if (!ok) {
    return tl::unexpected(Unauthenticated("wrong user name or password for this domain"));
  }
  Remember(digest);
  return Principal{domain.name, std::string(user)};
}

}  // namespace socialgate::auth
