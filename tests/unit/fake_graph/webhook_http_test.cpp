// The real posting path of the status webhooks (MakeHttpWebhookPoster over net::HttpClient)
// against a small HTTP receiver on a free port of 127.0.0.1: the bytes and headers that arrive,
// a refused POST retried with the same bytes, an unreachable URL, and a shutdown that does not
// wait for a receiver that never answers. Waits are for conditions, bounded by a deadline.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include "fake-graph/fake_graph.hpp"
#include "fake-graph/webhook_dispatcher.hpp"
#include "fake-graph/webhook_poster.hpp"
#include "http/server.hpp"
#include "support/eventually.hpp"
#include "test_support.hpp"

namespace socialgate::fake_graph {
namespace {

using namespace test_support;  // NOLINT: the test helpers
using nlohmann::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr char kSecret[] = "receiver-test-secret";

// An HttpServer on a free loopback port, on its own thread, keeping every request it gets.
// `answer(i)` is the status answering the i-th request (0-based); 0 holds it until Release().
class Receiver {
 public:
  explicit Receiver(std::function<unsigned(std::size_t)> answer = {}) : status_(std::move(answer)) {
    http::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 1;
    options.shutdown_grace = milliseconds(500);
    auto server =
        http::HttpServer::Create(options, [this](http::HttpRequest&& request, http::Responder r) {
          std::size_t index = 0;
          {
            std::lock_guard lock(mutex_);
            index = requests_.size();
            requests_.push_back(std::move(request));
          }
          const unsigned status = status_ ? status_(index) : 200;
          if (status == 0) {
            std::lock_guard lock(mutex_);
            held_.push_back(std::move(r));
            return;
          }
          r(http::HttpResponse{status, "application/json", "{}", {}, false});
        });
    EXPECT_TRUE(server.has_value());
    if (!server) return;
    server_ = std::move(*server);
    thread_ = std::thread([this] { server_->Run(); });
  }
  ~Receiver() {
    Release();
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_ ? server_->port() : 0) + "/webhooks/meta";
  }
  std::vector<http::HttpRequest> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }
  // Answers the held requests 200.
  void Release() {
    std::vector<http::Responder> held;
    {
      std::lock_guard lock(mutex_);
      held.swap(held_);
    }
    for (auto& r : held) r(http::HttpResponse{200, "application/json", "{}", {}, false});
  }

 private:
  std::function<unsigned(std::size_t)> status_;
  std::unique_ptr<http::HttpServer> server_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<http::HttpRequest> requests_;
  std::vector<http::Responder> held_;
};

// A loopback port nothing listens on (bound, then closed).
std::uint16_t ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t length = sizeof addr;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length), 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

WebhookOptions Hooks(std::string url, std::int64_t sent, std::int64_t delivered,
                     std::int64_t read) {
  WebhookOptions o;
  o.url = std::move(url);
  o.app_secret = kSecret;
  o.sent_ms = sent;
  o.delivered_ms = delivered;
  o.read_ms = read;
  o.first_retry_delay = milliseconds(20);
  return o;
}

std::unique_ptr<WebhookPoster> RealPoster(milliseconds timeout = milliseconds(5'000)) {
  auto poster = MakeHttpWebhookPoster(timeout);
  EXPECT_TRUE(poster.has_value());
  return poster ? std::move(*poster) : nullptr;
}

AcceptedSend Send() {
  return AcceptedSend{"106540352242922", "wamid.X", "447700900123", "gw-1", std::nullopt};
}

TEST(WebhookHttpTest, TheReceiverGetsSignedStatusBodiesOfTheSend) {
  Receiver receiver;
  Options options = TestOptions();
  options.webhooks = Hooks(receiver.url(), 0, 0, 0);
  FakeGraph graph(options, RealPoster());
  const auto answer = Call(graph, SendRequest(TemplateBody("+447700900123", "x", "gw-msg-7")));
  ASSERT_EQ(answer.status, 200u) << answer.body;
  const std::string wamid = Json(answer)["messages"][0]["id"];
  ASSERT_TRUE(support::Eventually([&] { return receiver.count() == 3; }));
  std::vector<std::string> statuses;
  for (const auto& r : receiver.requests()) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.path, "/webhooks/meta");
    EXPECT_EQ(r.Header("content-type"), "application/json");
    EXPECT_EQ(r.Header("user-agent"), "facebookexternalua");
    // The header signs exactly the bytes that arrived.
    EXPECT_EQ(r.Header("x-hub-signature-256"), HubSignature256(kSecret, r.body));
    EXPECT_EQ(r.body.find('\n'), std::string::npos);  // compact
    const json status = json::parse(r.body)["entry"][0]["changes"][0]["value"]["statuses"][0];
    EXPECT_EQ(status["id"], wamid);
    EXPECT_EQ(status["biz_opaque_callback_data"], "gw-msg-7");
    statuses.push_back(status["status"]);
  }
  EXPECT_EQ(statuses, (std::vector<std::string>{"sent", "delivered", "read"}));
  ASSERT_TRUE(support::Eventually(
      [&] { return Json(Call(graph, Request("GET", "/_fake/webhooks")))["answered_2xx"] == 3; }));
}

TEST(WebhookHttpTest, ARefusedPostIsRetriedWithTheSameBytes) {
  Receiver receiver([](std::size_t i) { return i == 0 ? 503u : 200u; });
  WebhookDispatcher hooks(Hooks(receiver.url(), 0, -1, -1), RealPoster());
  hooks.Add(Send());
  ASSERT_TRUE(support::Eventually([&] { return hooks.Counters().answered_2xx == 1; }));
  const auto c = hooks.Counters();
  EXPECT_EQ(c.posted, 2u);
  EXPECT_EQ(c.refused, 1u);
  EXPECT_EQ(c.retried, 1u);
  EXPECT_EQ(c.failed, 0u);
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].body, requests[1].body);
  EXPECT_EQ(requests[0].Header("x-hub-signature-256"), requests[1].Header("x-hub-signature-256"));
}

TEST(WebhookHttpTest, AnUnreachableReceiverCountsUnansweredThenFailed) {
  auto options =
      Hooks("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/webhooks/meta", 0, -1, -1);
  options.max_attempts = 2;
  WebhookDispatcher hooks(options, RealPoster());
  hooks.Add(Send());
  ASSERT_TRUE(support::Eventually([&] { return hooks.Counters().failed == 1; }));
  const auto c = hooks.Counters();
  EXPECT_EQ(c.posted, 2u);
  EXPECT_EQ(c.unanswered, 2u);
  EXPECT_EQ(c.answered_2xx, 0u);
}

TEST(WebhookHttpTest, DrainGivesUpOnAReceiverThatDoesNotAnswerAtItsDeadline) {
  Receiver receiver([](std::size_t) { return 0u; });  // holds every answer
  WebhookDispatcher hooks(Hooks(receiver.url(), 0, 0, -1), RealPoster());
  hooks.Add(Send());
  ASSERT_TRUE(support::Eventually([&] { return receiver.count() == 1; }));
  const auto start = Clock::now();
  EXPECT_FALSE(hooks.Drain(Clock::now() + milliseconds(100)));  // sent is still out
  EXPECT_LT(Clock::now() - start, milliseconds(2'000));
  EXPECT_EQ(hooks.Counters().pending, 0u);  // delivered was dropped
  receiver.Release();
  EXPECT_TRUE(hooks.Drain(Clock::now() + milliseconds(5'000)));
  EXPECT_EQ(receiver.count(), 1u);  // nothing posted after the close
}

}  // namespace
}  // namespace socialgate::fake_graph
