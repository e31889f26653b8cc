// beast_ceiling: the HTTP ceiling of socialgate's stack, for `make bench`. A minimal Boost.Beast
// HTTP/1.1 keep-alive server (C++20 coroutines, like src/http/server.cpp) that reads any request
// in full and answers it with the fixed envelope the gateway gives an accepted message under
// ack = "stored" (202, {"result":true,"error":null,"messageId":...,"status":"queued"}), with the
// same headers. No authentication, JSON, validation or storage: what is left is what Beast,
// Asio and the kernel cost per request, which the gateway cannot beat.
//
//   beast_ceiling [--listen IP] [--port N] [--threads N]
//
// The first stdout line (flushed) is "beast_ceiling: listening on http://IP:PORT"; --port 0
// picks a free port. SIGINT or SIGTERM stops it (exit status 0).

// GCC 12 needs <utility> before Asio's awaitable header (a known Boost 1.74 bug): the standard
// headers come first, so it is.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

// What the gateway answers an accepted message under ack = "stored" (src/api/livechat_api.cpp,
// SendAnswer; docs/api.md): the messageId has the length of a real one (a UUIDv7).
constexpr std::string_view kEnvelope =
    R"({"result":true,"error":null,"messageId":"019ab1c2-3d4e-7f60-8a1b-2c3d4e5f6a7b","status":"queued"})";
constexpr std::size_t kMaxBodyBytes = std::size_t{140} * 1024 * 1024;  // the gateway's default

awaitable<void> Session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    beast::error_code ec;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(kMaxBodyBytes);
    co_await bhttp::async_read(stream, buffer, parser, net::redirect_error(use_awaitable, ec));
    if (ec) break;  // end of stream, reset, or a malformed request: nothing to answer
    const auto& request = parser.get();
    const bool keep_alive = request.keep_alive();
    bhttp::response<bhttp::string_body> response{bhttp::status::accepted, request.version()};
    response.set(bhttp::field::server, "socialgate");
    response.set(bhttp::field::content_type, "application/json");
    response.keep_alive(keep_alive);
    response.body() = std::string(kEnvelope);
    response.prepare_payload();
    co_await bhttp::async_write(stream, response, net::redirect_error(use_awaitable, ec));
    if (ec || !keep_alive) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

awaitable<void> Accept(tcp::acceptor& acceptor, net::io_context& ioc) {
  for (;;) {
    beast::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(net::make_strand(ioc),
                                                        net::redirect_error(use_awaitable, ec));
    if (ec == net::error::operation_aborted) co_return;
    if (ec) continue;
    auto executor = socket.get_executor();
    net::co_spawn(executor, Session(std::move(socket)), net::detached);
  }
}

int Usage(const char* program) {
  std::fprintf(stderr, "usage: %s [--listen IP] [--port N] [--threads N]\n", program);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  long port = 0;
  long threads = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return Usage(argv[0]);
    char* end = nullptr;
    if (arg == "--listen") {
      host = argv[++i];
    } else if (arg == "--port") {
      port = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || port < 0 || port > 65535) return Usage(argv[0]);
    } else if (arg == "--threads") {
      threads = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || threads < 1 || threads > 64) return Usage(argv[0]);
    } else {
      return Usage(argv[0]);
    }
  }

  net::io_context ioc(static_cast<int>(threads));
  tcp::acceptor acceptor(ioc);
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) {
    std::fprintf(stderr, "beast_ceiling: '%s' is not an IP address\n", host.c_str());
    return 2;
  }
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "beast_ceiling: cannot listen on %s:%ld: %s\n", host.c_str(), port,
                 ec.message().c_str());
    return 1;
  }
  std::printf("beast_ceiling: listening on http://%s:%u\n", host.c_str(),
              unsigned{acceptor.local_endpoint().port()});
  std::fflush(stdout);

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const beast::error_code&, int) { ioc.stop(); });
  net::co_spawn(ioc, Accept(acceptor, ioc), net::detached);

  std::vector<std::thread> pool;
  for (long i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  return 0;
}
