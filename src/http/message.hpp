// File: http/message.hpp
//
// The server's own small request and response types, so handlers (api/) and their tests need
// no sockets and no Beast. Every response of this server is JSON in the CTLive envelope
// {"result": bool, "error": null | "sentence"}, plus additive fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace socialgate::http {

struct HttpRequest {
  std::string method;                                        // "GET", "POST", ...
  std::string path;                                          // target up to '?', not decoded
  std::string query;                                         // after '?', not decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  // The client: the peer, or the address a trusted reverse proxy forwarded for.
  std::string remote_address;
  // When the kernel received the bytes that began this request (Unix time, microseconds), if
  // the server was asked to note it (ServerOptions::receive_timestamps); otherwise 0.
  std::int64_t received_unix_micros = 0;
  // The request's id (http/request_record.hpp): for log lines about it.
  std::string request_id;

  // The first header of that (lower-case) name, or "" when absent.
  std::string_view Header(std::string_view lower_name) const;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Close the connection without answering (for test servers that simulate a dropped
  // connection); status and body are ignored.
  bool drop_connection = false;
};

// {"result":false,"error":message} with the given status.
HttpResponse JsonError(unsigned status, std::string_view message);

// Delivers the response of one request. Call it once, from any thread; later calls are ignored.
// If every copy is destroyed without a call, the client gets a 500 rather than a hung request.
class Responder {
 public:
  explicit Responder(std::function<void(HttpResponse)> send);
  void operator()(HttpResponse response) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

using Handler = std::function<void(HttpRequest&&, Responder)>;

// What the application decides from a request's line and headers, before any of its body is
// read: refuse it (401, 404, 405, 413, 415, 429, 503...), so that no body is read, held or
// invited with 100 Continue; or accept a body of at most some size and say who handles the
// whole request once it is read.
struct Admission {
  static Admission Refuse(HttpResponse response) {
    Admission a;
    a.refusal = std::move(response);
    return a;
  }
  static Admission Accept(std::size_t max_body_bytes, Handler handle) {
    Admission a;
    a.max_body_bytes = max_body_bytes;
    a.handle = std::move(handle);
    return a;
  }

  std::optional<HttpResponse> refusal;
  std::size_t max_body_bytes = 0;
  Handler handle;
  // The endpoint's name for logs and metrics (its path pattern, never the path itself, which
  // can carry anything): "" when no endpoint matched. Must outlive the server (the Admitter's
  // routing table).
  std::string_view route;
};

// Delivers the admission of one request; like Responder: call it once, from any thread, and
// if every copy is destroyed without a call the request is refused with a 500.
class AdmissionResponder {
 public:
  explicit AdmissionResponder(std::function<void(Admission)> decide);
  void operator()(Admission admission) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// Reads a request's head (HttpRequest without its body) and decides its admission.
using Admitter = std::function<void(const HttpRequest& head, AdmissionResponder decide)>;

}  // namespace socialgate::http
