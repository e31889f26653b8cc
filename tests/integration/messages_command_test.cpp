// `socialgate messages list | show | retry` against a running gateway (its database, SQLite
// or PostgreSQL, as an operator runs them next to it): a message the provider refused for good is
// listed as failed, `messages retry` puts it back in the queue, the running gateway sends it again
// within its poll interval and it is accepted; retries of an unknown or a delivered message, and
// usage mistakes, exit with the documented statuses (app/exit_codes.hpp).
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "fake_graph_process.hpp"
#include "gateway_process.hpp"
#include "http_client.hpp"
#include "meta_test_config.hpp"
#include "storage_engines.hpp"

namespace socialgate::testing {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kDomain = "default";
constexpr std::string_view kNumber = "3902124122690";
constexpr std::string_view kToken = "it-cli-token";
const Credentials kDemo{"demo", std::string(kTestPassword)};

// The exit statuses docs/operations.md ("Command line") promises.
constexpr int kUsage = 2;
constexpr int kNotFound = 4;
constexpr int kRefused = 5;

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

class MessagesCommandTest : public ::testing::TestWithParam<StorageEngine> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<EngineDatabase>(GetParam());
    fake_ = std::make_unique<FakeGraphProcess>(std::string(kToken));
    ASSERT_TRUE(fake_->Start());
    MetaTestDomain domain;
    domain.name = std::string(kDomain);
    domain.number = std::string(kNumber);
    domain.base_url = fake_->base_url();
    domain.timeout_ms = 2000;
    gateway_ = std::make_unique<GatewayProcess>(MetaTestConfig(domain), database_->url());
    ASSERT_TRUE(WriteTokenFile(*gateway_, kToken));
    ASSERT_TRUE(gateway_->Start());
  }
  void TearDown() override {
    gateway_.reset();  // the gateway first: it stops sending before the fake goes away
    fake_.reset();
    database_.reset();
  }

  // `socialgate <args> --config <the gateway's> --storage <the gateway's>`: its exit status,
  // its standard output in `out` (standard error goes to the gateway's directory, where it runs:
  // the configuration names its token file relative to it).
  int Run(const std::string& args, std::string& out) {
    return RunCommand(*gateway_, args, out, database_->url());
  }

  // A message the fake refuses for good on its first send (an unknown code with HTTP 400):
  // the gateway answers 422 failed. Its id.
  std::string SendRefusedOnce(const std::string& template_name, const std::string& customer) {
    EXPECT_TRUE(fake_->SetFaults(Json::array({{{"match_template", template_name},
                                               {"action", "error"},
                                               {"code", 999002},
                                               {"http_status", 400},
                                               {"count", 1}}})));
    Json body = SeedRequest(kNumber);
    body["templateName"] = template_name;
    body["customerPhoneNumber"] = customer;
    const HttpResponse r =
        client_.PostJson(SendUrl(gateway_->base_url(), kDomain), body.dump(), kDemo);
    EXPECT_EQ(r.status, 422) << r.Describe();
    return r.Json().value("messageId", "");
  }

  Json RunJson(const std::string& args, int expected_status = 0) {
    std::string out;
    EXPECT_EQ(Run(args, out), expected_status) << args << ": " << out;
    Json j = Json::parse(out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << args << ": " << out;
    return j;
  }

  std::unique_ptr<EngineDatabase> database_;
  std::unique_ptr<FakeGraphProcess> fake_;
  std::unique_ptr<GatewayProcess> gateway_;
  HttpClient client_;
};

TEST_P(MessagesCommandTest, AFailedMessageIsListedRetriedAndThenDelivered) {
  const std::string id = SendRefusedOnce("t_cli_refused", "393401000001");
  ASSERT_FALSE(id.empty());

  // Listed as failed, by the table and by --json (the API's message fields and the domain).
  std::string table;
  ASSERT_EQ(Run("messages list --status failed", table), 0);
  EXPECT_TRUE(Contains(table, id)) << table;
  EXPECT_TRUE(Contains(table, "failed")) << table;
  EXPECT_TRUE(Contains(table, "CREATED")) << table;
  const Json listed = RunJson("messages list --json --status failed --phone +393401000001");
  ASSERT_TRUE(listed.contains("messages") && listed["messages"].is_array()) << listed.dump();
  ASSERT_EQ(listed["messages"].size(), 1u) << listed.dump();
  EXPECT_EQ(listed["messages"][0].value("messageId", ""), id);
  EXPECT_EQ(listed["messages"][0].value("status", ""), "failed");
  EXPECT_EQ(listed["messages"][0].value("domain", ""), kDomain);
  EXPECT_EQ(listed["messages"][0].value("attempts", 0), 1);
  // Other filters leave it out.
  EXPECT_TRUE(
      RunJson("messages list --json --status accepted --phone 393401000001")["messages"].empty());

  // Retried: queued again, and the running gateway (the fake now answering) delivers it.
  std::string out;
  ASSERT_EQ(Run("messages retry " + id, out), 0) << out;
  EXPECT_TRUE(Contains(out, "queued again")) << out;
  const MessageStatusPoll poll = WaitForMessageStatus(client_, gateway_->base_url(), kDomain, id,
                                                      kDemo, "accepted", std::chrono::seconds(8));
  ASSERT_TRUE(poll.reached) << poll.last.dump();
  EXPECT_EQ(fake_->AcceptedCount(id), 1);
  EXPECT_EQ(fake_->SendsFor(id).size(), 2u);

  // `messages show` has the whole story: failed, the retry, the new attempt, accepted.
  const Json shown = RunJson("messages show " + id + " --json");
  EXPECT_EQ(shown.value("status", ""), "accepted") << shown.dump();
  EXPECT_EQ(shown.value("attempts", 0), 1) << shown.dump();  // a fresh budget
  EXPECT_EQ(shown.value("providerMessageId", "").rfind("wamid.", 0), 0u) << shown.dump();
  std::string statuses;
  bool retry_recorded = false;
  for (const Json& e : shown.value("history", Json::array())) {
    statuses += e.value("status", "?") + " ";
    if (e.value("status", "") == "queued" &&
        e.value("detail", "") == "retried from the command line after 1 attempt") {
      retry_recorded = true;
    }
  }
  EXPECT_EQ(statuses.rfind("queued sending failed queued sending accepted", 0), 0u) << statuses;
  EXPECT_TRUE(retry_recorded) << shown.dump();
  std::string human;
  ASSERT_EQ(Run("messages show " + id, human), 0);
  EXPECT_TRUE(Contains(human, "retried from the command line")) << human;

  // Accepted now: a second retry is refused, and changes nothing.
  EXPECT_EQ(Run("messages retry " + id, out), kRefused) << out;
  EXPECT_EQ(RunJson("messages show " + id + " --json").value("status", ""), "accepted");
  EXPECT_EQ(fake_->SendsFor(id).size(), 2u);
}

TEST_P(MessagesCommandTest, UnknownMessagesAndUsageMistakesHaveTheirExitStatuses) {
  std::string out;
  EXPECT_EQ(Run("messages retry no-such-message", out), kNotFound);
  EXPECT_EQ(Run("messages show no-such-message", out), kNotFound);
  EXPECT_EQ(Run("messages show no-such-message --domain default", out), kNotFound);
  EXPECT_EQ(Run("messages retry", out), kUsage);
  EXPECT_EQ(Run("messages list --status bogus", out), kUsage);
  EXPECT_EQ(Run("messages list --limit 0", out), kUsage);
  EXPECT_EQ(Run("messages list --phone 12", out), kUsage);
  EXPECT_EQ(Run("messages list --from yesterday", out), kUsage);
  EXPECT_EQ(Run("messages list --domain nowhere", out), kUsage);
  EXPECT_EQ(Run("messages frobnicate", out), kUsage);
  // An empty outbox lists nothing, in both forms.
  EXPECT_TRUE(RunJson("messages list --json")["messages"].empty());
  ASSERT_EQ(Run("messages list", out), 0);
  EXPECT_EQ(out, "no messages\n");
}

INSTANTIATE_TEST_SUITE_P(Engines, MessagesCommandTest, kStorageEngines, StorageEngineName);

}  // namespace
}  // namespace socialgate::testing
