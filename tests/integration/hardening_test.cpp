// The HTTP server's limits against hostile or broken clients, on the real binary (raw sockets
// where libcurl cannot express the request): a trickled header (slowloris) is cut off after
// server.header_timeout_ms while an idle keep-alive connection lives until idle_timeout_ms; an
// oversized body (413, by Content-Length before it is sent, or chunked), oversized headers
// (431), deeply nested JSON (400), too many connections (refused without service) and garbage
// requests (400). After each, the gateway still answers /healthz.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gateway_process.hpp"
#include "http_client.hpp"
#include "raw_socket.hpp"

namespace socialgate::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view kNumber = "3902124122690";
const Credentials kDemo{"demo", std::string(kTestPassword)};
constexpr std::string_view kBasicAuthorization = kTestDemoAuthorization;

constexpr int kHeaderTimeoutMs = 1000;
constexpr int kIdleTimeoutMs = 3000;
constexpr int kMaxBodyBytes = 2048;
constexpr int kMaxHeaderBytes = 1024;
constexpr int kMaxConnections = 4;

// TestConfig with tight [server] limits.
std::string HardeningConfig() {
  std::string toml =
      TestConfig({{.name = "default", .user = "demo", .number = std::string(kNumber)}});
  const std::string limits = "[server]\nheader_timeout_ms = " + std::to_string(kHeaderTimeoutMs) +
                             "\nidle_timeout_ms = " + std::to_string(kIdleTimeoutMs) +
                             "\nmax_body_bytes = " + std::to_string(kMaxBodyBytes) +
                             "\nmax_header_bytes = " + std::to_string(kMaxHeaderBytes) +
                             "\nmax_connections = " + std::to_string(kMaxConnections) + "\n";
  const auto at = toml.find("[server]\n");
  if (at == std::string::npos) {
    ADD_FAILURE() << "TestConfig has no [server] table:\n" << toml;
    return toml;
  }
  return toml.replace(at, std::string_view("[server]\n").size(), limits);
}

std::string SendPath() { return "/livechat/default/" + std::string(kSendMethod); }

// One gateway for the suite; each test leaves it healthy (checked in TearDown).
class HardeningTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    gateway_ = std::make_unique<GatewayProcess>(HardeningConfig());
    ASSERT_TRUE(gateway_->Start());
  }
  static void TearDownTestSuite() { gateway_.reset(); }
  void SetUp() override { ASSERT_TRUE(gateway_ && gateway_->running()); }
  void TearDown() override {
    // The process survived the test and still serves (a connection slot may take a moment to
    // be released after the test closed its sockets: bounded retry).
    ASSERT_TRUE(gateway_->running()) << "the gateway died";
    HttpResponse r;
    const auto deadline = Clock::now() + std::chrono::seconds(3);
    do {
      HttpClient fresh;
      r = fresh.Get(gateway_->base_url() + "/healthz");
      if (r.status == 200) break;
      std::this_thread::sleep_for(milliseconds(50));
    } while (Clock::now() < deadline);
    EXPECT_EQ(r.status, 200) << "/healthz after the test: " << r.Describe();
    EXPECT_TRUE(gateway_->running()) << "the gateway died";
  }

  static std::string Base() { return gateway_->base_url(); }

  static inline std::unique_ptr<GatewayProcess> gateway_;
};

// ---- Slow and idle clients ----------------------------------------------------------------------

TEST_F(HardeningTest, SlowlorisHeaderIsCutOffAfterTheHeaderTimeout) {
  RawSocket s(Base());
  ASSERT_TRUE(s.connected());
  ASSERT_TRUE(s.SendAll("POST " + SendPath() + " HTTP/1.1\r\nHost: x\r\n"));
  const auto start = Clock::now();
  // One more header byte every 300 ms, until the gateway hangs up (or 4 s).
  const std::string trickle = "X-Slowloris: " + std::string(64, 'a');
  for (std::size_t i = 0; i < trickle.size(); ++i) {
    if (!s.SendAll(trickle.substr(i, 1))) break;
    if (s.WaitForClose(milliseconds(300))) break;
    if (Clock::now() - start > std::chrono::seconds(4)) break;
  }
  const auto after = std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
  EXPECT_TRUE(s.closed()) << "the connection is still open after " << after << " ms";
  EXPECT_LT(after, 4000);
  EXPECT_GE(after, kHeaderTimeoutMs - 200) << "cut off before the header timeout";
  EXPECT_EQ(s.received().find("HTTP/1.1 2"), std::string::npos) << s.received();
}

TEST_F(HardeningTest, IdleConnectionsLiveUntilTheIdleTimeoutNotTheHeaderTimeout) {
  // One connection that never sends anything, one kept alive after an answer.
  RawSocket fresh(Base());
  RawSocket kept(Base());
  ASSERT_TRUE(fresh.connected());
  ASSERT_TRUE(kept.connected());
  ASSERT_TRUE(kept.SendAll("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(kept.ReadUntil("\"ok\"", milliseconds(3000))) << kept.received();
  EXPECT_EQ(ParseRawResponse(kept.received()).status, 200) << kept.received();
  const auto start = Clock::now();

  // Past the header timeout (1 s), both are still open at 1.5 s...
  std::this_thread::sleep_until(start + milliseconds(1500));
  EXPECT_FALSE(fresh.WaitForClose(milliseconds(5))) << "an idle connection was closed before 1.5 s";
  EXPECT_FALSE(kept.WaitForClose(milliseconds(5)))
      << "a kept-alive connection was closed before 1.5 s";
  // ...and closed by the idle timeout (3 s), without an answer.
  const auto deadline = start + milliseconds(4500);
  EXPECT_TRUE(fresh.WaitForClose(std::chrono::ceil<milliseconds>(deadline - Clock::now())))
      << "an idle connection is still open after 4.5 s";
  EXPECT_TRUE(kept.WaitForClose(std::chrono::ceil<milliseconds>(deadline - Clock::now())))
      << "a kept-alive connection is still open after 4.5 s";
  EXPECT_TRUE(fresh.received().empty()) << fresh.received();
}

// ---- Sizes --------------------------------------------------------------------------------------

TEST_F(HardeningTest, BodyOverTheLimitByContentLengthIs413BeforeItIsSent) {
  RawSocket s(Base());
  ASSERT_TRUE(s.connected());
  // The header only: the answer must come without the client sending its 10 KB body.
  ASSERT_TRUE(s.SendAll("POST " + SendPath() + " HTTP/1.1\r\nHost: x\r\nAuthorization: " +
                        std::string(kBasicAuthorization) +
                        "\r\nContent-Type: application/json\r\nContent-Length: 10240\r\n\r\n"));
  s.WaitForClose(milliseconds(5000));
  EXPECT_TRUE(s.closed()) << "the connection stays open after the 413";
  EXPECT_TRUE(IsError(ParseRawResponse(s.received()), 413, std::to_string(kMaxBodyBytes)))
      << s.received();

  // A request under the limit is served.
  HttpClient client;
  const HttpResponse ok = client.PostJson(Base() + SendPath(), SeedRequest(kNumber).dump(), kDemo);
  EXPECT_EQ(ok.status, 200) << ok.Describe();
}

TEST_F(HardeningTest, ChunkedBodyOverTheLimitIs413) {
  RawSocket s(Base());
  ASSERT_TRUE(s.connected());
  // Two chunks of 1100 bytes: 2200 > 2048.
  const std::string chunk = "44c\r\n" + std::string(1100, 'x') + "\r\n";
  ASSERT_TRUE(s.SendAll(
      "POST " + SendPath() +
      " HTTP/1.1\r\nHost: x\r\nAuthorization: " + std::string(kBasicAuthorization) +
      "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk));
  s.WaitForClose(milliseconds(5000));
  EXPECT_TRUE(IsError(ParseRawResponse(s.received()), 413, std::to_string(kMaxBodyBytes)))
      << s.received();

  // A chunked body under the limit is served.
  RawSocket small(Base());
  ASSERT_TRUE(small.connected());
  const std::string body = SeedRequest(kNumber).dump();
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size());
  ASSERT_TRUE(small.SendAll("POST " + SendPath() + " HTTP/1.1\r\nHost: x\r\nAuthorization: " +
                            std::string(kBasicAuthorization) +
                            "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                            "Connection: close\r\n\r\n" +
                            size + "\r\n" + body + "\r\n0\r\n\r\n"));
  small.WaitForClose(milliseconds(10000));
  EXPECT_EQ(ParseRawResponse(small.received()).status, 200) << small.received();
}

TEST_F(HardeningTest, HeaderOverTheLimitIs431) {
  HttpClient client;
  HttpRequest request;
  request.url = Base() + "/healthz";
  request.headers = {{"X-Large", std::string(4096, 'h')}};
  const HttpResponse r = client.Send(request);
  EXPECT_TRUE(IsError(r, 431, "too large"));
}

TEST_F(HardeningTest, DeeplyNestedJsonIs400NamingTheNesting) {
  // 100 levels of arrays in a field the endpoint ignores: refused by the parser's depth limit.
  auto nested = [](int depth) {
    std::string body = SeedRequest(kNumber).dump();
    body.pop_back();  // the closing brace
    return body + ",\"ignoredField\":" + std::string(static_cast<std::size_t>(depth), '[') +
           std::string(static_cast<std::size_t>(depth), ']') + "}";
  };
  HttpClient client;
  const HttpResponse r = client.PostJson(Base() + SendPath(), nested(100), kDemo);
  EXPECT_TRUE(IsError(r, 400, "nested"));
  EXPECT_TRUE(IsError(r, 400, "32"));
  // A shallow one in the same field is ignored.
  const HttpResponse ok = client.PostJson(Base() + SendPath(), nested(10), kDemo);
  EXPECT_EQ(ok.status, 200) << ok.Describe();
}

// ---- Connections --------------------------------------------------------------------------------

TEST_F(HardeningTest, ConnectionsOverTheLimitAreClosedWithoutService) {
  // Four served, then idle, keep-alive connections fill the limit. (Connections of earlier tests
  // may still be counted for a moment after they closed: retry, bounded.)
  std::vector<std::unique_ptr<RawSocket>> held;
  const auto deadline = Clock::now() + std::chrono::seconds(3);
  while (held.size() < static_cast<std::size_t>(kMaxConnections) && Clock::now() < deadline) {
    auto s = std::make_unique<RawSocket>(Base());
    ASSERT_TRUE(s->connected());
    if (s->SendAll("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") &&
        s->ReadUntil("\"ok\"", milliseconds(2000))) {
      s->TakeReceived();
      held.push_back(std::move(s));
    } else {
      std::this_thread::sleep_for(milliseconds(50));
    }
  }
  ASSERT_EQ(held.size(), static_cast<std::size_t>(kMaxConnections))
      << "could not open " << kMaxConnections << " served connections";

  // A fifth is accepted by the kernel, then closed by the gateway without an answer.
  RawSocket fifth(Base());
  ASSERT_TRUE(fifth.connected());
  fifth.SendAll("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(fifth.WaitForClose(milliseconds(2000))) << "the fifth connection stays open";
  EXPECT_TRUE(fifth.received().empty()) << "the fifth connection was served: " << fifth.received();

  // The four are still served.
  ASSERT_TRUE(held[0]->SendAll("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(held[0]->ReadUntil("\"ok\"", milliseconds(2000))) << held[0]->received();

  // Once one closes, new connections are served again (the slot is released when the gateway
  // sees the close: bounded retry).
  held.back()->Close();
  bool served = false;
  const auto retry_until = Clock::now() + std::chrono::seconds(2);
  while (!served && Clock::now() < retry_until) {
    RawSocket next(Base());
    ASSERT_TRUE(next.connected());
    served = next.SendAll("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") &&
             next.ReadUntil("\"ok\"", milliseconds(1000));
    if (!served) std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_TRUE(served) << "no new connection was served after one of the four closed";
  held.clear();
}

// ---- Garbage ------------------------------------------------------------------------------------

// The start of a TLS handshake (with a NUL byte), then text.
constexpr char kGarbage[] = "\x16\x03\x01\x02\x00\xff garbage\r\n\r\n";

struct Malformed {
  std::string name;
  std::string request;
};

void PrintTo(const Malformed& malformed, std::ostream* os) { *os << malformed.name; }

class MalformedRequestTest : public HardeningTest,
                             public ::testing::WithParamInterface<Malformed> {};

TEST_P(MalformedRequestTest, Is400Json) {
  RawSocket s(Base());
  ASSERT_TRUE(s.connected());
  ASSERT_TRUE(s.SendAll(GetParam().request));
  s.WaitForClose(milliseconds(3000));
  EXPECT_TRUE(s.closed()) << "the connection stays open after a malformed request";
  EXPECT_TRUE(IsError(ParseRawResponse(s.received()), 400, "malformed")) << s.received();
}

INSTANTIATE_TEST_SUITE_P(
    Requests, MalformedRequestTest,
    ::testing::Values(Malformed{"ControlCharacterInTarget",
                                "GET /heal\x01thz HTTP/1.1\r\nHost: x\r\n\r\n"},
                      Malformed{"ControlCharacterInHeaderValue",
                                "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01z\r\n\r\n"},
                      Malformed{"BinaryGarbage", std::string(kGarbage, sizeof kGarbage - 1)},
                      Malformed{"NoHttpVersion", "GET /healthz\r\nHost: x\r\n\r\n"}),
    [](const ::testing::TestParamInfo<Malformed>& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace socialgate::testing
