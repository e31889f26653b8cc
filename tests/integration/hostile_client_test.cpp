// Hostile and careless clients against the real binary (issue 14): requests refused from their
// head alone (no 100 Continue, no body read or held), the budget of bodies held at once, strict
// body framing and Host, empty path segments, JSON that is cheap to send and dear to parse, and
// error sentences that stay short whatever the client sent. After each, the gateway still
// serves.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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

std::string Config(std::string_view server_keys = {}) {
  return WithServerKeys(
      TestConfig({{.name = "default", .user = "demo", .number = std::string(kNumber)}}),
      server_keys);
}

std::string SendPath() { return "/livechat/default/" + std::string(kSendMethod); }

// A field of /proc/PID/status in kB ("VmHWM", "VmRSS"); -1 when unreadable.
std::int64_t ProcStatusKb(pid_t pid, std::string_view field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(std::string(field) + ":", 0) == 0) {
      return std::stoll(line.substr(field.size() + 1));
    }
  }
  return -1;
}

// Makes VmHWM start again from the current RSS (proc(5), clear_refs "5").
bool ResetPeakRss(pid_t pid) {
  std::ofstream out("/proc/" + std::to_string(pid) + "/clear_refs");
  out << "5";
  return static_cast<bool>(out);
}

// The sanitizers' allocators and shadow memory change what RSS measures.
constexpr bool kSanitized =
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || \
    defined(SOCIALGATE_SANITIZED_BUILD)
    true;
#else
    false;
#endif

class HostileClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    gateway_ = std::make_unique<GatewayProcess>(Config());
    ASSERT_TRUE(gateway_->Start());
    // Credentials checked once, so that later requests need no argon2id check.
    HttpClient client;
    ASSERT_EQ(client.Get(MessageUrl(Base(), "default", "warm-up"), kDemo).status, 404);
  }
  static void TearDownTestSuite() { gateway_.reset(); }
  void TearDown() override {
    ASSERT_TRUE(gateway_->running()) << "the gateway died";
    HttpClient client;
    EXPECT_EQ(client.Get(Base() + "/healthz").status, 200);
  }
  static std::string Base() { return gateway_->base_url(); }

  // Sends `head` (ending in an empty line) on a fresh connection and waits for the answer,
  // sending no body. The gateway must answer, send no 100 Continue, and close.
  static HttpResponse RefusedFromItsHead(const std::string& head, RawSocket& s) {
    EXPECT_TRUE(s.connected());
    EXPECT_TRUE(s.SendAll(head));
    EXPECT_TRUE(s.WaitForClose(std::chrono::seconds(10))) << "not closed: " << s.received();
    EXPECT_EQ(s.received().find("100 Continue"), std::string::npos) << s.received();
    return ParseRawResponse(s.received());
  }

  static inline std::unique_ptr<GatewayProcess> gateway_;
};

// ---- Decided from the head ---------------------------------------------------------------

TEST_F(HostileClientTest, RefusalsComeFromTheHeadWithoutContinueAndWithoutTheBody) {
  const std::string big = "Content-Length: 146800000\r\nExpect: 100-continue\r\n";
  struct Case {
    std::string head;
    long status;
    std::string_view text;
  };
  const std::vector<Case> cases = {
      {"POST /healthz HTTP/1.1\r\nHost: x\r\n" + big + "\r\n", 405, "accepts only GET"},
      {"POST " + SendPath() + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + big +
           "\r\n",
       401, "authentication is required"},
      {"POST " + SendPath() +
           " HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ZGVtbzp3cm9uZw==\r\n"  // demo:wrong
           "Content-Type: application/json\r\n" +
           big + "\r\n",
       401, "wrong user name or password"},
      {"POST /livechat/nowhere/" + std::string(kSendMethod) + " HTTP/1.1\r\nHost: x\r\n" + big +
           "\r\n",
       404, "unknown domain"},
      {"POST " + SendPath() + " HTTP/1.1\r\nHost: x\r\nAuthorization: " +
           std::string(kBasicAuthorization) + "\r\nContent-Type: text/plain\r\n" + big + "\r\n",
       415, "Content-Type"},
      {"POST /nothing/here HTTP/1.1\r\nHost: x\r\n" + big + "\r\n", 404, "no such endpoint"},
  };
  for (const auto& c : cases) {
    RawSocket s(Base());
    const HttpResponse r = RefusedFromItsHead(c.head, s);
    EXPECT_TRUE(IsError(r, c.status, c.text)) << c.head;
  }
}

TEST_F(HostileClientTest, UnauthenticatedClientsCannotMakeTheGatewayHoldTheirBodies) {
  // Eight clients announce 100 MB each and send 8 MB of it without waiting for an answer.
  constexpr int kClients = 8;
  constexpr std::size_t kSent = 8u << 20;
  ASSERT_TRUE(ResetPeakRss(gateway_->pid()));
  const std::int64_t before_kb = ProcStatusKb(gateway_->pid(), "VmRSS");
  std::vector<std::thread> clients;
  std::vector<int> statuses(kClients, 0);
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      RawSocket s(Base());
      if (!s.SendAll("POST " + SendPath() +
                     " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Content-Length: 100000000\r\n\r\n")) {
        return;
      }
      // Sending until the answer comes, as HTTP clients do.
      const std::string chunk(16 * 1024, 'A');
      for (std::size_t sent = 0; sent < kSent && s.SendAll(chunk); sent += chunk.size()) {
        if (s.ReadUntil("\r\n\r\n", milliseconds(1))) break;
      }
      s.WaitForClose(std::chrono::seconds(10));
      statuses[i] = static_cast<int>(ParseRawResponse(s.received()).status);
    });
  }
  for (auto& t : clients) t.join();
  for (int status : statuses) EXPECT_EQ(status, 401);
  const std::int64_t growth_kb = ProcStatusKb(gateway_->pid(), "VmHWM") - before_kb;
  std::printf("unauthenticated bodies: peak RSS grew by %lld kB\n",
              static_cast<long long>(growth_kb));
  // Each may make the gateway hold its header and what was read ahead of it (64 KiB).
  EXPECT_LT(growth_kb, 24 * 1024) << "the gateway's peak RSS grew by " << growth_kb << " kB";
}

TEST(BodyBudgetTest, BodiesBeyondTheBudgetAre503WithRetryAfterBeforeTheyAreRead) {
  GatewayProcess gateway(Config("max_body_bytes = 1048576\nbody_budget_bytes = 1048576\n"));
  ASSERT_TRUE(gateway.Start());
  HttpClient client;
  ASSERT_EQ(client.Get(MessageUrl(gateway.base_url(), "default", "warm-up"), kDemo).status, 404);
  const std::string head = "POST " + SendPath() + " HTTP/1.1\r\nHost: x\r\nAuthorization: " +
                           std::string(kBasicAuthorization) +
                           "\r\nContent-Type: application/json\r\n";
  // One client holds 800 KB of the 1 MiB budget (its 100 Continue comes once the gateway has
  // admitted it and taken the bytes), sending its body slowly...
  RawSocket holder(gateway.base_url());
  ASSERT_TRUE(holder.SendAll(head + "Content-Length: 800000\r\nExpect: 100-continue\r\n\r\n"));
  ASSERT_TRUE(holder.ReadUntil("100 Continue\r\n\r\n", std::chrono::seconds(10)))
      << holder.received();
  holder.TakeReceived();
  ASSERT_TRUE(holder.SendAll(std::string(1000, ' ')));
  // ...so 400 KB more do not fit, by Content-Length or chunked: 503 before the body is read.
  {
    RawSocket s(gateway.base_url());
    ASSERT_TRUE(s.SendAll(head + "Content-Length: 400000\r\nExpect: 100-continue\r\n\r\n"));
    ASSERT_TRUE(s.WaitForClose(std::chrono::seconds(5))) << s.received();
    EXPECT_EQ(s.received().find("100 Continue"), std::string::npos) << s.received();
    const HttpResponse r = ParseRawResponse(s.received());
    EXPECT_TRUE(IsError(r, 503, "request bodies")) << r.Describe();
    EXPECT_EQ(r.Header("retry-after"), "1");
  }
  {
    RawSocket s(gateway.base_url());
    ASSERT_TRUE(s.SendAll(head + "Transfer-Encoding: chunked\r\n\r\n"));
    s.SendAll("10000\r\n" + std::string(0x10000, ' ') + "\r\n");
    ASSERT_TRUE(s.WaitForClose(std::chrono::seconds(5))) << s.received();
    EXPECT_TRUE(IsError(ParseRawResponse(s.received()), 503, "request bodies"));
  }
  // Once the holder's request is answered, its bytes are given back.
  ASSERT_TRUE(holder.SendAll(std::string(800000 - 1000, ' ')));
  ASSERT_TRUE(holder.ReadUntil("\r\n\r\n", std::chrono::seconds(5))) << holder.received();
  holder.Close();
  HttpRequest fits;
  fits.method = "POST";
  fits.url = SendUrl(gateway.base_url(), "default");
  fits.headers = {{"Content-Type", "application/json"}};
  fits.body = SeedRequest(kNumber).dump() + std::string(400000, ' ');
  fits.basic = kDemo;
  // The bytes are given back just after the answer is written: a moment later at most.
  HttpResponse answer;
  for (int i = 0; i < 50; ++i) {
    answer = client.Send(fits);
    if (answer.status != 503) break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ(answer.status, 200) << "the budget was not given back: " << answer.Describe();
}

// ---- Framing ------------------------------------------------------------------------------

TEST_F(HostileClientTest, TransferEncodingOtherThanExactlyChunkedIs400AndClosesTheConnection) {
  // Each body, framed by Content-Length, hides a second request: it must never run.
  const std::string hidden = "GET /livechat/default/messages/hidden HTTP/1.1\r\nHost: x\r\n\r\n";
  for (const std::string coding : {"xchunked", "chunked, identity", "x\r\n chunked", "gzip"}) {
    RawSocket s(Base());
    ASSERT_TRUE(s.SendAll("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + coding +
                          "\r\nContent-Length: " + std::to_string(hidden.size()) + "\r\n\r\n" +
                          hidden));
    ASSERT_TRUE(s.WaitForClose(std::chrono::seconds(5))) << coding;
    const HttpResponse r = ParseRawResponse(s.received());
    EXPECT_TRUE(IsError(r, 400, "Transfer-Encoding")) << coding << ": " << s.received();
    // One answer only: the hidden request was not served.
    EXPECT_EQ(s.received().find("HTTP/1.1", 5), std::string::npos) << s.received();
  }
  // Exactly "chunked" is served.
  RawSocket ok(Base());
  ASSERT_TRUE(
      ok.SendAll("GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "0\r\n\r\n"));
  ASSERT_TRUE(ok.ReadUntil("\"ok\"", std::chrono::seconds(5))) << ok.received();
}

TEST_F(HostileClientTest, Http11NeedsExactlyOneHost) {
  for (const std::string host : {"", "Host: a\r\nHost: b\r\n"}) {
    RawSocket s(Base());
    ASSERT_TRUE(s.SendAll("GET /healthz HTTP/1.1\r\n" + host + "\r\n"));
    ASSERT_TRUE(s.WaitForClose(std::chrono::seconds(5)));
    EXPECT_TRUE(IsError(ParseRawResponse(s.received()), 400, "Host")) << s.received();
  }
  RawSocket old(Base());
  ASSERT_TRUE(old.SendAll("GET /healthz HTTP/1.0\r\n\r\n"));
  ASSERT_TRUE(old.WaitForClose(std::chrono::seconds(5)));
  EXPECT_EQ(ParseRawResponse(old.received()).status, 200) << old.received();
}

TEST_F(HostileClientTest, EmptyPathSegmentsAreNoEndpoint) {
  HttpClient client;
  for (const std::string path : {"//livechat/default/messages/x", "/livechat//default/messages/x",
                                 "/livechat/default//messages/x", "//healthz"}) {
    EXPECT_TRUE(IsError(client.Get(Base() + path, kDemo), 404, "no such endpoint")) << path;
  }
  EXPECT_EQ(client.Get(Base() + "/healthz/").status, 200);  // one trailing '/' is tolerated
}

// ---- Cheap JSON, expensive memory ----------------------------------------------------------

TEST(JsonMemoryTest, PaddedSendsPeakWithinThreeTimesTheirBody) {
  GatewayProcess gateway(Config());
  ASSERT_TRUE(gateway.Start());
  HttpClient client;
  ASSERT_EQ(client.Get(MessageUrl(gateway.base_url(), "default", "warm-up"), kDemo).status, 404);
  const std::string seed = SeedRequest(kNumber).dump();
  const std::string prefix = seed.substr(0, seed.size() - 1) + ",\"junk\":";
  constexpr std::size_t kBody = 60u << 20;
  struct Case {
    std::string name;
    std::string body;
    long status;
  };
  std::vector<Case> cases;
  {
    std::string zeros = prefix + "[0";
    while (zeros.size() < kBody) zeros += ",0";
    cases.push_back({"an array of numbers", zeros + "]}", 400});
    std::string text = prefix + "\"";
    text.append(kBody - text.size(), 'A');
    cases.push_back({"one long string", text + "\"}", 200});
  }
  for (auto& c : cases) {
    ASSERT_TRUE(ResetPeakRss(gateway.pid()));
    const std::int64_t before_kb = ProcStatusKb(gateway.pid(), "VmRSS");
    const std::size_t body_kb = c.body.size() / 1024;
    HttpRequest r;
    r.method = "POST";
    r.url = SendUrl(gateway.base_url(), "default");
    r.headers = {{"Content-Type", "application/json"}};
    r.body = std::move(c.body);
    r.basic = kDemo;
    const HttpResponse answer = client.Send(r);
    EXPECT_EQ(answer.status, c.status) << c.name << ": " << answer.Describe();
    if (c.status == 400) {
      EXPECT_TRUE(IsError(answer, 400, "holds more than 10000 JSON values"));
    }
    const std::int64_t growth_kb = ProcStatusKb(gateway.pid(), "VmHWM") - before_kb;
    std::printf("json memory: %s of %zu kB: peak RSS grew by %lld kB (%.2fx)\n", c.name.c_str(),
                body_kb, static_cast<long long>(growth_kb),
                static_cast<double>(growth_kb) / static_cast<double>(body_kb));
    if (!kSanitized) {
      EXPECT_LE(growth_kb, static_cast<std::int64_t>(3 * body_kb))
          << c.name << ": peak RSS grew by " << growth_kb << " kB for a body of " << body_kb
          << " kB";
    }
  }
}

// ---- What error sentences quote ------------------------------------------------------------

TEST_F(HostileClientTest, ErrorSentencesQuoteAShortPrefixOfWhatWasSent) {
  HttpClient client;
  const std::string long_id(8 * 1024, 'x');
  const HttpResponse missing = client.Get(MessageUrl(Base(), "default", long_id), kDemo);
  EXPECT_TRUE(IsError(missing, 404, "messageId: no message 'xxxx"));
  EXPECT_LT(missing.body.size(), 300u) << missing.body.size();
  const HttpResponse domain =
      client.Get(MessageUrl(Base(), std::string(8 * 1024, 'd'), "x"), kDemo);
  EXPECT_TRUE(IsError(domain, 404, "unknown domain"));
  EXPECT_LT(domain.body.size(), 300u);
  const HttpResponse path = client.Get(Base() + "/" + std::string(8 * 1024, 'p'));
  EXPECT_TRUE(IsError(path, 404, "no such endpoint"));
  EXPECT_LT(path.body.size(), 300u);
}

TEST_F(HostileClientTest, OversizedCredentialsAreToldTheyAreTooLong) {
  HttpClient client;
  const HttpResponse basic =
      client.Get(MessageUrl(Base(), "default", "x"), Credentials{"demo", std::string(9000, 'p')});
  EXPECT_TRUE(IsError(basic, 401, "the Basic credentials are longer than 1024 bytes"));
  HttpRequest bearer;
  bearer.url = MessageUrl(Base(), "default", "x");
  bearer.headers = {{"Authorization", "Bearer " + std::string(12 * 1024, 't')}};
  EXPECT_TRUE(IsError(client.Send(bearer), 401, "the bearer token is longer than 1024 bytes"));
}

TEST_F(HostileClientTest, LoginRefusesRepeatedKeys) {
  HttpClient client;
  const HttpResponse r = client.PostJson(
      Base() + "/livechat/default/login",
      R"({"username":"demo","password":"wrong","password":")" + std::string(kTestPassword) + "\"}");
  EXPECT_TRUE(IsError(r, 400, "password: appears more than once")) << r.Describe();
}

}  // namespace
}  // namespace socialgate::testing
