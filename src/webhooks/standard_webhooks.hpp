// File: webhooks/standard_webhooks.hpp
//
// Callbacks to callers are signed as the Standard Webhooks specification says
// (../shared/reference/standard-webhooks.md): headers webhook-id, webhook-timestamp (Unix
// seconds of this attempt) and webhook-signature "v1,<base64 of HMAC-SHA256 over
// "<id>.<timestamp>.<body>">", the key being the bytes of the receiver's `whsec_` secret
// (config::CallbackSettings::secret). A receiver verifies with any Standard Webhooks library.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace socialgate::webhooks {

// "v1,<base64>" for `body` as callback `id` at `timestamp_s`.
std::string StandardWebhookSignature(std::string_view key, std::string_view id,
                                     std::int64_t timestamp_s, std::string_view body);

}  // namespace socialgate::webhooks
