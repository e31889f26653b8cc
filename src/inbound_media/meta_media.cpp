#include "inbound_media/meta_media.hpp"

#include <cctype>

#include <simdjson.h>

#include "core/text.hpp"
#include "util/sha256.hpp"

namespace socialgate::inbound_media {
namespace {

using core::ErrorCode;

constexpr std::size_t kMaxInfoBytes = 64 * 1024;
constexpr std::size_t kMaxUrlBytes = 4096;

// scheme://host[:port] of a URL, lower-case scheme; "" when it has none.
std::string Origin(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  const auto path = url.find_first_of("/?#", scheme_end + 3);
  return std::string(url.substr(0, path));
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Whether the status is worth another try.
bool Passing(long status) { return status == 429 || status >= 500; }

tl::unexpected<core::Error> Failure(bool passing, std::string message) {
  return core::MakeError(passing ? ErrorCode::kUnavailable : ErrorCode::kProviderRejected,
                         std::move(message));
}

std::string WithMetaReason(std::string what, const std::string& body) {
  if (body.size() > kMaxInfoBytes) return what;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view message;
  if (parser.parse(body).get(root) == simdjson::SUCCESS &&
      root["error"]["message"].get_string().get(message) == simdjson::SUCCESS) {
    what += ": " + core::OneLine(message, 300);
  }
  return what;
}

}  // namespace

core::Result<std::string> FetchMetaMedia(net::HttpClient& http, const GraphTarget& target,
                                         std::string_view media_id, std::size_t max_bytes) {
  const std::string which = "media " + core::QuoteForMessage(media_id, 80);
  net::ClientRequest info_request;
  info_request.method = "GET";
  info_request.url = target.base_url + "/" + target.api_version + "/" + std::string(media_id);
  info_request.headers.emplace_back("Authorization", "Bearer " + target.access_token);
  info_request.connect_timeout = target.connect_timeout;
  info_request.timeout = target.timeout;
  auto info = http.Perform(std::move(info_request));
  if (!info) return Failure(true, which + ": Meta could not be asked: " + info.error().message);
  if (info->status != 200) {
    return Failure(
        Passing(info->status),
        WithMetaReason(which + ": Meta answered HTTP " + std::to_string(info->status), info->body));
  }
  if (info->body.size() > kMaxInfoBytes) {
    return Failure(false, which + ": Meta's answer is larger than 64 KiB");
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view url, sha256;
  if (parser.parse(info->body).get(root) != simdjson::SUCCESS ||
      root["url"].get_string().get(url) != simdjson::SUCCESS || url.empty() ||
      url.size() > kMaxUrlBytes) {
    return Failure(false, which + ": Meta's answer has no url");
  }
  if (root["sha256"].get_string().get(sha256) != simdjson::SUCCESS) sha256 = {};
  std::uint64_t stated = 0;
  if (root["file_size"].get_uint64().get(stated) == simdjson::SUCCESS && stated > max_bytes) {
    return Failure(false, which + " is " + std::to_string(stated) + " bytes, more than the " +
                              std::to_string(max_bytes) + " kept (media_max_bytes)");
  }
  const bool https = StartsWith(url, "https://");
  const bool graph_origin = !Origin(url).empty() && Origin(url) == Origin(target.base_url);
  if (!https && !graph_origin) {
    return Failure(false, which +
                              ": Meta's download url is not https; the token is not sent "
                              "there");
  }
  net::ClientRequest download;
  download.method = "GET";
  download.url = std::string(url);
  download.headers.emplace_back("Authorization", "Bearer " + target.access_token);
  download.connect_timeout = target.connect_timeout;
  download.timeout = target.timeout;
  auto bytes = http.Perform(std::move(download));
  if (!bytes) {
    const bool too_large = bytes.error().code == ErrorCode::kResourceExhausted;
    return Failure(!too_large, which + ": the download failed: " + bytes.error().message);
  }
  if (bytes->status != 200) {
    return Failure(Passing(bytes->status),
                   which + ": the download answered HTTP " + std::to_string(bytes->status));
  }
  if (bytes->body.size() > max_bytes) {
    return Failure(false, which + " is " + std::to_string(bytes->body.size()) +
                              " bytes, more than the " + std::to_string(max_bytes) +
                              " kept (media_max_bytes)");
  }
  std::string stated_digest(sha256);
  for (char& c : stated_digest) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (stated_digest.size() == 64 && util::Sha256Hex(bytes->body) != stated_digest) {
    return Failure(true, which + ": the bytes do not have the SHA-256 Meta states");
  }
  return std::move(bytes->body);
}

}  // namespace socialgate::inbound_media
