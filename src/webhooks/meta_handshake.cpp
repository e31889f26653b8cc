#include "webhooks/meta_handshake.hpp"

#include <algorithm>

#include <sodium.h>

namespace socialgate::webhooks {
namespace {

core::Result<std::string> HandshakeRefused(std::string message) {
  return core::MakeError(core::ErrorCode::kPermissionDenied, std::move(message));
}

// Equal in time that depends on the lengths only, not on where the bytes differ.
bool SameSecret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

core::Result<std::string> AnswerHandshake(std::string_view configured_token,
                                          const HandshakeRequest& request) {
  if (request.mode != "subscribe") {
    return HandshakeRefused("hub.mode: must be subscribe");
  }
  if (configured_token.empty() || !SameSecret(request.verify_token, configured_token)) {
    return HandshakeRefused("hub.verify_token: is not this gateway's verify token");
  }
  const std::string_view c = request.challenge;
  if (c.empty() || c.size() > kMaxChallenge ||
      !std::all_of(c.begin(), c.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    return HandshakeRefused("hub.challenge: must be 1 to 64 digits, as Meta sends it");
  }
  return std::string(c);
}

}  // namespace socialgate::webhooks
