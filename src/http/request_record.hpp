// File: http/request_record.hpp
//
// What the server tells the application about each request it answers (ServerOptions::
// on_answered): for the request log line and the request metrics. And the request id: taken
// from the request's X-Request-Id when a proxy set a sane one, otherwise made; either way it is
// echoed in the answer's X-Request-Id and carried in HttpRequest::request_id, so one id follows
// a request through the proxy's log, ours and the caller's.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace socialgate::http {

struct AnsweredRequest {
  std::string_view method;      // "" when the request line could not be read
  std::string_view route;       // the endpoint's pattern (Admission::route); "" when none matched
  std::string_view request_id;  // "" when the request line could not be read
  std::string_view remote_address;
  unsigned status = 0;
  std::chrono::steady_clock::duration duration{};  // from its header read to its answer written
  std::size_t response_body_bytes = 0;
  bool written = false;  // false: the client was gone before the answer was written
};

// The request id of a request whose X-Request-Id header is `header` ("" when absent): the
// header itself when it is 1 to 128 characters of letters, digits and "-_.:/+=@", else a new id
// (what a proxy put there is logged, so it must not be able to forge log lines).
std::string RequestIdFor(std::string_view header);

// 16 lower-case hex digits, random (a per-thread generator seeded from the OS).
std::string NewRequestId();

}  // namespace socialgate::http
