#include "auth/authenticator.hpp"

#include <algorithm>
#include <vector>

#include <sodium.h>

#include "auth/password.hpp"
#include "core/text.hpp"
#include "util/ids.hpp"
#include "util/sha256.hpp"

namespace socialgate::auth {
namespace {

constexpr std::size_t kMaxCacheEntries = 10'000;
constexpr std::size_t kMaxCredentialBytes = 1024;

core::Error Unauthenticated(std::string message) {
  return core::Error{core::ErrorCode::kUnauthenticated, std::move(message), {}};
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// "user:password" from a Basic credential, or the sentence that says what is wrong with it.
core::Result<std::pair<std::string, std::string>> DecodeBasic(std::string_view encoded) {
  encoded = Trim(encoded);
  if (encoded.size() > kMaxCredentialBytes) {
    return tl::unexpected(Unauthenticated("Authorization: the Basic credentials are longer than " +
                                          std::to_string(kMaxCredentialBytes) + " bytes"));
  }
  std::vector<unsigned char> decoded(encoded.size() + 1);
  std::size_t decoded_len = 0;
  if (encoded.empty() ||
      sodium_base642bin(decoded.data(), decoded.size(), encoded.data(), encoded.size(), nullptr,
                        &decoded_len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return tl::unexpected(
        Unauthenticated("Authorization: Basic credentials must be base64 of user:password"));
  }
  const std::string_view pair(reinterpret_cast<const char*>(decoded.data()), decoded_len);
  const auto colon = pair.find(':');
  if (colon == std::string_view::npos) {
    return tl::unexpected(
        Unauthenticated("Authorization: Basic credentials must be base64 of user:password"));
  }
  return std::make_pair(std::string(pair.substr(0, colon)), std::string(pair.substr(colon + 1)));
}

core::Error BearerTooLong() {
  return Unauthenticated("Authorization: the bearer token is longer than " +
                         std::to_string(kMaxCredentialBytes) + " bytes");
}

const config::User* FindUser(const config::Domain& domain, std::string_view name) {
  for (const auto& u : domain.users) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

// The hash a user's password is checked against; "" for no such user.
std::string_view VerifierOf(const config::User* user) {
  return user == nullptr ? std::string_view() : std::string_view(user->password_hash);
}

}  // namespace

bool Principal::MaySendFrom(const std::string& phone) const {
  return numbers.empty() || std::find(numbers.begin(), numbers.end(), phone) != numbers.end();
}

Authenticator::Authenticator(store::Sessions& sessions, std::chrono::seconds cache_ttl,
                             const util::Clock& clock)
    : sessions_(sessions), cache_ttl_(cache_ttl), clock_(clock) {
  if (sodium_init() < 0) return;  // HashSecret below fails too; every check then fails closed
  randombytes_buf(cache_key_.data(), cache_key_.size());
  auto dummy = HashSecret("socialgate-unknown-user");
  if (dummy) dummy_hash_ = *dummy;
}

Authenticator::Digest Authenticator::Key(std::string_view domain, std::string_view user,
                                         std::string_view secret, std::string_view verifier) const {
  Digest out{};
  crypto_generichash_state st;
  crypto_generichash_init(&st, cache_key_.data(), cache_key_.size(), out.size());
  // Length-prefix each part so ("ab","c") and ("a","bc") differ.
  for (std::string_view part : {domain, user, secret, verifier}) {
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
  if (it->second < clock_.Now()) {
    cache_.erase(it);
    return false;
  }
  return true;
}

void Authenticator::Remember(const Digest& digest) {
  const std::string key(digest.begin(), digest.end());
  const auto now = clock_.Now();
  std::lock_guard lock(mutex_);
  if (cache_.size() >= kMaxCacheEntries) {
    std::erase_if(cache_, [&](const auto& e) { return e.second < now; });
    if (cache_.size() >= kMaxCacheEntries) cache_.clear();
  }
  cache_[key] = now + cache_ttl_;
}

Authenticator::Digest Authenticator::ApiTokenKey(const config::Domain& domain,
                                                 std::string_view token) const {
  // The user part cannot be a user name (those have no NUL), so the cache keys stay apart.
  return Key(domain.name, std::string_view("\0api-token", 10), token, domain.api_token_hash);
}

std::optional<Principal> Authenticator::AuthenticateRemembered(const config::Domain& domain,
                                                               std::string_view authorization) {
  if (core::StartsWithIgnoringAsciiCase(authorization, "basic ")) {
    auto pair = DecodeBasic(authorization.substr(6));
    if (!pair) return std::nullopt;
    const config::User* found = FindUser(domain, pair->first);
    if (found == nullptr ||
        !Remembered(Key(domain.name, pair->first, pair->second, found->password_hash))) {
      return std::nullopt;
    }
    return Principal{domain.name, found->name, Mechanism::kBasic, found->numbers};
  }
  if (core::StartsWithIgnoringAsciiCase(authorization, "bearer ")) {
    const std::string_view token = Trim(authorization.substr(7));
    if (token.empty() || token.size() > kMaxCredentialBytes || domain.api_token_hash.empty() ||
        !Remembered(ApiTokenKey(domain, token))) {
      return std::nullopt;
    }
    return Principal{domain.name, "api-token", Mechanism::kBearer, {}};
  }
  return std::nullopt;
}

core::Result<Principal> Authenticator::CheckPassword(const config::Domain& domain,
                                                     std::string_view user,
                                                     std::string_view password) {
  const config::User* found = FindUser(domain, user);
  const Digest digest = Key(domain.name, user, password, VerifierOf(found));
  bool ok = found != nullptr && Remembered(digest);
  if (!ok) {
    // Verify against a dummy hash for unknown users, so the answer takes as long either way.
    ok = found != nullptr ? VerifySecret(found->password_hash, password)
                          : (VerifySecret(dummy_hash_, password), false);
    if (!ok) return tl::unexpected(Unauthenticated("wrong user name or password for this domain"));
    Remember(digest);
  }
  return Principal{domain.name, std::string(user), Mechanism::kBasic, found->numbers};
}

core::Result<Principal> Authenticator::Basic(const config::Domain& domain,
                                             std::string_view encoded) {
  SG_ASSIGN_OR_RETURN(auto pair, DecodeBasic(encoded));
  return CheckPassword(domain, pair.first, pair.second);
}

core::Result<Principal> Authenticator::Bearer(const config::Domain& domain,
                                              std::string_view token) {
  token = Trim(token);
  if (token.empty()) {
    return tl::unexpected(Unauthenticated("Authorization: the bearer token is missing"));
  }
  if (token.size() > kMaxCredentialBytes) return tl::unexpected(BearerTooLong());
  const Digest digest = ApiTokenKey(domain, token);
  if (!domain.api_token_hash.empty() && Remembered(digest)) {
    return Principal{domain.name, "api-token", Mechanism::kBearer, {}};
  }
  const bool ok = !domain.api_token_hash.empty() ? VerifySecret(domain.api_token_hash, token)
                                                 : (VerifySecret(dummy_hash_, token), false);
  if (!ok) return tl::unexpected(Unauthenticated("Authorization: wrong API token for this domain"));
  Remember(digest);
  return Principal{domain.name, "api-token", Mechanism::kBearer, {}};
}

core::Result<Principal> Authenticator::Session(const config::Domain& domain,
                                               std::string_view token) {
  if (token.size() > kMaxCredentialBytes) {
    return tl::unexpected(Unauthenticated("ctlivetoken: is longer than " +
                                          std::to_string(kMaxCredentialBytes) +
                                          " bytes, so it is not a session token"));
  }
  SG_ASSIGN_OR_RETURN(auto found,
                      sessions_.FindSession(util::Sha256Hex(token), clock_.UnixMillis()));
  // A session of another domain is the same as no session here.
  if (!found || found->domain != domain.name) {
    return tl::unexpected(
        Unauthenticated("ctlivetoken: the session is unknown, expired or logged out"));
  }
  const config::User* user = FindUser(domain, found->user);
  if (user == nullptr) {
    return tl::unexpected(Unauthenticated("ctlivetoken: the session's user no longer exists"));
  }
  return Principal{domain.name, user->name, Mechanism::kSession, user->numbers};
}

core::Result<Principal> Authenticator::Authenticate(const config::Domain& domain,
                                                    const Credentials& credentials) {
  const std::string_view auth = credentials.authorization;
  if (!auth.empty()) {
    if (core::StartsWithIgnoringAsciiCase(auth, "basic ")) return Basic(domain, auth.substr(6));
    if (core::StartsWithIgnoringAsciiCase(auth, "bearer ")) return Bearer(domain, auth.substr(7));
    return tl::unexpected(Unauthenticated("Authorization: use the Basic or Bearer scheme"));
  }
  if (!credentials.session_token.empty()) return Session(domain, credentials.session_token);
  return tl::unexpected(Unauthenticated(
      "authentication is required: HTTP Basic, a Bearer API token, or a ctlivetoken session"));
}

core::Result<IssuedSession> Authenticator::Login(const config::Domain& domain,
                                                 const Principal& principal) {
  std::array<unsigned char, 32> random{};
  randombytes_buf(random.data(), random.size());
  std::array<char, sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)> text{};
  sodium_bin2base64(text.data(), text.size(), random.data(), random.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  IssuedSession issued{std::string(text.data()), 0};
  const std::int64_t now = clock_.UnixMillis();
  issued.expires_at_ms = now + domain.session_ttl.count();
  SG_RETURN_IF_ERROR(sessions_.CreateSession(store::Session{
      util::Sha256Hex(issued.token), domain.name, principal.user, now, issued.expires_at_ms}));
  return issued;
}

core::Result<bool> Authenticator::Logout(std::string_view session_token) {
  return sessions_.DeleteSession(util::Sha256Hex(session_token));
}

std::optional<std::string> Authenticator::CheckFingerprint(const config::Domain& domain,
                                                           std::string_view authorization) const {
  if (core::StartsWithIgnoringAsciiCase(authorization, "basic ")) {
    auto pair = DecodeBasic(authorization.substr(6));
    if (!pair) return std::nullopt;
    return PasswordFingerprint(domain, pair->first, pair->second);
  }
  if (core::StartsWithIgnoringAsciiCase(authorization, "bearer ")) {
    const std::string_view token = Trim(authorization.substr(7));
    if (token.empty() || token.size() > kMaxCredentialBytes) return std::nullopt;
    const Digest d = ApiTokenKey(domain, token);
    return std::string(d.begin(), d.end());
  }
  return std::nullopt;
}

std::string Authenticator::PasswordFingerprint(const config::Domain& domain, std::string_view user,
                                               std::string_view password) const {
  const Digest d = Key(domain.name, user, password, VerifierOf(FindUser(domain, user)));
  return std::string(d.begin(), d.end());
}

std::string Authenticator::BasicUser(std::string_view authorization) {
  if (!core::StartsWithIgnoringAsciiCase(authorization, "basic ")) return {};
  auto pair = DecodeBasic(authorization.substr(6));
  return pair ? pair->first : std::string();
}

}  // namespace socialgate::auth
