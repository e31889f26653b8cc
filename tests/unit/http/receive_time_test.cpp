// The server's kernel receive timestamps (ServerOptions::receive_timestamps): each request
// carries when its bytes reached the host, even when the server reads it late, and the wait
// for a request's first bytes still ends at the idle timeout.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/server.hpp"

namespace socialgate::http {
namespace {

using std::chrono::milliseconds;

std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A connected loopback client socket, closed on destruction.
class Client {
 public:
  explicit Client(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Client() { ::close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }

  bool Send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  // Reads until one whole answer (headers and the Content-Length body) came, the peer closed
  // or `timeout` passed. Returns what was read; `closed` tells whether the peer closed.
  std::string ReadAnswer(milliseconds timeout, bool* closed = nullptr) {
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto end = got.find("\r\n\r\n");
      if (end != std::string::npos) {
        const auto cl = got.find("Content-Length: ");
        const std::size_t length = cl == std::string::npos ? 0 : std::stoul(got.substr(cl + 16));
        if (got.size() >= end + 4 + length) return got;
      }
      const auto left =
          std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return got;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return got;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        if (closed != nullptr) *closed = true;
        return got;
      }
      got.append(buf, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
  bool connected_ = false;
};

std::string Get(const std::string& path) {
  return "GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n";
}

// An HttpServer on a free loopback port, run on its own thread; handled requests are kept.
class StampedServer {
 public:
  explicit StampedServer(bool stamps, milliseconds idle = milliseconds(10'000),
                         milliseconds stall_first = milliseconds(0)) {
    ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 1;
    options.idle_timeout = idle;
    options.shutdown_grace = milliseconds(500);
    options.receive_timestamps = stamps;
    auto server =
        HttpServer::Create(options, [this, stall_first](HttpRequest&& request, Responder respond) {
          {
            std::lock_guard lock(mutex_);
            requests_.push_back(request);
          }
          // The one I/O thread is held here: requests on other connections wait to be read.
          if (request.path == "/stall") std::this_thread::sleep_for(stall_first);
          respond(HttpResponse{200, "application/json", "{}", {}, false});
        });
    EXPECT_TRUE(server.has_value());
    if (!server) return;
    server_ = std::move(*server);
    thread_ = std::thread([this] { server_->Run(); });
  }
  ~StampedServer() {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }
  StampedServer(const StampedServer&) = delete;
  StampedServer& operator=(const StampedServer&) = delete;

  std::uint16_t port() const { return server_ ? server_->port() : 0; }

  std::vector<HttpRequest> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  // Linux turns time stamping on a moment after the first socket asks (the static key is
  // flipped from a work queue), so the first requests after start may carry none: send
  // warm-up requests until one does (at most 2 s).
  bool WarmUp(Client& client) {
    for (int i = 0; i < 200; ++i) {
      if (!client.Send(Get("/warm"))) return false;
      if (client.ReadAnswer(milliseconds(5'000)).find("200 OK") == std::string::npos) {
        return false;
      }
      if (requests().back().received_unix_micros != 0) return true;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return false;
  }

  std::size_t count() {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }

 private:
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<HttpRequest> requests_;
};

TEST(ReceiveTimestampsTest, OffByDefaultRequestsCarryNoTime) {
  StampedServer server(false);
  Client client(server.port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(Get("/a")));
  EXPECT_NE(client.ReadAnswer(milliseconds(5'000)).find("200 OK"), std::string::npos);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].received_unix_micros, 0);
}

TEST(ReceiveTimestampsTest, EachKeepAliveRequestCarriesWhenItsBytesArrived) {
  StampedServer server(true);
  Client client(server.port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(server.WarmUp(client));
  const std::size_t warm = server.count();
  std::vector<std::int64_t> sent;
  for (const char* path : {"/first", "/second"}) {
    sent.push_back(NowMicros());
    ASSERT_TRUE(client.Send(Get(path)));
    EXPECT_NE(client.ReadAnswer(milliseconds(5'000)).find("200 OK"), std::string::npos);
    std::this_thread::sleep_for(milliseconds(50));
  }
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), warm + 2);
  requests.erase(requests.begin(), requests.begin() + static_cast<std::ptrdiff_t>(warm));
  // Each request's own arrival: after the client read its clock to send it, and the first
  // before the second was sent.
  EXPECT_GE(requests[0].received_unix_micros, sent[0]);
  EXPECT_LT(requests[0].received_unix_micros, sent[1]);
  EXPECT_GE(requests[1].received_unix_micros, sent[1]);
}

TEST(ReceiveTimestampsTest, ARequestReadLateStillCarriesItsArrival) {
  StampedServer server(true, milliseconds(10'000), milliseconds(400));
  Client staller(server.port());
  Client late(server.port());
  ASSERT_TRUE(staller.connected());
  ASSERT_TRUE(late.connected());
  // First requests, so the server has accepted `late` and the kernel stamps its bytes.
  ASSERT_TRUE(server.WarmUp(late));
  const std::size_t warm = server.count();
  ASSERT_TRUE(staller.Send(Get("/stall")));
  // Wait until the stall has begun: from then on, nothing is read for 400 ms.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server.count() < warm + 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  ASSERT_EQ(server.count(), warm + 1);
  const std::int64_t sent = NowMicros();
  ASSERT_TRUE(late.Send(Get("/late")));
  EXPECT_NE(late.ReadAnswer(milliseconds(5'000)).find("200 OK"), std::string::npos);
  const std::int64_t answered = NowMicros();

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), warm + 2);
  const HttpRequest& got = requests.back();
  EXPECT_EQ(got.path, "/late");
  // The server read it once the stall ended, some 400 ms on; its time is when it arrived.
  EXPECT_GE(answered - sent, 200'000);
  EXPECT_GE(got.received_unix_micros, sent);
  EXPECT_LT(got.received_unix_micros, sent + 200'000);
}

TEST(ReceiveTimestampsTest, AConnectionThatSendsNothingIsClosedAtTheIdleTimeout) {
  StampedServer server(true, milliseconds(300));
  Client client(server.port());
  ASSERT_TRUE(client.connected());
  bool closed = false;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client.ReadAnswer(milliseconds(5'000), &closed), "");
  EXPECT_TRUE(closed);
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(250));
}

}  // namespace
}  // namespace socialgate::http
