// Graceful shutdown: SIGTERM lets a request that is already in flight finish with its real
// answer, then the process exits 0.
#include <chrono>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gateway_process.hpp"
#include "http_client.hpp"
#include "raw_socket.hpp"

namespace socialgate::testing {
namespace {

using std::chrono::milliseconds;

std::string BasicAuthorization() {
  // "demo:socialgate-demo" in base64.
  return "Basic ZGVtbzpzb2NpYWxnYXRlLWRlbW8=";
}

TEST(ShutdownTest, SigtermCompletesTheRequestInFlightAndExitsZero) {
  GatewayProcess gateway(
      TestConfig({{.name = "default", .user = "demo", .number = "3902124122690"}}));
  ASSERT_TRUE(gateway.Start());

  // Headers first, with "Expect: 100-continue": the "100 Continue" answer proves the gateway has
  // read them, so the request is in flight (not an idle connection) when SIGTERM arrives.
  RawSocket connection(gateway.base_url());
  ASSERT_TRUE(connection.connected());
  const std::string body = SeedRequest().dump();
  const std::string head =
      "POST /livechat/default/" + std::string(kSendMethod) +
      " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + BasicAuthorization() +
      "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n";
  ASSERT_TRUE(connection.SendAll(head));
  ASSERT_TRUE(connection.ReadUntil("\r\n\r\n", milliseconds(5000))) << connection.received();
  ASSERT_EQ(connection.received().rfind("HTTP/1.1 100", 0), 0u) << connection.received();

  gateway.SendSignal(SIGTERM);
  ASSERT_TRUE(gateway.WaitForStderr("shutting down", milliseconds(5000)))
      << gateway.ReadStderrLog();

  // New connections are refused once the gateway is draining.
  HttpClient late;
  EXPECT_EQ(late.Get(gateway.base_url() + "/healthz").status, 0);

  ASSERT_TRUE(connection.SendAll(body));
  EXPECT_TRUE(connection.WaitForClose(milliseconds(15000))) << connection.received();
  const std::string& text = connection.received();
  const auto final_status = text.find("HTTP/1.1 ", 12);  // after the "100 Continue"
  ASSERT_NE(final_status, std::string::npos) << text;
  EXPECT_EQ(text.substr(final_status, 12), "HTTP/1.1 200") << text;
  const auto body_at = text.find("\r\n\r\n", final_status);
  ASSERT_NE(body_at, std::string::npos) << text;
  const nlohmann::json answer =
      nlohmann::json::parse(text.substr(body_at + 4), nullptr, /*allow_exceptions=*/false);
  EXPECT_EQ(answer.value("result", false), true) << text;
  EXPECT_EQ(answer.value("status", ""), "accepted") << text;

  const auto exit = gateway.WaitForExit(milliseconds(15000));
  ASSERT_TRUE(exit.has_value()) << "still running 15 s after SIGTERM";
  EXPECT_TRUE(exit->ExitedWith(0)) << exit->ToString();
}

TEST(ShutdownTest, SigtermDuringConcurrentRequestsAnswersEveryOneThatWasRead) {
  GatewayProcess gateway(
      TestConfig({{.name = "default", .user = "demo", .number = "3902124122690"}}));
  ASSERT_TRUE(gateway.Start());
  const std::string url = SendUrl(gateway.base_url(), "default");
  const Credentials demo{"demo", std::string(kTestPassword)};
  {
    HttpClient warm;  // one successful login, so the threads do not all wait on argon2id
    ASSERT_EQ(warm.PostJson(url, SeedRequest().dump(), demo).status, 200);
  }

  // Several clients each with a request the gateway has fully received and not yet answered:
  // the header goes first (100 Continue), then the body, then SIGTERM.
  constexpr int kClients = 4;
  std::vector<std::unique_ptr<RawSocket>> connections;
  const std::string body = SeedRequest().dump();
  for (int i = 0; i < kClients; ++i) {
    auto c = std::make_unique<RawSocket>(gateway.base_url());
    ASSERT_TRUE(c->connected());
    ASSERT_TRUE(
        c->SendAll("POST /livechat/default/" + std::string(kSendMethod) +
                   " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + BasicAuthorization() +
                   "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                   "Content-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n"));
    ASSERT_TRUE(c->ReadUntil("\r\n\r\n", milliseconds(5000))) << c->received();
    connections.push_back(std::move(c));
  }
  for (auto& c : connections) ASSERT_TRUE(c->SendAll(body));
  gateway.SendSignal(SIGTERM);

  for (auto& c : connections) {
    EXPECT_TRUE(c->WaitForClose(milliseconds(15000))) << c->received();
    const auto final_status = c->received().find("HTTP/1.1 ", 12);
    ASSERT_NE(final_status, std::string::npos) << c->received();
    EXPECT_EQ(c->received().substr(final_status, 12), "HTTP/1.1 200") << c->received();
  }
  const auto exit = gateway.WaitForExit(milliseconds(15000));
  ASSERT_TRUE(exit.has_value()) << "still running 15 s after SIGTERM";
  EXPECT_TRUE(exit->ExitedWith(0)) << exit->ToString();
}

}  // namespace
}  // namespace socialgate::testing
