// beast_ceiling: the HTTP ceiling of socialgate's stack, for `make bench`. A minimal Boost.Beast
// HTTP/1.1 keep-alive server (C++20 coroutines, like src/http/server.cpp) that reads any request
// in full and answers it with the fixed envelope the gateway gives an accepted message under
// ack = "stored" (202, {"result":true,"error":null,"messageId":...,"status":"queued"}), with the
// same headers. No authentication, JSON, validation or storage: what is left is what Beast,
// Asio and the kernel cost per request, which the gateway cannot beat.
//
// It also serves as the fixed-answer upstream of the bench's Kannel row (bench/kannel_part.py):
// with --answer TEXT it answers every request 200 with TEXT as a text/plain body instead (an
// HTTP SMSC takes "Sent" as success). Either way it counts the requests it answers, and
// GET /_ceiling/stats (not counted) gives {"requests":N,"first_unix_us":T,"last_unix_us":T}: how
// many, and when the first and the latest of them was read (0 before any), so the harness can
// tell how many messages reached it and over how long.
//
//   beast_ceiling [--listen IP] [--port N] [--threads N] [--answer TEXT]
//
// The first stdout line (flushed) is "beast_ceiling: listening on http://IP:PORT"; --port 0
// picks a free port. SIGINT or SIGTERM stops it (exit status 0).

// GCC 12 needs <utility> before Asio's awaitable header (a known Boost 1.74 bug): the standard
// headers come first, so it is.
#include <atomic>
#include <chrono>
#include <cstdint>
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
constexpr std::string_view kStatsTarget = "/_ceiling/stats";

// What every request (but the stats one) is answered.
struct Answer {
  bhttp::status status = bhttp::status::accepted;
  std::string content_type = "application/json";
  std::string body = std::string(kEnvelope);
};

// The requests answered: how many, and when the first and the latest was read (Unix time, us).
struct Counter {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::int64_t> first_us{0};
  std::atomic<std::int64_t> last_us{0};

  void Count() {
    const std::int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    std::int64_t unset = 0;
    first_us.compare_exchange_strong(unset, now, std::memory_order_relaxed);
    std::int64_t last = last_us.load(std::memory_order_relaxed);
    while (last < now && !last_us.compare_exchange_weak(last, now, std::memory_order_relaxed)) {
    }
    requests.fetch_add(1, std::memory_order_relaxed);
  }

  std::string Json() const {
    return "{\"requests\":" + std::to_string(requests.load(std::memory_order_relaxed)) +
           ",\"first_unix_us\":" + std::to_string(first_us.load(std::memory_order_relaxed)) +
           ",\"last_unix_us\":" + std::to_string(last_us.load(std::memory_order_relaxed)) + "}";
  }
};

awaitable<void> Session(tcp::socket socket, const Answer& answer, Counter& counter) {
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
    const auto target = request.target();
    const bool stats = std::string_view(target.data(), target.size()) == kStatsTarget;
    if (!stats) counter.Count();
    bhttp::response<bhttp::string_body> response{stats ? bhttp::status::ok : answer.status,
                                                 request.version()};
    response.set(bhttp::field::server, "socialgate");
    response.set(bhttp::field::content_type, stats ? "application/json" : answer.content_type);
    response.keep_alive(keep_alive);
    response.body() = stats ? counter.Json() : answer.body;
    response.prepare_payload();
    co_await bhttp::async_write(stream, response, net::redirect_error(use_awaitable, ec));
    if (ec || !keep_alive) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

awaitable<void> Accept(tcp::acceptor& acceptor, net::io_context& ioc, const Answer& answer,
                       Counter& counter) {
  for (;;) {
    beast::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(net::make_strand(ioc),
                                                        net::redirect_error(use_awaitable, ec));
    if (ec == net::error::operation_aborted) co_return;
    if (ec) continue;
    auto executor = socket.get_executor();
    net::co_spawn(executor, Session(std::move(socket), answer, counter), net::detached);
  }
}

int Usage(const char* program) {
  std::fprintf(stderr, "usage: %s [--listen IP] [--port N] [--threads N] [--answer TEXT]\n",
               program);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  long port = 0;
  long threads = 2;
  Answer answer;
  Counter counter;
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
    } else if (arg == "--answer") {
      answer.status = bhttp::status::ok;
      answer.content_type = "text/plain";
      answer.body = argv[++i];
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
  net::co_spawn(ioc, Accept(acceptor, ioc, answer, counter), net::detached);

  std::vector<std::thread> pool;
  for (long i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  return 0;
}
