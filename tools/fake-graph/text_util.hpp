// File: fake-graph/text_util.hpp
//
// Small string helpers of the fake Graph server: HTTP header parameter
// parsing, query strings, digits of a phone number, SHA-256 and URL-safe base64.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/text.hpp"  // AsciiLower, EqualsIgnoringAsciiCase, TrimAsciiWhitespace, FormDecode

namespace socialgate::fake_graph {

// The media type of a Content-Type value, lower case, without parameters:
// "Application/JSON; charset=utf-8" -> "application/json".
std::string MediaType(std::string_view content_type);

// The parameters of a header value after its first ';' (Content-Type, Content-Disposition),
// names lower-cased, quoted-string values unquoted (RFC 7230 3.2.6, backslash escapes).
std::vector<std::pair<std::string, std::string>> HeaderParameters(std::string_view value);

// "a=1&b=x%20y" -> {{"a","1"},{"b","x y"}}.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query);

// The value of the first query parameter `name`, or "" when absent.
std::string QueryValue(std::string_view query, std::string_view name);

// The ASCII digits of s in order: "+44 (7700) 900-123" -> "447700900123".
std::string DigitsOf(std::string_view s);

// Lower-case hex SHA-256 of the bytes.
std::string Sha256Hex(std::string_view data);

// Standard base64 (with padding) of the SHA-256 of the bytes, as Meta's webhooks give a media's
// sha256 ("SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=").
std::string Sha256Base64(std::string_view data);

// The bytes of RFC 4648 section 4 base64 (standard alphabet; the '=' padding may be left out);
// nullopt for any other character or a length no encoding has.
std::optional<std::string> Base64Decode(std::string_view text);

// RFC 4648 section 5 base64 (URL-safe alphabet, no padding).
std::string Base64UrlEncode(std::string_view data);

}  // namespace socialgate::fake_graph
