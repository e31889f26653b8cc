// Idempotency-Key (docs/reliability.md, "Idempotency"), through the real binary against
// tools/fake-graph so that sends can be counted: the gateway puts its messageId in
// biz_opaque_callback_data and the fake counts acceptances per id (/_fake/accepted?id=).
//
// Each test runs one fake-graph and one gateway with two domains ("alpha" and "beta", each with
// its own Meta number on the fake, ack "provider"), and sends to fresh customers.
#include <atomic>
#include <barrier>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_graph_process.hpp"
#include "gateway_process.hpp"
#include "http_client.hpp"
#include "meta_test_config.hpp"
#include "storage_engines.hpp"

namespace socialgate::testing {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kToken = "it-idempotency-token";
constexpr std::string_view kAlpha = "alpha";
constexpr std::string_view kBeta = "beta";
constexpr std::string_view kAlphaNumber = "3902124122690";
constexpr std::string_view kBetaNumber = "3902124122691";
const Credentials kDemo{"demo", std::string(kTestPassword)};

std::string NextCustomer() {
  static std::atomic<int> next{0};
  return "39340" + std::to_string(2'000'000 + next.fetch_add(1));
}

// The seed's example from `number` to a fresh customer.
Json FreshBody(std::string_view number, std::string_view template_name = "shipping_confirmation") {
  Json body = SeedRequest(number);
  body["customerPhoneNumber"] = NextCustomer();
  body["templateName"] = template_name;
  return body;
}

// A unique key per call, so tests never see each other's keys.
std::string NewKey(std::string_view what) {
  static std::atomic<int> next{0};
  return "it-" + std::string(what) + "-" + std::to_string(next.fetch_add(1));
}

std::string MessageIdOf(const HttpResponse& r) {
  const Json j = r.Json();
  if (!j.is_object() || !j.contains("messageId") || !j["messageId"].is_string()) return "";
  return j["messageId"].get<std::string>();
}

class IdempotencyTest : public ::testing::TestWithParam<StorageEngine> {
 protected:
  void SetUp() override {
    fake_ = std::make_unique<FakeGraphProcess>(std::string(kToken));
    ASSERT_TRUE(fake_->Start());
    MetaTestDomain alpha;
    alpha.name = std::string(kAlpha);
    alpha.number = std::string(kAlphaNumber);
    alpha.base_url = fake_->base_url();
    // The slow-provider test holds a send for 1.5 s: the gateway must neither time out on it
    // nor answer before it.
    alpha.timeout_ms = 5000;
    alpha.ack_timeout_ms = 10000;
    MetaTestDomain beta = alpha;
    beta.name = std::string(kBeta);
    beta.number = std::string(kBetaNumber);
    beta.phone_number_id = "106540352242923";  // Meta's id of each number is its own
    MetaTestDispatch dispatch;
    dispatch.workers = 4;
    gateway_ = std::make_unique<GatewayProcess>(MetaMultiDomainConfig({alpha, beta}, dispatch),
                                                database_.url());
    ASSERT_TRUE(WriteTokenFile(*gateway_, kToken));
    ASSERT_TRUE(gateway_->Start());
  }

  void TearDown() override {
    gateway_.reset();  // first: it stops sending before the fake goes away
    fake_.reset();
  }

  // POST a send with an Idempotency-Key header (none when `key` is empty).
  static HttpResponse Send(HttpClient& client, const std::string& base_url, std::string_view domain,
                           const Json& body, std::string_view key) {
    HttpRequest request;
    request.method = "POST";
    request.url = SendUrl(base_url, domain);
    request.headers = {{"Content-Type", "application/json"}};
    if (!key.empty()) request.headers.emplace_back("Idempotency-Key", std::string(key));
    request.body = body.dump();
    request.basic = kDemo;
    return client.Send(request);
  }

  HttpResponse Send(std::string_view domain, const Json& body, std::string_view key) {
    return Send(client_, gateway_->base_url(), domain, body, key);
  }

  // Messages the fake accepted since the test began.
  int MessagesAccepted() {
    const Json stats = fake_->Stats();
    return stats.is_object() ? stats.value("messages_accepted", -1) : -1;
  }

  EngineDatabase database_{GetParam()};
  std::unique_ptr<FakeGraphProcess> fake_;
  std::unique_ptr<GatewayProcess> gateway_;
  HttpClient client_;
};

TEST_P(IdempotencyTest, SameKeySameBodyReplaysTheFirstAnswerAndSendsOnce) {
  const Json body = FreshBody(kAlphaNumber);
  const std::string key = NewKey("replay");
  const HttpResponse first = Send(kAlpha, body, key);
  ASSERT_EQ(first.status, 200) << first.Describe();
  const std::string id = MessageIdOf(first);
  ASSERT_FALSE(id.empty()) << first.Describe();
  EXPECT_EQ(first.Json().value("status", ""), "accepted") << first.Describe();
  EXPECT_EQ(first.Header("idempotent-replayed"), "") << "the first answer is not a replay";

  const HttpResponse second = Send(kAlpha, body, key);
  EXPECT_EQ(second.status, first.status) << second.Describe();
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(MessageIdOf(second), id);
  EXPECT_EQ(second.Header("idempotent-replayed"), "true") << second.Describe();

  EXPECT_EQ(fake_->AcceptedCount(id), 1);
  EXPECT_EQ(fake_->SendsFor(id).size(), 1u);
  EXPECT_EQ(MessagesAccepted(), 1) << "only one message may have been sent";
}

TEST_P(IdempotencyTest, SameKeyDifferentBodyIsRefusedWith422NamingTheKey) {
  const Json body = FreshBody(kAlphaNumber);
  const std::string key = NewKey("different");
  const HttpResponse first = Send(kAlpha, body, key);
  ASSERT_EQ(first.status, 200) << first.Describe();

  Json changed = body;
  changed["bodyData"] = {"6"};
  const HttpResponse second = Send(kAlpha, changed, key);
  EXPECT_EQ(second.status, 422) << second.Describe();
  const Json j = second.Json();
  EXPECT_EQ(j.value("result", true), false) << second.Describe();
  EXPECT_NE(j.value("error", "").find("Idempotency-Key"), std::string::npos) << second.Describe();
  EXPECT_EQ(MessagesAccepted(), 1) << "the refused repeat must send nothing";
}

TEST_P(IdempotencyTest, SameKeyInTwoDomainsMakesTwoIndependentMessages) {
  const std::string key = NewKey("domains");
  const HttpResponse in_alpha = Send(kAlpha, FreshBody(kAlphaNumber), key);
  const HttpResponse in_beta = Send(kBeta, FreshBody(kBetaNumber), key);
  ASSERT_EQ(in_alpha.status, 200) << in_alpha.Describe();
  ASSERT_EQ(in_beta.status, 200) << in_beta.Describe();
  EXPECT_EQ(in_beta.Header("idempotent-replayed"), "") << in_beta.Describe();
  const std::string alpha_id = MessageIdOf(in_alpha);
  const std::string beta_id = MessageIdOf(in_beta);
  ASSERT_FALSE(alpha_id.empty());
  ASSERT_FALSE(beta_id.empty());
  EXPECT_NE(alpha_id, beta_id);
  EXPECT_EQ(fake_->AcceptedCount(alpha_id), 1);
  EXPECT_EQ(fake_->AcceptedCount(beta_id), 1);
  EXPECT_EQ(MessagesAccepted(), 2);
}

TEST_P(IdempotencyTest, KeyOver255CharactersIs400AndTheLongestValidKeyIsAccepted) {
  const HttpResponse long_key = Send(kAlpha, FreshBody(kAlphaNumber), std::string(256, 'k'));
  EXPECT_EQ(long_key.status, 400) << long_key.Describe();
  EXPECT_NE(long_key.Json().value("error", "").find("Idempotency-Key"), std::string::npos)
      << long_key.Describe();
  // A tab is legal in an HTTP header value, but not printable: the gateway refuses it.
  const HttpResponse tab = Send(kAlpha, FreshBody(kAlphaNumber), "ab\tcd");
  EXPECT_EQ(tab.status, 400) << tab.Describe();
  EXPECT_NE(tab.Json().value("error", "").find("Idempotency-Key"), std::string::npos)
      << tab.Describe();
  EXPECT_EQ(MessagesAccepted(), 0) << "a refused key must send nothing";

  const HttpResponse longest = Send(kAlpha, FreshBody(kAlphaNumber), std::string(255, 'k'));
  EXPECT_EQ(longest.status, 200) << longest.Describe();
}

// A control character other than tab in a header value is refused by the HTTP parser itself:
// the answer is 400 (it once was a closed connection with no answer).
TEST_P(IdempotencyTest, KeyWithAControlCharacterIs400) {
  for (const std::string& key : {std::string("ab\x01") + "cd", std::string("ab\x7f") + "cd"}) {
    const HttpResponse r = Send(kAlpha, FreshBody(kAlphaNumber), key);
    EXPECT_EQ(r.status, 400) << "key with byte " << static_cast<int>(key[2]) << ": "
                             << r.Describe();
  }
  EXPECT_EQ(MessagesAccepted(), 0) << "a refused key must send nothing";
}

TEST_P(IdempotencyTest, RepeatWhileTheFirstWaitsForTheProviderAnswersQueuedWithTheSameId) {
  constexpr std::string_view kSlowTemplate = "slow_template";
  ASSERT_TRUE(fake_->SetFaults(
      {{{"match_template", kSlowTemplate}, {"action", "slow"}, {"delay_ms", 1500}}}));
  const Json body = FreshBody(kAlphaNumber, kSlowTemplate);
  const std::string key = NewKey("slow");
  const std::string base_url = gateway_->base_url();

  HttpResponse first;
  std::thread first_request([&] {
    HttpClient own;
    first = Send(own, base_url, kAlpha, body, key);
  });
  // The first request is stored and waiting once the fake holds its send.
  std::string id;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (id.empty() && std::chrono::steady_clock::now() < deadline) {
    for (const Json& record : fake_->Requests("messages")) {
      id = record.value("biz_opaque_callback_data", "");
    }
    if (id.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const HttpResponse repeat = Send(kAlpha, body, key);
  first_request.join();
  ASSERT_FALSE(id.empty()) << "the fake never saw the first send";

  EXPECT_EQ(repeat.status, 202) << repeat.Describe();
  EXPECT_EQ(repeat.Json().value("status", ""), "queued") << repeat.Describe();
  EXPECT_EQ(repeat.Json().value("result", false), true) << repeat.Describe();
  EXPECT_EQ(MessageIdOf(repeat), id) << repeat.Describe();
  EXPECT_EQ(repeat.Header("idempotent-replayed"), "true") << repeat.Describe();

  EXPECT_EQ(first.status, 200) << first.Describe();
  EXPECT_EQ(MessageIdOf(first), id) << first.Describe();
  // Once the first answer exists, a repeat gets exactly that.
  const HttpResponse later = Send(kAlpha, body, key);
  EXPECT_EQ(later.status, first.status) << later.Describe();
  EXPECT_EQ(later.body, first.body);
  EXPECT_EQ(fake_->AcceptedCount(id), 1);
  EXPECT_EQ(fake_->SendsFor(id).size(), 1u);
}

TEST_P(IdempotencyTest, TenConcurrentRequestsWithOneKeySendOneMessage) {
  constexpr int kRequests = 10;
  const Json body = FreshBody(kAlphaNumber);
  const std::string key = NewKey("concurrent");
  const std::string base_url = gateway_->base_url();
  std::vector<HttpResponse> answers(kRequests);
  std::barrier start(kRequests);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      HttpClient own;
      own.Get(base_url + "/healthz");  // connect first, so the sends start together
      start.arrive_and_wait();
      answers[static_cast<std::size_t>(i)] = Send(own, base_url, kAlpha, body, key);
    });
  }
  for (auto& t : threads) t.join();

  std::set<std::string> ids;
  int originals = 0;
  for (const HttpResponse& r : answers) {
    EXPECT_TRUE(r.status == 200 || r.status == 202) << r.Describe();
    EXPECT_EQ(r.Json().value("result", false), true) << r.Describe();
    ids.insert(MessageIdOf(r));
    if (r.Header("idempotent-replayed").empty()) ++originals;
  }
  ASSERT_EQ(ids.size(), 1u) << "every answer must carry the same messageId";
  const std::string id = *ids.begin();
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(originals, 1) << "exactly one request stores the message; the others are repeats";

  EXPECT_TRUE(WaitForMessageStatus(client_, base_url, kAlpha, id, kDemo, "accepted").reached);
  EXPECT_EQ(fake_->AcceptedCount(id), 1);
  EXPECT_EQ(fake_->Requests("messages").size(), 1u) << "the fake must see exactly one send";
  EXPECT_EQ(MessagesAccepted(), 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, IdempotencyTest, kStorageEngines, StorageEngineName);

}  // namespace
}  // namespace socialgate::testing
