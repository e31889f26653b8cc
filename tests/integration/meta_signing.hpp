// File: tests/integration/meta_signing.hpp
//
// Meta's webhook signature, for tests that post callbacks to a gateway's webhook path as Meta
// would: X-Hub-Signature-256 is "sha256=" and the lower-case hex HMAC-SHA256 of the raw body
// under the app secret.
#pragma once

#include <string>
#include <string_view>

namespace socialgate::testing {

std::string HubSignature(std::string_view app_secret, std::string_view body);

}  // namespace socialgate::testing
