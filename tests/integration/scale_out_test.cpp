// Scale-out (docs/scaling.md): two gateway instances on one PostgreSQL, the client load spread
// over both, delivering through tools/fake-graph to four Meta numbers; one instance is killed
// with SIGKILL mid-load and started again. Every message answered result: true is delivered,
// none twice beyond the sends the killed instance had in flight, and no number's sends in any
// second exceed its rate, counted from fake-graph's receive timestamps (one path per number).
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_graph_process.hpp"
#include "gateway_process.hpp"
#include "http_client.hpp"
#include "load_driver.hpp"
#include "meta_test_config.hpp"
#include "send_ledger.hpp"
#include "storage_engines.hpp"

namespace socialgate::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kToken = "it-scale-out-token";
constexpr int kNumbers = 4;
constexpr int kRate = 10;  // per number and second: low, so the cores are not the limit
constexpr int kMessages = 400;
constexpr int kInFlight = 16;
const Credentials kDemo{"demo", std::string(kTestPassword)};

std::string Domain(int n) { return "shop" + std::to_string(n); }
std::string Number(int n) { return "390212412269" + std::to_string(n); }
std::string PhoneNumberId(int n) { return "10700000000000" + std::to_string(n); }

class ScaleOutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(database_.url().empty());
    fake_ = std::make_unique<FakeGraphProcess>(std::string(kToken));
    ASSERT_TRUE(fake_->Start());
    std::vector<MetaTestDomain> domains;
    for (int n = 0; n < kNumbers; ++n) {
      MetaTestDomain d;
      d.name = Domain(n);
      d.number = Number(n);
      d.phone_number_id = PhoneNumberId(n);
      d.base_url = fake_->base_url();
      d.ack = "stored";
      d.messages_per_second = kRate;
      d.timeout_ms = 3000;
      domains.push_back(d);
    }
    MetaTestDispatch dispatch;
    dispatch.max_in_flight = kInFlight;
    dispatch.max_attempts = 50;
    dispatch.base_backoff_ms = 20;
    dispatch.max_backoff_ms = 500;
    dispatch.pair_per_minute = 0;
    const std::string config = MetaMultiDomainConfig(domains, dispatch);
    for (auto& gateway : gateways_) {
      gateway = std::make_unique<GatewayProcess>(config, database_.url());
      ASSERT_TRUE(WriteTokenFile(*gateway, kToken));
      ASSERT_TRUE(gateway->Start());
    }
  }
  void TearDown() override {
    for (auto& gateway : gateways_) gateway.reset();  // first: they stop sending
    fake_.reset();
  }

  // The outbox depth as an instance sees it (the whole database's), -1 when unknown.
  std::int64_t Pending(GatewayProcess& gateway) {
    const HttpResponse r = client_.Get(gateway.base_url() + "/readyz");
    const nlohmann::json j = r.Json();
    return r.status == 200 && j.is_object() ? j.value("pending", std::int64_t{-1}) : -1;
  }

  EngineDatabase database_{StorageEngine::kPostgres};
  std::unique_ptr<FakeGraphProcess> fake_;
  std::unique_ptr<GatewayProcess> gateways_[2];
  HttpClient client_;
};

TEST_F(ScaleOutTest, TwoInstancesOneKilledMidLoadLoseNothingAndKeepEveryNumbersRate) {
  // Both send before the load begins: the second has taken its share of the numbers (after the
  // first gave them up and the hand-over passed), so the kill takes numbers with it.
  const std::string holders =
      "SELECT COUNT(DISTINCT owner) FROM number_leases WHERE owner IS NOT NULL AND "
      "lease_until > (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint";
  const auto share_deadline = Clock::now() + 20s;
  while (database_.postgres()->Value(holders) != "2" && Clock::now() < share_deadline) {
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(database_.postgres()->Value(holders), "2") << "the instances never shared the numbers";
  const auto start = Clock::now();
  GatewayProcess& steady = *gateways_[0];
  GatewayProcess& killed = *gateways_[1];
  LoadSpec spec;
  spec.count = kMessages;
  spec.threads = 8;
  spec.time_limit = 120s;
  spec.pause_after_transport_error = 100ms;
  spec.request = [&](int i) {
    const int n = i % kNumbers;
    nlohmann::json body = SeedRequest(Number(n));
    body["customerPhoneNumber"] = "39340" + std::to_string(4'000'000 + i);
    body["bodyData"] = {std::to_string(i)};
    HttpRequest request;
    request.method = "POST";
    // Spread over both instances, as a load balancer does: while the killed one restarts (its
    // URL is empty), to the other. Only the requests in flight at the kill go unanswered.
    const std::string other = killed.base_url();
    request.url = SendUrl(i % 2 == 0 || other.empty() ? steady.base_url() : other, Domain(n));
    request.headers = {{"Content-Type", "application/json"}};
    request.body = body.dump();
    request.basic = kDemo;
    return request;
  };
  LoadDriver driver(std::move(spec));
  driver.Start();
  const auto deadline = Clock::now() + 60s;
  while (driver.completed() < kMessages * 2 / 5 && Clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  const ExitStatus status = killed.Kill();
  EXPECT_TRUE(status.signaled) << status.ToString();
  ASSERT_TRUE(killed.Start());
  const LoadReport load = driver.Wait();
  std::printf("[ scale-out ] load: %s\n", load.Summary().c_str());
  EXPECT_FALSE(load.timed_out);
  const std::vector<std::string> ids = load.AcceptedIds();
  EXPECT_GT(ids.size(), static_cast<std::size_t>(kMessages * 9 / 10)) << load.Summary();

  // Both instances see one outbox: it empties, as either of them counts it.
  std::int64_t pending = -1;
  const auto drain_deadline = Clock::now() + 60s;
  while (Clock::now() < drain_deadline && (pending = Pending(steady)) != 0) {
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(pending, 0);
  EXPECT_EQ(Pending(killed), 0);

  const SendLedger ledger = ReadLedger(*fake_);
  int lost = 0;
  for (const auto& id : ids) {
    if (ledger.AcceptedCount(id) == 0 && ++lost <= 10) {
      ADD_FAILURE() << "message " << id << " answered result: true was never delivered";
    }
  }
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(ledger.evicted, 0);
  // Sends the killed instance had in flight (their outcome not yet recorded) are sent again
  // once their lease ends: at most its window.
  EXPECT_LE(ledger.Duplicates(), kInFlight);
  ASSERT_EQ(ledger.send_millis_by_path.size(), static_cast<std::size_t>(kNumbers));
  for (const auto& [path, millis] : ledger.send_millis_by_path) {
    const std::size_t busiest = BusiestWindow(millis);
    std::printf("[ scale-out ] %s: %zu sends, busiest second %zu (limit %d)\n", path.c_str(),
                millis.size(), busiest, kRate);
    EXPECT_LE(busiest, static_cast<std::size_t>(kRate)) << path;
  }
  std::printf("[ scale-out ] answered %zu of %d, duplicates %d, %.1f s\n", ids.size(), kMessages,
              ledger.Duplicates(), std::chrono::duration<double>(Clock::now() - start).count());
}

// ack = "provider" on an instance that does not send for the message's number: the answer
// still waits for the first attempt, made by the other instance, and comes as soon as it is
// recorded (read from the database), not at the ack timeout.
TEST(ScaleOutAckTest, EitherInstanceAnswersWithTheFirstAttemptWhoeverSendsIt) {
  EngineDatabase database(StorageEngine::kPostgres);
  ASSERT_FALSE(database.url().empty());
  const std::string config =
      TestConfig({{.name = "default", .user = "demo", .number = "3902124122690"}});
  GatewayProcess first(config, database.url());
  GatewayProcess second(config, database.url());
  ASSERT_TRUE(first.Start());
  ASSERT_TRUE(second.Start());
  // One number, so exactly one instance sends: the other answers from the database.
  const std::string held =
      "SELECT COUNT(*) FROM number_leases WHERE owner IS NOT NULL AND "
      "lease_until > (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint";
  const auto deadline = Clock::now() + 10s;
  while (database.postgres()->Value(held) != "1" && Clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(database.postgres()->Value(held), "1");
  HttpClient client;
  for (int i = 0; i < 10; ++i) {
    GatewayProcess& gateway = i % 2 == 0 ? first : second;
    nlohmann::json body = SeedRequest();
    body["bodyData"] = {std::to_string(i)};
    const auto asked = Clock::now();
    const HttpResponse r =
        client.PostJson(SendUrl(gateway.base_url(), "default"), body.dump(), kDemo);
    const auto took = Clock::now() - asked;
    EXPECT_EQ(r.status, 200) << r.Describe();
    EXPECT_EQ(r.Json().value("result", false), true) << r.Describe();
    const std::string status = r.Json().value("status", "");
    EXPECT_TRUE(status == "accepted" || status == "sent" || status == "delivered" ||
                status == "read")
        << r.Describe();
    // The domain's ack timeout is 10 s: an answer from the watch comes within a few reads.
    EXPECT_LT(took, 3s) << "request " << i << " waited for the ack timeout";
  }
}

}  // namespace
}  // namespace socialgate::testing
