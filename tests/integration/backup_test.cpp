// `socialgate backup --to FILE` against the real binary: a copy taken while the gateway accepts
// sends is a whole database that a gateway started on it serves, with every message accepted
// before the copy began; and the refusals (the database itself as the target).
#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gateway_process.hpp"
#include "http_client.hpp"

namespace socialgate::testing {
namespace {

constexpr std::string_view kBackupNumber = "3902124122690";

std::string BackupConfig() {
  return TestConfig(
      {{.name = "default", .user = "demo", .number = std::string(kBackupNumber), .ack = "stored"}});
}

Credentials Demo() { return Credentials{"demo", std::string(kTestPassword)}; }

// Sends one message; its id, or "" when it was not accepted.
std::string SendOne(HttpClient& client, const GatewayProcess& gateway, int i) {
  nlohmann::json body = SeedRequest(kBackupNumber);
  body["customerPhoneNumber"] = "3934036" + std::to_string(10000 + i);
  const HttpResponse r =
      client.PostJson(SendUrl(gateway.base_url(), "default"), body.dump(), Demo());
  if (r.status != 202) return "";
  return r.Json().value("messageId", "");
}

TEST(BackupTest, ACopyTakenWhileServingHoldsEveryMessageAcceptedBeforeIt) {
  GatewayProcess gateway(BackupConfig());
  ASSERT_TRUE(gateway.Start());
  HttpClient client;
  constexpr int kBefore = 200;
  std::vector<std::string> before;
  for (int i = 0; i < kBefore; ++i) {
    const std::string id = SendOne(client, gateway, i);
    ASSERT_FALSE(id.empty()) << "send " << i;
    before.push_back(id);
  }

  // Sends keep arriving while the copy is taken (bounded: 2,000 sends or 20 s).
  std::atomic<bool> stop{false};
  std::atomic<int> during{0};
  std::thread load([&] {
    HttpClient loader;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (int i = 0; i < 2'000 && !stop && std::chrono::steady_clock::now() < deadline; ++i) {
      if (!SendOne(loader, gateway, kBefore + i).empty()) ++during;
    }
  });
  const auto started = std::chrono::steady_clock::now();
  while (during < 20 && std::chrono::steady_clock::now() - started < std::chrono::seconds(10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::string copy = gateway.dir() + "/backup.sqlite";
  std::string out;
  const int status = RunCommand(gateway, "backup --json --to '" + copy + "'", out);
  stop = true;
  load.join();
  ASSERT_EQ(status, 0) << out;
  const nlohmann::json answer = nlohmann::json::parse(out, nullptr, false);
  ASSERT_TRUE(answer.is_object()) << out;
  EXPECT_GT(answer.value("pages", 0), 0) << out;
  EXPECT_EQ(answer.value("bytes", 0), std::filesystem::file_size(copy)) << out;
  EXPECT_FALSE(std::filesystem::exists(copy + ".partial"));
  EXPECT_GT(during.load(), 0);

  // Restored: a gateway on the copy finds every message accepted before it.
  ASSERT_TRUE(gateway.Stop().ExitedWith(0));
  GatewayProcess restored(BackupConfig(), "sqlite:" + copy);
  ASSERT_TRUE(restored.Start());
  for (const std::string& id : before) {
    const HttpResponse r =
        client.Get(restored.base_url() + "/livechat/default/messages/" + id, Demo());
    EXPECT_EQ(r.status, 200) << id << ": " << r.Describe();
  }
}

TEST(BackupTest, TheDatabaseItselfIsRefusedAsTheTarget) {
  GatewayProcess gateway(BackupConfig());
  ASSERT_TRUE(gateway.Start());
  std::string out;
  EXPECT_EQ(RunCommand(gateway, "backup --to '" + gateway.database_path() + "'", out), 2);
  EXPECT_TRUE(std::filesystem::exists(gateway.database_path()));
  HttpClient client;
  EXPECT_FALSE(SendOne(client, gateway, 1).empty()) << "the gateway still serves";
}

}  // namespace
}  // namespace socialgate::testing
