// Durability: a message answered with result true survives a graceful restart (SIGTERM) and a
// crash (SIGKILL right after the answers), and is then delivered all the way to `read`; on
// each storage engine.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gateway_process.hpp"
#include "http_client.hpp"
#include "storage_engines.hpp"

namespace socialgate::testing {
namespace {

const Credentials kDemo{"demo", std::string(kTestPassword)};
constexpr int kBatch = 20;

class RestartTest : public ::testing::TestWithParam<StorageEngine> {
 protected:
  RestartTest()
      : database_(GetParam()),
        gateway_(
            TestConfig(
                {{.name = "default", .user = "demo", .number = "3902124122690", .ack = "stored"}}),
            database_.url()) {}

  void SetUp() override { ASSERT_TRUE(gateway_.Start()); }

  // Sends kBatch messages with ack "stored"; each must be answered 202 queued. Returns the ids.
  std::vector<std::string> SendBatch() {
    std::vector<std::string> ids;
    for (int i = 0; i < kBatch; ++i) {
      nlohmann::json body = SeedRequest();
      body["bodyData"] = {std::to_string(i)};
      const HttpResponse r =
          client_.PostJson(SendUrl(gateway_.base_url(), "default"), body.dump(), kDemo);
      EXPECT_EQ(r.status, 202) << r.Describe();
      const nlohmann::json j = r.Json();
      EXPECT_EQ(j.value("status", ""), "queued") << r.Describe();
      EXPECT_EQ(j.value("result", false), true) << r.Describe();
      const std::string id = j.value("messageId", "");
      EXPECT_FALSE(id.empty()) << r.Describe();
      if (!id.empty()) ids.push_back(id);
    }
    return ids;
  }

  // Every id is found by GET (200), in a status other than "failed".
  void ExpectAllFound(const std::vector<std::string>& ids) {
    for (const auto& id : ids) {
      const HttpResponse r = client_.Get(MessageUrl(gateway_.base_url(), "default", id), kDemo);
      EXPECT_EQ(r.status, 200) << "message " << id << ": " << r.Describe();
      EXPECT_NE(r.Json().value("status", ""), "failed") << r.Describe();
    }
  }

  void ExpectAllReachRead(const std::vector<std::string>& ids) {
    // Sandbox reports come 60 ms after a send and a killed gateway's claims are retaken after
    // the 1 s lease: 5 s is ample, and keeps the suite short.
    EXPECT_TRUE(WaitForAllMessagesStatus(client_, gateway_.base_url(), "default", ids, kDemo,
                                         "read", std::chrono::seconds(5)));
  }

  EngineDatabase database_;
  GatewayProcess gateway_;
  HttpClient client_;
};

TEST_P(RestartTest, SigtermRestartKeepsEveryStoredMessage) {
  const std::vector<std::string> ids = SendBatch();
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kBatch));
  const ExitStatus stopped = gateway_.Stop();
  EXPECT_TRUE(stopped.ExitedWith(0)) << stopped.ToString();
  ASSERT_TRUE(gateway_.Start());
  ExpectAllFound(ids);
}

// Messages whose sandbox "sent/delivered/read" reports were still pending at the stop must
// still progress after the restart (the sandbox resumes them from the stored status).
TEST_P(RestartTest, SigtermRestartEveryStoredMessageReachesRead) {
  const std::vector<std::string> ids = SendBatch();
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kBatch));
  const ExitStatus stopped = gateway_.Stop();
  EXPECT_TRUE(stopped.ExitedWith(0)) << stopped.ToString();
  ASSERT_TRUE(gateway_.Start());
  ExpectAllReachRead(ids);
}

TEST_P(RestartTest, SigkillRightAfterStoredAnswersLosesNothing) {
  const std::vector<std::string> ids = SendBatch();
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kBatch));
  const ExitStatus killed = gateway_.Kill();
  EXPECT_TRUE(killed.signaled) << killed.ToString();
  ASSERT_TRUE(gateway_.Start());
  ExpectAllFound(ids);
}

// As above, after a crash: nothing pending in memory survives, the stored status does.
TEST_P(RestartTest, SigkillRightAfterStoredAnswersEveryMessageReachesRead) {
  const std::vector<std::string> ids = SendBatch();
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kBatch));
  const ExitStatus killed = gateway_.Kill();
  EXPECT_TRUE(killed.signaled) << killed.ToString();
  ASSERT_TRUE(gateway_.Start());
  ExpectAllReachRead(ids);
}

TEST_P(RestartTest, RestartKeepsReadMessagesRead) {
  const std::vector<std::string> ids = SendBatch();
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kBatch));
  ExpectAllReachRead(ids);
  ASSERT_TRUE(gateway_.Restart());
  for (const auto& id : ids) {
    const HttpResponse r = client_.Get(MessageUrl(gateway_.base_url(), "default", id), kDemo);
    EXPECT_EQ(r.status, 200) << r.Describe();
    EXPECT_EQ(r.Json().value("status", ""), "read") << r.Describe();
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, RestartTest, kStorageEngines, StorageEngineName);

}  // namespace
}  // namespace socialgate::testing
