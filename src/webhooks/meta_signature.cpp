#include "webhooks/meta_signature.hpp"

#include <array>
#include <optional>
#include <string>

#include <sodium.h>

#include "core/text.hpp"

namespace socialgate::webhooks {
namespace {

using Digest = std::array<unsigned char, crypto_auth_hmacsha256_BYTES>;

Digest Hmac(std::string_view key, std::string_view body) {
  Digest digest{};
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  crypto_auth_hmacsha256_final(&state, digest.data());
  sodium_memzero(&state, sizeof state);
  return digest;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// 64 hex digits as a digest; nullopt for anything else.
std::optional<Digest> ParseHex(std::string_view hex) {
  if (hex.size() != 2 * Digest().size()) return std::nullopt;
  Digest out{};
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = HexValue(hex[2 * i]);
    const int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return out;
}

core::Result<void> SignatureRefused(std::string message) {
  return core::MakeError(core::ErrorCode::kUnauthenticated, std::move(message));
}

}  // namespace

core::Result<void> CheckMetaSignature(std::string_view app_secret, std::string_view body,
                                      std::string_view header) {
  if (header.empty()) {
    return SignatureRefused("X-Hub-Signature-256: missing; Meta signs every callback with the app secret");
  }
  if (header.size() > kMaxSignatureHeader) {
    return SignatureRefused("X-Hub-Signature-256: longer than a signature can be");
  }
  const std::string_view value = core::TrimAsciiWhitespace(header);
  constexpr std::string_view kPrefix = "sha256=";
  if (!core::StartsWithIgnoringAsciiCase(value, kPrefix)) {
    return SignatureRefused("X-Hub-Signature-256: must be sha256= and 64 hex digits");
  }
  const auto claimed = ParseHex(value.substr(kPrefix.size()));
  if (!claimed) return SignatureRefused("X-Hub-Signature-256: must be sha256= and 64 hex digits");
  Digest expected = Hmac(app_secret, body);
  const bool same = sodium_memcmp(expected.data(), claimed->data(), expected.size()) == 0;
  sodium_memzero(expected.data(), expected.size());
  if (!same) {
    return SignatureRefused("X-Hub-Signature-256: does not match the body under the app secret");
  }
  return {};
}

std::string MetaSignature(std::string_view app_secret, std::string_view body) {
  static constexpr char kHex[] = "0123456789abcdef";
  const Digest digest = Hmac(app_secret, body);
  std::string out = "sha256=";
  for (const unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 0x0f];
  }
  return out;
}

}  // namespace socialgate::webhooks
