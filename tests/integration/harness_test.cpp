// The harness itself: a gateway starts on a free port, stops cleanly, is killed without a trace,
// and a config it refuses makes Start() fail quickly with the gateway's own reason.
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <signal.h>

#include "gateway_process.hpp"
#include "http_client.hpp"

namespace socialgate::testing {
namespace {

std::string OneDomainConfig() {
  return TestConfig({{.name = "default", .user = "demo", .number = "3902124122690"}});
}

bool ProcessExists(pid_t pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

TEST(HarnessTest, StartsOnAFreePortAndStopsWithExitCodeZero) {
  GatewayProcess gateway(OneDomainConfig());
  ASSERT_TRUE(gateway.Start());
  EXPECT_EQ(gateway.base_url().rfind("http://127.0.0.1:", 0), 0u) << gateway.base_url();
  EXPECT_NE(gateway.base_url(), "http://127.0.0.1:0");
  EXPECT_TRUE(std::filesystem::exists(gateway.database_path()));

  HttpClient client;
  const HttpResponse health = client.Get(gateway.base_url() + "/healthz");
  EXPECT_EQ(health.status, 200) << health.Describe();
  const HttpResponse ready = client.Get(gateway.base_url() + "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.Describe();

  const pid_t pid = gateway.pid();
  const ExitStatus status = gateway.Stop();
  EXPECT_TRUE(status.ExitedWith(0)) << status.ToString();
  EXPECT_FALSE(gateway.running());
  EXPECT_FALSE(ProcessExists(pid));
  EXPECT_NE(gateway.ReadStderrLog().find("stopped"), std::string::npos) << gateway.ReadStderrLog();
}

TEST(HarnessTest, KillLeavesNoProcessAndRestartServesAgain) {
  GatewayProcess gateway(OneDomainConfig());
  ASSERT_TRUE(gateway.Start());
  const pid_t pid = gateway.pid();
  const ExitStatus status = gateway.Kill();
  EXPECT_TRUE(status.signaled && status.signal == SIGKILL) << status.ToString();
  EXPECT_FALSE(ProcessExists(pid));

  ASSERT_TRUE(gateway.Restart());
  HttpClient client;
  EXPECT_EQ(client.Get(gateway.base_url() + "/healthz").status, 200);
}

TEST(HarnessTest, DestructorStopsARunningGateway) {
  pid_t pid = -1;
  {
    GatewayProcess gateway(OneDomainConfig());
    ASSERT_TRUE(gateway.Start());
    pid = gateway.pid();
  }
  EXPECT_FALSE(ProcessExists(pid));
}

TEST(HarnessTest, RefusedConfigFailsStartWithTheGatewaysReason) {
  GatewayProcess gateway(OneDomainConfig() + "\n[nonsense]\nkey = 1\n");
  const auto started = std::chrono::steady_clock::now();
  const ::testing::AssertionResult result = gateway.Start();
  EXPECT_FALSE(result);
  EXPECT_NE(std::string(result.message()).find("unknown key"), std::string::npos)
      << result.message();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_FALSE(gateway.running());
}

}  // namespace
}  // namespace socialgate::testing
