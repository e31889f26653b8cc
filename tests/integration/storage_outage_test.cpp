// PostgreSQL going away under a running gateway, and coming back: while it is down, sends are
// refused with 503 and a sentence saying why, nothing is stored, and /readyz answers 503; once
// it is back the gateway reconnects by itself, and every message it had accepted is delivered.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gateway_process.hpp"
#include "http_client.hpp"
#include "support/eventually.hpp"
#include "support/postgres_test_database.hpp"

namespace socialgate::testing {
namespace {

using namespace std::chrono_literals;

const Credentials kDemo{"demo", std::string(kTestPassword)};

class StorageOutageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.ok());
    gateway_ = std::make_unique<GatewayProcess>(
        TestConfig(
            {{.name = "default", .user = "demo", .number = "3902124122690", .ack = "stored"}}),
        cluster_.url());
    ASSERT_TRUE(gateway_->Start());
  }

  HttpResponse Send(int i) {
    nlohmann::json body = SeedRequest();
    body["bodyData"] = {std::to_string(i)};
    return client_.PostJson(SendUrl(gateway_->base_url(), "default"), body.dump(), kDemo);
  }

  PostgresTestCluster cluster_;
  std::unique_ptr<GatewayProcess> gateway_;
  HttpClient client_;
};

TEST_F(StorageOutageTest, WhileTheDatabaseIsDownSendsAre503AndStoreNothingThenAllIsDelivered) {
  std::vector<std::string> accepted;
  for (int i = 0; i < 5; ++i) {
    const HttpResponse r = Send(i);
    ASSERT_EQ(r.status, 202) << r.Describe();
    accepted.push_back(r.Json().value("messageId", ""));
  }
  EXPECT_EQ(client_.Get(gateway_->base_url() + "/readyz").status, 200);

  ASSERT_TRUE(cluster_.Down());
  const HttpResponse refused = Send(100);
  EXPECT_EQ(refused.status, 503) << refused.Describe();
  EXPECT_EQ(refused.Json().value("result", true), false) << refused.Describe();
  EXPECT_NE(refused.Json().value("error", "").find("storage is unavailable"), std::string::npos)
      << refused.Describe();
  EXPECT_TRUE(support::Eventually(
      [&] { return client_.Get(gateway_->base_url() + "/readyz").status == 503; }, 10s));
  // The gateway itself stays up and says what is wrong.
  EXPECT_EQ(client_.Get(gateway_->base_url() + "/healthz").status, 200);

  ASSERT_TRUE(cluster_.Up());
  EXPECT_TRUE(support::Eventually(
      [&] { return client_.Get(gateway_->base_url() + "/readyz").status == 200; }, 15s));
  std::string after;
  EXPECT_TRUE(support::Eventually(
      [&] {
        const HttpResponse r = Send(200);
        if (r.status != 202) return false;
        after = r.Json().value("messageId", "");
        return true;
      },
      15s));
  accepted.push_back(after);
  EXPECT_TRUE(WaitForAllMessagesStatus(client_, gateway_->base_url(), "default", accepted, kDemo,
                                       "read", 15s));
  // The refused send stored nothing: the outbox holds only what was accepted, all delivered.
  const nlohmann::json ready = client_.Get(gateway_->base_url() + "/readyz").Json();
  EXPECT_EQ(ready.value("pending", -1), 0) << ready.dump();
}

}  // namespace
}  // namespace socialgate::testing
