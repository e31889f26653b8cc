// Password guessers against the real binary (issue 14): a guesser spread over many addresses
// cannot keep a user out of an address the user has logged in from, also right after a
// restart; argon2id checks of wrong passwords do not delay requests whose credentials were
// verified before; and every refusal leaves a security log line without the secret. Client
// addresses come from X-Forwarded-For, believed from 127.0.0.1 (trusted_proxies).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "gateway_process.hpp"
#include "http_client.hpp"
#include "raw_socket.hpp"

namespace socialgate::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kNumber = "3902124122690";

std::string ProxiedConfig(std::string_view more_keys = {}) {
  return WithServerKeys(
      TestConfig({{.name = "default", .user = "bob", .number = std::string(kNumber)}}),
      "trusted_proxies = [\"127.0.0.1\"]\n" + std::string(more_keys));
}

// An authenticated read of a message that does not exist: 404 when the credentials pass.
HttpResponse Attempt(const GatewayProcess& gateway, const std::string& password,
                     const std::string& client_address) {
  HttpRequest r;
  r.url = MessageUrl(gateway.base_url(), "default", "no-such-message");
  r.headers = {{"X-Forwarded-For", client_address}};
  r.basic = Credentials{"bob", password};
  HttpClient client;
  return client.Send(r);
}

TEST(GuesserTest, ADistributedGuesserCannotKeepAUserOutOfAnAddressTheyUseEvenAfterARestart) {
  GatewayProcess gateway(ProxiedConfig());
  ASSERT_TRUE(gateway.Start());
  const std::string right(kTestPassword);
  const std::string office = "192.0.2.10";
  ASSERT_EQ(Attempt(gateway, right, office).status, 404);  // bob works from here
  // A restart forgets every remembered credential: trust must come from the store.
  ASSERT_TRUE(gateway.Restart());

  // 25 wrong passwords from 5 addresses (in parallel: each address's 401s are delayed)...
  std::vector<std::thread> guessers;
  for (int a = 0; a < 5; ++a) {
    guessers.emplace_back([&, a] {
      for (int i = 0; i < 5; ++i) {
        Attempt(gateway, "guess-" + std::to_string(a) + "-" + std::to_string(i),
                "198.51.100." + std::to_string(a));
      }
    });
  }
  for (auto& t : guessers) t.join();
  // ...then one from a new address each time, while bob tries with the right password.
  int bob_in = 0;
  int guesser_refused = 0;
  for (int i = 0; i < 40; ++i) {
    const HttpResponse guess =
        Attempt(gateway, "guess-new-" + std::to_string(i), "203.0.113." + std::to_string(i));
    if (guess.status == 429) ++guesser_refused;
    const HttpResponse bob = Attempt(gateway, right, office);
    if (bob.status == 404) {
      ++bob_in;
    } else {
      ADD_FAILURE() << "bob's attempt " << i << ": " << bob.Describe();
    }
  }
  EXPECT_GE(bob_in, 36) << "fewer than 90% of bob's attempts got through";
  // The user's own lock still holds where bob has never logged in.
  EXPECT_GE(guesser_refused, 30);
  EXPECT_EQ(Attempt(gateway, right, "192.0.2.99").status, 429);
}

TEST(GuesserTest, WrongPasswordsWaitForEachOtherNotForRequestsVerifiedBefore) {
  GatewayProcess gateway(ProxiedConfig("credential_workers = 1\n"));
  ASSERT_TRUE(gateway.Start());
  const std::string right(kTestPassword);
  ASSERT_EQ(Attempt(gateway, right, "192.0.2.10").status, 404);  // verified, remembered

  // 18 wrong passwords, each from its own address (no 401 is delayed), all at once...
  constexpr int kWrong = 18;
  std::mutex mutex;
  std::vector<Clock::time_point> wrong_answered;
  std::atomic<int> started{0};
  std::vector<std::thread> guessers;
  for (int i = 0; i < kWrong; ++i) {
    guessers.emplace_back([&, i] {
      ++started;
      const HttpResponse r =
          Attempt(gateway, "wrong-" + std::to_string(i), "198.51.100." + std::to_string(i));
      EXPECT_EQ(r.status, 401) << r.Describe();
      std::lock_guard lock(mutex);
      wrong_answered.push_back(Clock::now());
    });
  }
  while (started < kWrong) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // their checks are queued
  // ...and the remembered user's read, which needs no check, is answered before most of them.
  const HttpResponse legit = Attempt(gateway, right, "192.0.2.10");
  const auto legit_answered = Clock::now();
  for (auto& t : guessers) t.join();
  EXPECT_EQ(legit.status, 404) << legit.Describe();
  const auto later = std::count_if(wrong_answered.begin(), wrong_answered.end(),
                                   [&](Clock::time_point t) { return t > legit_answered; });
  EXPECT_GE(later, kWrong / 2) << "the remembered request waited behind the argon2id checks";
}

TEST(GuesserTest, RefusalsLeaveSecurityLogLinesWithoutTheSecret) {
  GatewayProcess gateway(ProxiedConfig());
  ASSERT_TRUE(gateway.Start());
  const std::string secret = "not-the-password-5e1f";
  for (int i = 0; i < 6; ++i) Attempt(gateway, secret, "198.51.100.77");
  EXPECT_EQ(Attempt(gateway, secret, "198.51.100.77").status, 429);
  RawSocket s(gateway.base_url());
  ASSERT_TRUE(s.SendAll("GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"));
  ASSERT_TRUE(s.WaitForClose(std::chrono::seconds(5)));
  const std::string log = gateway.ReadStderrLog();
  EXPECT_NE(log.find("security: auth_failed from 198.51.100.77 user \"bob\""), std::string::npos)
      << log;
  EXPECT_NE(log.find("security: lock_started from 198.51.100.77 user \"bob\""), std::string::npos);
  EXPECT_NE(log.find("security: locked_out from 198.51.100.77 user \"bob\""), std::string::npos);
  EXPECT_NE(log.find("security: malformed_http from 127.0.0.1"), std::string::npos);
  EXPECT_EQ(log.find(secret), std::string::npos) << "a password reached the log";
}

}  // namespace
}  // namespace socialgate::testing
