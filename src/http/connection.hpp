// File: http/connection.hpp (internal to http/: included by server.cpp and connection.cpp only)
//
// What the listener (server.cpp) and each connection's session (connection.cpp) share: the
// Beast and Asio names, the registry of live connections (to close the idle ones on shutdown),
// and ServeConnection, one connection's whole life: TLS handshake, requests read with their
// timeouts and limits, each head admitted by the application before its body is read within
// the body budget, answers written, and the close.
#pragma once

// GCC 12 needs <utility> before Asio's awaitable header (a known Boost 1.74 bug).
// clang-format off
#include "http/server.hpp"
// clang-format on

#include <atomic>
#include <list>
#include <memory>
#include <mutex>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include "util/byte_budget.hpp"
#include "util/ip_network.hpp"

namespace socialgate::http::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

// What the server knows of one live connection, to close it when shutting down.
struct Connection {
  beast::tcp_stream* stream = nullptr;  // owned by the session coroutine's frame
  net::any_io_executor executor;
  bool busy = false;  // between reading a request's first byte and writing its answer
};

// The live connections. Thread-safe.
class ConnectionRegistry {
 public:
  using Position = std::list<std::shared_ptr<Connection>>::iterator;

  Position Add(std::shared_ptr<Connection> connection);
  // Marks the connection's stream gone and forgets it. REQUIRES: on the connection's strand.
  void Remove(Position position);
  // Closes each connection that is not busy (on its own strand); a busy one finishes its
  // request and then closes, since the server is stopping.
  void CloseIdle();

 private:
  std::mutex mutex_;
  std::list<std::shared_ptr<Connection>> connections_;
};

// What every connection uses of the server that accepted it; all of it outlives the sessions.
struct ConnectionContext {
  const ServerOptions* options = nullptr;
  const Admitter* admit = nullptr;
  util::ByteBudget* bodies = nullptr;  // request bodies held at once, across all connections
  const std::atomic<bool>* stopping = nullptr;
  ConnectionRegistry* connections = nullptr;
  const util::TrustedProxies* proxies = nullptr;
  ssl::context* tls = nullptr;  // set when serving HTTPS
};

// Serves one accepted connection until it closes. Runs on the socket's strand.
net::awaitable<void> ServeConnection(tcp::socket socket, ConnectionContext context);

}  // namespace socialgate::http::detail
