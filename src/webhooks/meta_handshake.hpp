// File: webhooks/meta_handshake.hpp
//
// Meta's subscription handshake: when an app's webhook URL is set in Meta's dashboard, Meta
// sends GET <url>?hub.mode=subscribe&hub.verify_token=<token>&hub.challenge=<number> and the
// endpoint answers 200 with the challenge as the whole body, only if the verify token is the one
// configured. The token is compared in constant time; the challenge, echoed to whoever asks, is
// limited to what Meta sends (digits), so the endpoint reflects nothing else.
//
// Thread safety: a pure function.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace socialgate::webhooks {

// The longest challenge echoed.
inline constexpr std::size_t kMaxChallenge = 64;

// The query's values (already decoded; "" when absent).
struct HandshakeRequest {
  std::string_view mode;          // hub.mode
  std::string_view verify_token;  // hub.verify_token
  std::string_view challenge;     // hub.challenge
};

// The body to answer (the challenge), or kPermissionDenied (403) with one sentence naming the
// parameter and what was wrong; never what the right token is.
core::Result<std::string> AnswerHandshake(std::string_view configured_token,
                                          const HandshakeRequest& request);

}  // namespace socialgate::webhooks
