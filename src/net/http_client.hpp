// File: net/http_client.hpp
//
// Outbound HTTP for providers: one blocking request at a time per calling thread, over
// connections that are kept alive and reused between calls (libcurl). Transport failures are
// values: kDeadlineExceeded for a timeout, kUnavailable for anything that prevented an answer
// (DNS, refused or dropped connection, TLS). Any HTTP answer, 4xx and 5xx included, is a
// successful Perform: classifying it is the provider's job.
//
// Thread safety: Perform may be called from many threads at once; each call borrows its own
// connection handle from a pool.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace socialgate::net {

struct MultipartPart {
  std::string name;
  std::string value;         // the content (binary-safe)
  std::string file_name;     // set for file parts
  std::string content_type;  // set for file parts
};

struct ClientRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                      // sent as is when `multipart` is empty
  std::vector<MultipartPart> multipart;  // multipart/form-data when not empty
  std::chrono::milliseconds connect_timeout{3'000};
  std::chrono::milliseconds timeout{15'000};  // the whole exchange
};

struct ClientResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;

  // The first header of that lower-case name, or "" when absent.
  std::string_view Header(std::string_view lower_name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  HttpClient() = default;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&&) = delete;
  HttpClient& operator=(HttpClient&&) = delete;

  virtual core::Result<ClientResponse> Perform(const ClientRequest& request) = 0;
};

using HttpClientPtr = std::unique_ptr<HttpClient>;

// libcurl with a pool of reusable handles (keep-alive, HTTP/2 over TLS where the server offers
// it). Responses larger than `max_response_bytes` are cut off and reported as kUnavailable.
HttpClientPtr MakeCurlHttpClient(std::size_t max_response_bytes = 4 * 1024 * 1024);

}  // namespace socialgate::net
