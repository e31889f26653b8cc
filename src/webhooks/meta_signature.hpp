// File: webhooks/meta_signature.hpp
//
// Meta signs every webhook callback: `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the
// raw body bytes under the app secret (developers.facebook.com/docs/graph-api/webhooks, "Event
// Notifications"). The check is over the bytes as received, never over a re-serialised body,
// and the comparison takes the same time wherever the digests differ.
//
// Thread safety: a pure function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace socialgate::webhooks {

// The longest header value looked at: "sha256=" and 64 hex digits, with room for spaces.
inline constexpr std::size_t kMaxSignatureHeader = 256;

// Whether `header` (the X-Hub-Signature-256 value, "" when absent) signs `body` under
// `app_secret`. kUnauthenticated with one sentence when it is missing, malformed or wrong (the
// caller answers 401 and changes nothing); it never says what the right signature is.
core::Result<void> CheckMetaSignature(std::string_view app_secret, std::string_view body,
                                      std::string_view header);

// The header value Meta would send for `body` ("sha256=<64 lower-case hex>"): for tests and the
// tools that play Meta (tools/fake-graph).
std::string MetaSignature(std::string_view app_secret, std::string_view body);

}  // namespace socialgate::webhooks
