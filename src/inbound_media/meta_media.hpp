// File: inbound_media/meta_media.hpp
//
// Downloading a customer's media from Meta's Cloud API, as Meta documents it
// (../shared/reference/meta-cloud-api.md, media): GET /{version}/{media-id} with the number's
// access token answers {"url", "mime_type", "sha256", "file_size", "id"}; GET of that url with
// the same bearer token answers the bytes. Both answers are untrusted:
//   - the size Meta states, and the bytes that come, must be within `max_bytes`;
//   - the bytes must have the SHA-256 Meta states (hex), when it states one;
//   - the url must be https (the token goes with it), or, for a plain-http Graph (a test's fake),
//     on the Graph's own scheme, host and port.
// Errors say whether trying again may help: kUnavailable (the network, a timeout, 429 or 5xx, a
// digest that does not match), anything else not (4xx, too large, an answer that is not Meta's
// shape).
//
// Thread safety: a function of its arguments; the client is thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "net/http_client.hpp"

namespace socialgate::inbound_media {

// Where and as whom to ask (a Meta number's [domains.numbers.meta] settings).
struct GraphTarget {
  std::string base_url;  // "https://graph.facebook.com"
  std::string api_version;
  std::string access_token;
  std::chrono::milliseconds connect_timeout{3'000};
  std::chrono::milliseconds timeout{60'000};  // each request
};

core::Result<std::string> FetchMetaMedia(net::HttpClient& http, const GraphTarget& target,
                                         std::string_view media_id, std::size_t max_bytes);

}  // namespace socialgate::inbound_media
