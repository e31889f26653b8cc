// File: http/server.hpp
//
// The HTTP/1.1 server: Boost.Beast with C++20 coroutines, one coroutine per connection on its
// own strand, keep-alive, limits on header and body size, read and idle timeouts, a cap on
// concurrent connections, and graceful shutdown (stop accepting, let in-flight requests finish
// within a grace period, close idle connections). Optionally HTTPS (TLS 1.2 and later), and the
// client's address taken from X-Forwarded-For when the peer is a trusted reverse proxy. Beast,
// Asio and OpenSSL stay inside this module's .cpp.
//
// Thread safety: Run() blocks the calling thread and runs the I/O threads; Stop() may be called
// from any thread (e.g. a signal watcher) and returns at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "http/message.hpp"
#include "http/request_record.hpp"

namespace socialgate::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port; see HttpServer::port()
  int threads = 2;
  // The largest body of any request; an Admission may allow less (see http/message.hpp).
  std::size_t max_body_bytes = 1024 * 1024;
  // Bytes of request bodies held at once across all connections, counted from when a body's
  // reading begins until its answer is written; a request whose body does not fit gets 503
  // with Retry-After, before its body is read.
  std::size_t body_budget_bytes = std::size_t(512) * 1024 * 1024;
  // What a connection reads ahead beyond a request's header before the request is admitted
  // (so what an unadmitted, e.g. unauthenticated, request can make the server hold) is at most
  // this much more than max_header_bytes.
  std::size_t max_read_ahead_bytes = 64 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds header_timeout{10'000};  // from a request's first byte to its header
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  int max_connections = 10'000;
  std::chrono::milliseconds shutdown_grace{10'000};
  // The I/O threads' name prefix (the thread that calls Run() is "-0").
  std::string thread_name = "sg-io";
  // Peers (addresses or CIDR networks) whose X-Forwarded-For is believed; see
  // util::TrustedProxies::ClientAddress for how HttpRequest::remote_address is then chosen.
  std::vector<std::string> trusted_proxies;
  // Plain HTTP only: note in HttpRequest::received_unix_micros when the kernel received each
  // request's first bytes (fake-graph, so benchmarks count sends as they were on the wire).
  // Linux turns time stamping on a moment after the first socket asks: requests in the first
  // milliseconds after Create may carry 0.
  bool receive_timestamps = false;
  // HTTPS when both are set: PEM certificate chain (leaf first) and private key.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Called (on an I/O thread; must not block) for each request refused by the server itself
  // before the application saw it: malformed HTTP (400), headers too large (431), a body over
  // the limit (413), the body budget spent (503), too many connections (status 0). For
  // security logs; `reason` is one sentence, without the request's content.
  std::function<void(std::string_view address, unsigned status, std::string_view reason)>
      on_refused;
  // Called (on an I/O thread; must not block) once for every answer the server writes or
  // tries to write, the server's own refusals included: the request log and its metrics.
  std::function<void(const AnsweredRequest&)> on_answered;
};

class HttpServer {
 public:
  virtual ~HttpServer() = default;
  HttpServer() = default;
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  HttpServer(HttpServer&&) = delete;
  HttpServer& operator=(HttpServer&&) = delete;

  // Loads the TLS files, binds and listens. kInvalidArgument for a bad trusted-proxy entry or
  // TLS file (the error says which and why), kUnavailable when the address cannot be bound.
  // Each request's head goes to `admit` first; its body is read only if admitted.
  static core::Result<std::unique_ptr<HttpServer>> Create(const ServerOptions& options,
                                                          Admitter admit);
  // Every request admitted with a body of up to options.max_body_bytes, then `handler`.
  static core::Result<std::unique_ptr<HttpServer>> Create(const ServerOptions& options,
                                                          Handler handler);

  // The bound port (useful when options.port was 0).
  virtual std::uint16_t port() const = 0;

  // Serves until Stop() and the drain that follows have finished. Signals are the caller's
  // business (see util/stop_signals.hpp).
  virtual void Run() = 0;

  // Begins a graceful shutdown; may come before Run(), which then drains at once. Idempotent.
  virtual void Stop() = 0;
};

}  // namespace socialgate::http
