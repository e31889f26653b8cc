// SIGHUP reload (app/config_reload.hpp) against the real binary: users, passwords, business
// numbers, callback URLs and the log level change without a restart, on a connection opened
// before the reload; an invalid file is refused with its reason in the log and the running
// configuration kept; messages sent while reloads happen are all delivered.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gateway_process.hpp"
#include "http_client.hpp"
#include "raw_socket.hpp"

namespace socialgate::testing {
namespace {

constexpr std::chrono::seconds kReloadWait{10};
constexpr const char* kFirstNumber = "3902124122690";
constexpr const char* kAddedNumber = "3902124122691";

// The argon2id hash of `password`, from the binary's own hash-secret.
std::string HashOf(const std::string& password) {
  const std::string command = "echo '" + password + "' | " + SOCIALGATE_BINARY + " hash-secret";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {};
  std::string out;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  ::pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

void Rewrite(const GatewayProcess& gateway, const std::string& toml) {
  std::ofstream out(gateway.config_path(), std::ios::binary | std::ios::trunc);
  out << toml;
  ASSERT_TRUE(out.flush()) << "cannot write " << gateway.config_path();
}

// Reloads and waits for the line that says how it went (the n-th such line: each reload
// writes one).
::testing::AssertionResult ReloadAndWait(GatewayProcess& gateway, std::string_view line,
                                         std::size_t nth) {
  gateway.SendSignal(SIGHUP);
  const auto deadline = std::chrono::steady_clock::now() + kReloadWait;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string log = gateway.ReadStderrLog();
    std::size_t count = 0;
    for (auto at = log.find(line); at != std::string::npos; at = log.find(line, at + 1)) ++count;
    if (count >= nth) return ::testing::AssertionSuccess();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ::testing::AssertionFailure() << "no " << nth << "th '" << line << "' in the log";
}

std::string Send(HttpClient& client, const GatewayProcess& gateway, const Credentials& who,
                 const std::string& number, long* status = nullptr) {
  // A customer per message: Meta's pair limit (10 a minute to one customer) paces nothing here.
  static int customers = 0;
  nlohmann::json body = SeedRequest(number);
  body["customerPhoneNumber"] = "3933300" + std::to_string(10000 + ++customers);
  const HttpResponse r = client.PostJson(SendUrl(gateway.base_url(), "acme"), body.dump(), who);
  if (status != nullptr) *status = r.status;
  if (r.status != 200) return {};
  return r.Json().value("messageId", std::string());
}

// A raw keep-alive request on `socket`; its status (0 when no answer came).
long RawGet(RawSocket& socket, const std::string& path) {
  if (!socket.SendAll("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) return 0;
  if (!socket.ReadUntil("\r\n\r\n", std::chrono::seconds(5))) return 0;
  (void)socket.ReadUntil("ok", std::chrono::milliseconds(500));  // the small body
  return ParseRawResponse(socket.TakeReceived()).status;
}

TEST(ReloadTest, UsersNumbersCallbacksAndTheLogLevelChangeOnSighupOnAnOpenConnection) {
  const std::string base = TestConfig({{.name = "acme", .user = "alice", .number = kFirstNumber}});
  GatewayProcess gateway(base);
  ASSERT_TRUE(gateway.Start());
  const Credentials alice{"alice", std::string(kTestPassword)};
  const Credentials alice_new{"alice", "rotated-password-1"};
  const Credentials bob{"bob", std::string(kTestPassword)};
  HttpClient client;
  long status = 0;
  ASSERT_FALSE(Send(client, gateway, alice, kFirstNumber).empty());
  Send(client, gateway, bob, kFirstNumber, &status);
  EXPECT_EQ(status, 401);
  Send(client, gateway, alice, kAddedNumber, &status);
  EXPECT_EQ(status, 422) << "a number the domain does not have";

  HttpRequest marked_before;
  marked_before.url = gateway.base_url() + "/healthz";
  marked_before.headers = {{"X-Request-Id", "before-warn-level"}};
  EXPECT_EQ(client.Send(marked_before).status, 200);

  RawSocket opened_before(gateway.base_url());
  ASSERT_TRUE(opened_before.connected());
  ASSERT_EQ(RawGet(opened_before, "/healthz"), 200);

  // alice's password rotated, bob added, a second number, callbacks, and only warnings logged.
  const std::string rotated_hash = HashOf(alice_new.password);
  ASSERT_TRUE(rotated_hash.starts_with("$argon2id$")) << rotated_hash;
  std::string next = base;
  const std::string old_user =
      "name = \"alice\"\n  password_hash = \"" + std::string(kTestPasswordHash) + "\"\n";
  const auto at = next.find(old_user);
  ASSERT_NE(at, std::string::npos);
  next.replace(at, old_user.size(),
               "name = \"alice\"\n  password_hash = \"" + rotated_hash + "\"\n" +
                   "  [[domains.users]]\n  name = \"bob\"\n  password_hash = \"" +
                   std::string(kTestPasswordHash) + "\"\n");
  next += "  [[domains.numbers]]\n  phone = \"" + std::string(kAddedNumber) +
          "\"\n  provider = \"sandbox\"\n  [domains.numbers.sandbox]\n  sent_after_ms = 20\n"
          "  delivered_after_ms = 40\n  read_after_ms = 60\n"
          "  [domains.callbacks]\n  url = \"http://127.0.0.1:9/callbacks\"\n"
          "  secret_file = \"callback-secret.txt\"\n  timeout_ms = 1000\n"
          "\n[log]\nlevel = \"warn\"\n";
  {
    std::ofstream secret(gateway.dir() + "/callback-secret.txt");
    secret << "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n";
  }
  Rewrite(gateway, next);
  ASSERT_TRUE(ReloadAndWait(gateway, "config: reloaded", 1)) << gateway.ReadStderrLog();

  // The connection opened before the reload still answers.
  EXPECT_EQ(RawGet(opened_before, "/healthz"), 200);
  EXPECT_FALSE(opened_before.closed());

  Send(client, gateway, alice, kFirstNumber, &status);
  EXPECT_EQ(status, 401) << "the old password no longer works (even remembered)";
  EXPECT_FALSE(Send(client, gateway, alice_new, kFirstNumber).empty());
  EXPECT_FALSE(Send(client, gateway, bob, kFirstNumber).empty());
  const std::string on_added = Send(client, gateway, bob, kAddedNumber, &status);
  ASSERT_FALSE(on_added.empty()) << status;
  EXPECT_TRUE(
      WaitForMessageStatus(client, gateway.base_url(), "acme", on_added, bob, "read").reached);

  // Its status changes became callbacks, tried against the new URL (nothing listens there).
  bool tried = false;
  const auto deadline = std::chrono::steady_clock::now() + kReloadWait;
  while (!tried && std::chrono::steady_clock::now() < deadline) {
    const HttpResponse r = client.Get(gateway.base_url() + "/livechat/acme/callbacks", bob);
    for (const auto& c : r.Json().value("callbacks", nlohmann::json::array())) {
      if (c.value("messageId", "") == on_added && c.value("attempts", 0) > 0) tried = true;
    }
    if (!tried) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(tried) << "no callback of the added number's message was attempted";

  // At level warn, request lines are no longer written. An invalid file is refused (an error
  // line, which also flushes what came before it) and the running configuration stays.
  HttpRequest marked;
  marked.url = gateway.base_url() + "/healthz";
  marked.headers = {{"X-Request-Id", "after-warn-level"}};
  EXPECT_EQ(client.Send(marked).status, 200);
  Rewrite(gateway, next + "\n[server\nthreads = \n");
  ASSERT_TRUE(
      ReloadAndWait(gateway, "config: reload refused, the running configuration is kept", 1))
      << gateway.ReadStderrLog();
  const std::string log = gateway.ReadStderrLog();
  EXPECT_NE(log.find("before-warn-level"), std::string::npos) << "logged at info";
  EXPECT_EQ(log.find("after-warn-level"), std::string::npos) << "not at warn";
  EXPECT_NE(log.find(gateway.config_path()), std::string::npos) << "the refusal names the file";
  EXPECT_FALSE(Send(client, gateway, bob, kAddedNumber).empty()) << "the last good one serves";

  // A setting only a start reads is named (a warning: the level is warn now), the rest applied.
  Rewrite(gateway, WithServerKeys(next, "max_connections = 500\n"));
  ASSERT_TRUE(ReloadAndWait(gateway,
                            "config: reload: server changed; it takes effect at the next start", 1))
      << gateway.ReadStderrLog();
  EXPECT_EQ(gateway.ReadStderrLog().find(kAddedNumber), std::string::npos)
      << "phone numbers are masked in the reload's lines";
  EXPECT_TRUE(gateway.Stop().ExitedWith(0));
}

TEST(ReloadTest, MessagesSentWhileTheConfigurationIsReloadedAreAllDelivered) {
  const std::string config =
      TestConfig({{.name = "acme", .user = "alice", .number = kFirstNumber}});
  GatewayProcess gateway(config);
  ASSERT_TRUE(gateway.Start());
  const Credentials alice{"alice", std::string(kTestPassword)};

  std::atomic<bool> sending{true};
  std::thread reloads([&gateway, &sending] {
    for (int i = 0; i < 40 && sending; ++i) {  // bounded: at most 40 reloads, 2 s
      gateway.SendSignal(SIGHUP);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  HttpClient client;
  std::vector<std::string> ids;
  for (int i = 0; i < 150; ++i) {
    long status = 0;
    const std::string id = Send(client, gateway, alice, kFirstNumber, &status);
    EXPECT_EQ(status, 200) << "send " << i;
    if (!id.empty()) ids.push_back(id);
  }
  sending = false;
  reloads.join();
  EXPECT_TRUE(WaitForAllMessagesStatus(client, gateway.base_url(), "acme", ids, alice, "read",
                                       std::chrono::seconds(30)));
  EXPECT_NE(gateway.ReadStderrLog().find("config: reloaded"), std::string::npos);
  EXPECT_TRUE(gateway.Stop().ExitedWith(0));
}

}  // namespace
}  // namespace socialgate::testing
