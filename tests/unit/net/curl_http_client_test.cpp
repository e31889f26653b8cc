#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/http_client.hpp"

namespace socialgate::net {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A minimal HTTP/1.1 server on 127.0.0.1: answers every request 200 "ok" on a kept-alive
// connection and notes when each request had arrived. The first `slow_first` requests are
// answered only after `slow_by` (an upstream that stalls for a moment). With
// `answers_per_connection`, each connection answers that many requests, then reads the next one
// whole and closes without an answer (a kept-alive connection that died at the worst moment).
class TinyServer {
 public:
  explicit TinyServer(int slow_first = 0, milliseconds slow_by = milliseconds(0),
                      int answers_per_connection = 0)
      : slow_first_(slow_first),
        slow_by_(slow_by),
        answers_per_connection_(answers_per_connection) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(listener_, 64);
    socklen_t len = sizeof(addr);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { Accept(); });
  }
  ~TinyServer() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    acceptor_.join();
    for (auto& t : connections_) t.join();
  }
  TinyServer(const TinyServer&) = delete;
  TinyServer& operator=(const TinyServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/messages"; }
  std::vector<Clock::time_point> Arrivals() {
    std::lock_guard lock(mutex_);
    return arrivals_;
  }

 private:
  void Accept() {
    for (;;) {
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      connections_.emplace_back([this, fd] { Serve(fd); });
    }
  }
  void Serve(int fd) {
    int answered = 0;
    std::string buffer;
    char chunk[4096];
    for (;;) {
      const auto end = buffer.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::size_t length = 0;
        const auto at = buffer.find("Content-Length: ");
        if (at != std::string::npos && at < end) length = std::stoul(buffer.substr(at + 16));
        if (buffer.size() >= end + 4 + length) {
          std::size_t seen = 0;
          {
            std::lock_guard lock(mutex_);
            arrivals_.push_back(Clock::now());
            seen = arrivals_.size();
          }
          if (seen <= static_cast<std::size_t>(slow_first_)) std::this_thread::sleep_for(slow_by_);
          buffer.erase(0, end + 4 + length);
          if (answers_per_connection_ > 0 && answered++ == answers_per_connection_) break;
          const std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
          if (::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL) < 0) break;
          continue;
        }
      }
      const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<std::size_t>(n));
    }
    ::close(fd);
  }

  const int slow_first_;
  const milliseconds slow_by_;
  const int answers_per_connection_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::thread acceptor_;
  std::vector<std::thread> connections_;  // joined after the listener closes
  std::mutex mutex_;
  std::vector<Clock::time_point> arrivals_;
};

// A new client; a failed creation fails the test (this libcurl takes every option it needs).
HttpClientPtr NewClient(const CurlClientOptions& options = {}) {
  auto client = MakeCurlHttpClient(options);
  EXPECT_TRUE(client) << client.error().message;
  return client ? std::move(*client) : nullptr;
}

// Hands `count` posts to a new client at once, as a burst from a late caller would be, and
// waits (at most 10 s) for every answer. Returns how many were answered 200, or -1 on timeout.
int PostAllAtOnce(const TinyServer& server, int count, std::shared_ptr<util::StartLimit> limit,
                  const CurlClientOptions& options = {}) {
  std::mutex mutex;
  std::condition_variable done;
  int answered = 0;
  int ok = 0;
  auto client = NewClient(options);
  for (int i = 0; i < count; ++i) {
    ClientRequest r;
    r.url = server.url();
    r.body = "{\"n\":" + std::to_string(i) + "}";
    r.start_limit = limit;
    client->Start(std::move(r), [&](core::Result<ClientResponse> response) {
      std::lock_guard lock(mutex);
      ++answered;
      if (response && response->status == 200) ++ok;
      done.notify_all();
    });
  }
  std::unique_lock lock(mutex);
  if (!done.wait_for(lock, std::chrono::seconds(10), [&] { return answered == count; })) {
    return -1;
  }
  return ok;
}

TEST(CurlHttpClientTest, RequestsOfOneStartLimitLeaveWithinItWhateverTheirHandOver) {
  TinyServer server;
  constexpr int kRequests = 30;
  constexpr int kLimit = 10;
  constexpr auto kWindow = milliseconds(300);
  auto limit = std::make_shared<util::StartLimit>(kLimit, kWindow);
  EXPECT_EQ(PostAllAtOnce(server, kRequests, limit), kRequests);
  auto arrivals = server.Arrivals();
  ASSERT_EQ(arrivals.size(), static_cast<std::size_t>(kRequests));
  std::sort(arrivals.begin(), arrivals.end());
  // Three windows' worth: the last ten cannot have left before two windows passed. And no
  // window held more than the limit (a margin for the machine: the requests after each ten
  // leave a whole window after it).
  EXPECT_GE(arrivals.back() - arrivals.front(), 2 * kWindow - milliseconds(20));
  for (std::size_t i = kLimit; i < arrivals.size(); ++i) {
    EXPECT_GE(arrivals[i] - arrivals[i - kLimit], kWindow - milliseconds(100))
        << "requests " << i - kLimit << " to " << i << " arrived too close together";
  }
}

// Requests that waited inside libcurl for a free connection, and then leave together, still
// leave within the limit: a request counts when libcurl writes it, not when it was handed over.
TEST(CurlHttpClientTest, RequestsWaitingForAConnectionStillLeaveWithinTheLimit) {
  constexpr int kConnections = 5;
  constexpr int kLimit = 5;
  constexpr auto kWindow = milliseconds(300);
  constexpr int kRequests = 15;
  // The first five hold every connection for 500 ms: the next five wait inside libcurl.
  TinyServer server(kConnections, milliseconds(500));
  auto limit = std::make_shared<util::StartLimit>(kLimit, kWindow);
  CurlClientOptions options;
  options.max_host_connections = kConnections;
  EXPECT_EQ(PostAllAtOnce(server, kRequests, limit, options), kRequests);
  EXPECT_EQ(limit->reserved(), 0);
  auto arrivals = server.Arrivals();
  ASSERT_EQ(arrivals.size(), static_cast<std::size_t>(kRequests));
  std::sort(arrivals.begin(), arrivals.end());
  // Counted when handed to libcurl, the second five would leave at 500 ms with the third five
  // (started at 600 ms) right behind them: ten within 100 ms.
  for (std::size_t i = kLimit; i < arrivals.size(); ++i) {
    EXPECT_GE(arrivals[i] - arrivals[i - kLimit], kWindow - milliseconds(100))
        << "requests " << i - kLimit << " to " << i << " arrived too close together";
  }
}

TEST(CurlHttpClientTest, RequestsWithoutAStartLimitAllLeaveAtOnce) {
  TinyServer server;
  std::mutex mutex;
  std::condition_variable done;
  int answered = 0;
  {
    auto client = NewClient();
    for (int i = 0; i < 20; ++i) {
      ClientRequest r;
      r.url = server.url();
      r.body = "{}";
      client->Start(std::move(r), [&](core::Result<ClientResponse> response) {
        EXPECT_TRUE(response && response->status == 200);
        std::lock_guard lock(mutex);
        ++answered;
        done.notify_all();
      });
    }
    std::unique_lock lock(mutex);
    ASSERT_TRUE(done.wait_for(lock, std::chrono::seconds(10), [&] { return answered == 20; }));
  }
  EXPECT_EQ(server.Arrivals().size(), 20u);
}

// Sends `count` copies of `request` to the server, one at a time on one client, and waits (at
// most 10 s) for each answer.
std::vector<core::Result<ClientResponse>> SendInTurn(const TinyServer& server,
                                                     ClientRequest request, int count) {
  request.url = server.url();
  std::vector<core::Result<ClientResponse>> results;
  auto client = NewClient();
  for (int i = 0; i < count; ++i) {
    std::mutex mutex;
    std::condition_variable done;
    std::optional<core::Result<ClientResponse>> result;
    client->Start(ClientRequest(request), [&](core::Result<ClientResponse> response) {
      std::lock_guard lock(mutex);
      result = std::move(response);
      done.notify_all();
    });
    std::unique_lock lock(mutex);
    if (!done.wait_for(lock, std::chrono::seconds(10), [&] { return result.has_value(); })) break;
    results.push_back(std::move(*result));
  }
  return results;
}

// The second of two posts reached the server, which closed without an answer: the provider may
// have acted on it, so it is a failed attempt for the dispatcher, never a silent second copy.
void ExpectSecondFailsUnsentAgain(const ClientRequest& post) {
  TinyServer server(0, milliseconds(0), 1);
  const auto results = SendInTurn(server, post, 2);
  ASSERT_EQ(results.size(), 2u);
  ASSERT_TRUE(results[0]);
  EXPECT_EQ(results[0]->status, 200);
  ASSERT_FALSE(results[1]);
  EXPECT_EQ(results[1].error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(results[1].error().detail.find("not sent again"), std::string::npos)
      << results[1].error().detail;
  EXPECT_EQ(server.Arrivals().size(), 2u);
}

TEST(CurlHttpClientTest, APostWhoseKeptAliveConnectionDiesUnansweredFailsAndIsNotSentAgain) {
  ClientRequest post;
  post.body = R"({"n":1})";
  ExpectSecondFailsUnsentAgain(post);
}

TEST(CurlHttpClientTest, AMultipartPostWhoseKeptAliveConnectionDiesUnansweredIsNotSentAgain) {
  ClientRequest upload;
  upload.multipart.push_back({"messaging_product", "whatsapp", "", ""});
  upload.multipart.push_back({"file", std::string(64 * 1024, 'x'), "a.png", "image/png"});
  ExpectSecondFailsUnsentAgain(upload);
}

// An answer over max_response_bytes is not read further, and says so: the provider answered.
TEST(CurlHttpClientTest, AnAnswerLargerThanTheLimitFailsAsTooLarge) {
  TinyServer server;  // answers "ok": two bytes
  CurlClientOptions options;
  options.max_response_bytes = 1;
  auto client = NewClient(options);
  ClientRequest request;
  request.url = server.url();
  request.body = "{}";
  const auto result = client->Perform(std::move(request));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, core::ErrorCode::kResourceExhausted);
  EXPECT_EQ(result.error().message, "the provider's answer is larger than 1 bytes");
}

// A completion that throws breaks its contract; the loop logs it and goes on answering the
// others, instead of the exception ending the process.
TEST(CurlHttpClientTest, ACompletionThatThrowsDoesNotStopTheClient) {
  TinyServer server;
  auto client = NewClient();
  ClientRequest request;
  request.url = server.url();
  request.body = "{}";
  std::promise<void> thrown;
  client->Start(ClientRequest(request), [&](core::Result<ClientResponse>) {
    thrown.set_value();
    throw std::runtime_error("a completion's bug");
  });
  ASSERT_EQ(thrown.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  const auto second = client->Perform(std::move(request));
  ASSERT_TRUE(second) << second.error().detail;
  EXPECT_EQ(second->status, 200);
}

// A request libcurl refuses to set up (here a URL over libcurl's 8,000,000-byte limit for any
// string option) fails on its own, unsent, naming the option: it is never sent without what
// it relies on (an unchecked CURLOPT_PREREQFUNCTION would drop the re-send guard silently).
TEST(CurlHttpClientTest, ARequestLibcurlRefusesToSetUpFailsUnsentNamingTheOption) {
  TinyServer server;
  auto client = NewClient();
  ASSERT_TRUE(client);
  ClientRequest request;
  request.url = server.url() + "?" + std::string(8'000'001, 'a');
  request.body = "{}";
  auto limit = std::make_shared<util::StartLimit>(1, std::chrono::seconds(1));
  request.start_limit = limit;
  const auto result = client->Perform(std::move(request));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, core::ErrorCode::kInternal);
  EXPECT_EQ(result.error().message, "the HTTP request could not be set up");
  EXPECT_NE(result.error().detail.find("libcurl refused CURLOPT_URL"), std::string::npos)
      << result.error().detail;
  EXPECT_EQ(limit->reserved(), 0) << "an unsent request gives its start back";
  // The client goes on.
  ClientRequest next;
  next.url = server.url();
  next.body = "{}";
  const auto answered = client->Perform(std::move(next));
  ASSERT_TRUE(answered) << answered.error().detail;
  EXPECT_EQ(answered->status, 200);
  EXPECT_EQ(server.Arrivals().size(), 1u);
}

TEST(CurlHttpClientTest, AGetWhoseKeptAliveConnectionDiesUnansweredIsSentAgain) {
  TinyServer server(0, milliseconds(0), 1);
  ClientRequest get;
  get.method = "GET";
  const auto results = SendInTurn(server, get, 2);
  ASSERT_EQ(results.size(), 2u);
  for (const auto& result : results) {
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 200);
  }
  EXPECT_EQ(server.Arrivals().size(), 3u);  // the second GET twice: once lost, once answered
}

}  // namespace
}  // namespace socialgate::net
