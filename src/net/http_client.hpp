// File: net/http_client.hpp
//
// Outbound HTTP for providers, over connections that are kept alive and reused between requests
// (libcurl's multi interface on one event-loop thread). Start() does not wait: thousands of
// requests may be in flight at once without a thread each, which a provider answering in
// 200 ms needs for 1,000 messages a second on one number. Perform() is the blocking form.
// Transport failures are values: kDeadlineExceeded for a timeout, kResourceExhausted for an
// answer larger than max_response_bytes (not read further), kUnavailable for anything that
// prevented an answer (DNS, refused or dropped connection, TLS). Any other HTTP answer, 4xx and
// 5xx included, is a success: classifying it is the provider's job.
//
// Thread safety: Start and Perform may be called from many threads at once. Completion
// callbacks run on the client's event-loop thread, one at a time: they must not block, must not
// call Perform, and must not throw (one that does is logged and the loop goes on, but whatever
// it was to answer never hears).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "util/start_limit.hpp"

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
  std::chrono::milliseconds timeout{15'000};  // the whole exchange (from its start)
  // Shared by the requests of one business number: they leave within its rate, counted when
  // libcurl writes them (see util::StartLimit), waiting in the client when they came too close
  // together or too many wait inside libcurl.
  std::shared_ptr<util::StartLimit> start_limit;
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

  using Completion = std::function<void(core::Result<ClientResponse>)>;

  // Sends `request` and calls `done` exactly once with the answer or the transport failure,
  // on the event-loop thread (or at once on the caller's thread when the client is closing).
  virtual void Start(ClientRequest request, Completion done) = 0;

  // Sends `request` and waits for the answer. Not from a completion callback.
  core::Result<ClientResponse> Perform(ClientRequest request);
};

using HttpClientPtr = std::unique_ptr<HttpClient>;

struct CurlClientOptions {
  std::size_t max_response_bytes = 4 * 1024 * 1024;  // larger answers: kResourceExhausted
  // Connections kept open across all hosts, and open at once to one host (requests beyond it
  // wait inside libcurl for a free connection; over HTTP/2 they share connections instead).
  long max_connections = 2048;
  long max_host_connections = 1024;
};

// libcurl's multi interface on its own thread: keep-alive, HTTP/2 over TLS where the server
// offers it (multiplexed), HTTP/1.1 with a connection per request in flight otherwise.
// Fails (kInternal, saying which) when libcurl refuses an option the client relies on, e.g.
// CURLOPT_PREREQFUNCTION, the guard against libcurl re-sending a POST (libcurl before 7.80):
// the gateway must not start without it. A request that libcurl refuses to set up later fails
// alone (kInternal), never sent.
core::Result<HttpClientPtr> MakeCurlHttpClient(const CurlClientOptions& options = {});

}  // namespace socialgate::net
