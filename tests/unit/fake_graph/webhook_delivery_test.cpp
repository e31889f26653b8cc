// Status webhooks through WebhookDispatcher and FakeGraph, with a poster that captures what
// would be posted and when: delays and order, retries, the ids of the send, the status_failed
// rule, lost answers, the control endpoint and its clearing, the pending bound, and a target set
// at run time (PUT /_fake/webhooks). Waits are for conditions, bounded by a deadline; nothing
// here sleeps a fixed time.
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "capturing_poster.hpp"
#include "fake-graph/fake_graph.hpp"
#include "fake-graph/webhook_dispatcher.hpp"
#include "support/eventually.hpp"
#include "test_support.hpp"

namespace socialgate::fake_graph {
namespace {

using namespace test_support;  // NOLINT: the test helpers
using nlohmann::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

WebhookOptions Hooks(std::int64_t sent, std::int64_t delivered, std::int64_t read) {
  WebhookOptions o;
  o.url = "http://127.0.0.1:9/webhooks/meta";
  o.app_secret = "test-app-secret";
  o.sent_ms = sent;
  o.delivered_ms = delivered;
  o.read_ms = read;
  o.first_retry_delay = milliseconds(10);
  return o;
}

Options WithHooks(WebhookOptions hooks) {
  Options o = TestOptions();
  o.webhooks = std::move(hooks);
  return o;
}

json StatusOf(const std::string& body) {
  return json::parse(body)["entry"][0]["changes"][0]["value"]["statuses"][0];
}

TEST(WebhookDispatcherTest, PostsEachStatusAfterItsDelayInOrderSigned) {
  auto log = std::make_shared<PostLog>();
  WebhookDispatcher hooks(Hooks(20, 40, 60), std::make_unique<CapturingPoster>(log));
  const auto added = Clock::now();
  hooks.Add(AcceptedSend{"1065", "wamid.X", "447700900123", "", std::nullopt});
  ASSERT_TRUE(support::Eventually([&] { return log->size() == 3; }));
  const auto posts = log->Copy();
  const char* expected[] = {"sent", "delivered", "read"};
  const int delays[] = {20, 40, 60};
  for (std::size_t i = 0; i < posts.size(); ++i) {
    const auto& p = posts[i];
    EXPECT_EQ(StatusOf(p.post.body)["status"], expected[i]);
    EXPECT_GE(p.at - added, milliseconds(delays[i])) << expected[i];
    EXPECT_EQ(p.post.url, "http://127.0.0.1:9/webhooks/meta");
    EXPECT_EQ(p.post.signature, HubSignature256("test-app-secret", p.post.body));
  }
  ASSERT_TRUE(support::Eventually([&] { return hooks.Counters().answered_2xx == 3; }));
  EXPECT_EQ(hooks.Counters().pending, 0u);
}

TEST(WebhookDispatcherTest, UnansweredPostsAreRetriedThenCountedFailed) {
  auto log = std::make_shared<PostLog>();
  auto options = Hooks(0, -1, -1);
  options.max_attempts = 3;
  WebhookDispatcher hooks(options, std::make_unique<CapturingPoster>(log, PostOutcome::kNoAnswer));
  hooks.Add(AcceptedSend{"1065", "wamid.X", "447700900123", "", std::nullopt});
  ASSERT_TRUE(support::Eventually([&] { return hooks.Counters().failed == 1; }));
  const auto c = hooks.Counters();
  EXPECT_EQ(c.posted, 3u);
  EXPECT_EQ(c.unanswered, 3u);
  EXPECT_EQ(c.retried, 2u);
  EXPECT_EQ(log->size(), 3u);
}

json WebhookCounters(FakeGraph& graph) {
  return Json(Call(graph, Request("GET", "/_fake/webhooks")));
}

TEST(FakeGraphWebhooksTest, AnAcceptedSendGetsItsStatusesWithItsIds) {
  auto log = std::make_shared<PostLog>();
  FakeGraph graph(WithHooks(Hooks(0, 5, 10)), std::make_unique<CapturingPoster>(log));
  const auto answer =
      Call(graph, SendRequest(TemplateBody("+44 7700-900123", "order_update", "gw-msg-1")));
  ASSERT_EQ(answer.status, 200u) << answer.body;
  const std::string wamid = Json(answer)["messages"][0]["id"];
  ASSERT_TRUE(support::Eventually([&] { return log->size() == 3; }));
  std::vector<std::string> statuses;
  for (const auto& p : log->Copy()) {
    const json body = json::parse(p.post.body);
    const json& value = body["entry"][0]["changes"][0]["value"];
    EXPECT_EQ(body["entry"][0]["id"], kDefaultWabaId);
    EXPECT_EQ(value["metadata"]["phone_number_id"], "106540352242922");
    const json& status = value["statuses"][0];
    EXPECT_EQ(status["id"], wamid);
    EXPECT_EQ(status["recipient_id"], "447700900123");
    EXPECT_EQ(status["biz_opaque_callback_data"], "gw-msg-1");
    statuses.push_back(status["status"]);
  }
  EXPECT_EQ(statuses, (std::vector<std::string>{"sent", "delivered", "read"}));

  // Refused sends and media uploads get none.
  EXPECT_EQ(Call(graph, SendRequest(json{{"messaging_product", "whatsapp"}})).status, 400u);
  EXPECT_EQ(Call(graph, MediaRequest("application/pdf", "%PDF-1.4")).status, 200u);
  ASSERT_TRUE(support::Eventually([&] { return WebhookCounters(graph)["answered_2xx"] == 3; }));
  const json c = WebhookCounters(graph);
  EXPECT_EQ(c["enabled"], true);
  EXPECT_EQ(c["scheduled"], 3);
  EXPECT_EQ(c["posted"], 3);
  EXPECT_EQ(c["refused"], 0);
  EXPECT_EQ(c["failed"], 0);
  EXPECT_EQ(c["pending"], 0);
  EXPECT_EQ(log->size(), 3u);
}

TEST(FakeGraphWebhooksTest, AStatusFailedRuleAcceptsTheSendThenFailsIt) {
  auto log = std::make_shared<PostLog>();
  FakeGraph graph(WithHooks(Hooks(0, 5, 10)), std::make_unique<CapturingPoster>(log));
  const auto rules = Call(graph, Request("POST", "/_fake/faults",
                                         R"({"rules":[{"action":"status_failed","code":131026,)"
                                         R"("details":"Message Undeliverable.",)"
                                         R"("match_to":"+447700900999"}]})"));
  ASSERT_EQ(rules.status, 200u) << rules.body;
  const auto failing = Call(graph, SendRequest(TemplateBody("+447700900999")));
  ASSERT_EQ(failing.status, 200u) << failing.body;  // accepted as usual
  const std::string failing_id = Json(failing)["messages"][0]["id"];
  ASSERT_EQ(Call(graph, SendRequest(TemplateBody("+447700900123"))).status, 200u);
  ASSERT_TRUE(support::Eventually([&] { return log->size() == 5; }));

  std::vector<std::string> of_failing;
  for (const auto& p : log->Copy()) {
    const json status = StatusOf(p.post.body);
    if (status["id"] != failing_id) continue;
    of_failing.push_back(status["status"]);
    if (status["status"] != "failed") continue;
    ASSERT_EQ(status["errors"].size(), 1u);
    const json& e = status["errors"][0];
    EXPECT_EQ(e["code"], 131026);
    EXPECT_EQ(e["title"], "Message undeliverable");  // meta_error.cpp's title
    EXPECT_EQ(e["message"], "Message undeliverable");
    EXPECT_EQ(e["error_data"]["details"], "Message Undeliverable.");
    EXPECT_FALSE(status.contains("pricing"));
  }
  EXPECT_EQ(of_failing, (std::vector<std::string>{"sent", "failed"}));
  const json stats = Json(Call(graph, Request("GET", "/_fake/stats")));
  EXPECT_EQ(stats["faults_by_action"]["status_failed"], 1);
  EXPECT_EQ(stats["messages_accepted"], 2);
}

TEST(FakeGraphWebhooksTest, ALostAnswerStillGetsStatusesAsMetaSentTheMessage) {
  auto log = std::make_shared<PostLog>();
  FakeGraph graph(WithHooks(Hooks(0, -1, -1)), std::make_unique<CapturingPoster>(log));
  ASSERT_EQ(Call(graph, Request("POST", "/_fake/faults",
                                R"({"rules":[{"action":"drop","accept":true,"count":1},)"
                                R"({"action":"error","code":131000,"count":1}]})"))
                .status,
            200u);
  EXPECT_TRUE(Call(graph, SendRequest(TemplateBody())).drop_connection);
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody())).status, 500u);  // not accepted: none
  ASSERT_TRUE(support::Eventually([&] { return WebhookCounters(graph)["answered_2xx"] == 1; }));
  const json records = Json(Call(graph, Request("GET", "/_fake/requests")));
  EXPECT_EQ(StatusOf(log->Copy().at(0).post.body)["id"], records["requests"][0]["outcome"]["id"]);
  EXPECT_EQ(WebhookCounters(graph)["scheduled"], 1);
}

TEST(FakeGraphWebhooksTest, CountersAreClearedWithTheRecordsAndResetDropsWaitingStatuses) {
  auto log = std::make_shared<PostLog>();
  FakeGraph graph(WithHooks(Hooks(0, 600'000, 600'000)), std::make_unique<CapturingPoster>(log));
  ASSERT_EQ(Call(graph, SendRequest(TemplateBody())).status, 200u);
  ASSERT_TRUE(support::Eventually([&] { return WebhookCounters(graph)["answered_2xx"] == 1; }));
  EXPECT_EQ(WebhookCounters(graph)["pending"], 2);  // delivered and read, ten minutes away

  ASSERT_EQ(Call(graph, Request("DELETE", "/_fake/requests")).status, 200u);
  json c = WebhookCounters(graph);
  EXPECT_EQ(c["scheduled"], 0);
  EXPECT_EQ(c["posted"], 0);
  EXPECT_EQ(c["answered_2xx"], 0);
  EXPECT_EQ(c["pending"], 2);  // a gauge: still waiting

  ASSERT_EQ(Call(graph, Request("POST", "/_fake/reset")).status, 200u);
  c = WebhookCounters(graph);
  EXPECT_EQ(c["pending"], 0);
  EXPECT_EQ(c["scheduled"], 0);
  EXPECT_EQ(Call(graph, Request("POST", "/_fake/webhooks")).status, 405u);
}

TEST(FakeGraphWebhooksTest, BeyondThePendingBoundSendsAreStillAnsweredAndStatusesDropped) {
  auto log = std::make_shared<PostLog>();
  auto hooks = Hooks(600'000, 600'000, 600'000);
  hooks.max_pending = 4;
  FakeGraph graph(WithHooks(hooks), std::make_unique<CapturingPoster>(log));
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody())).status, 200u);
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody())).status, 200u);
  const json c = WebhookCounters(graph);
  EXPECT_EQ(c["scheduled"], 3);
  EXPECT_EQ(c["dropped"], 3);
  EXPECT_EQ(c["pending"], 3);
}

TEST(FakeGraphWebhooksTest, WithoutWebhooksTheEndpointSaysSoAndNothingIsPosted) {
  FakeGraph graph(TestOptions());
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody())).status, 200u);
  const json c = WebhookCounters(graph);
  EXPECT_EQ(c["enabled"], false);
  EXPECT_EQ(c["scheduled"], 0);
  // Webhooks without a poster are a programming error.
  EXPECT_THROW({ FakeGraph no_poster(WithHooks(Hooks(0, 0, 0))); }, std::invalid_argument);
}

// ---- A target set at run time: PUT /_fake/webhooks ------------------------------------------

// Never answers POSTs to `unreachable_url` (kNoAnswer); answers the others 2xx.
class UrlPoster final : public WebhookPoster {
 public:
  UrlPoster(std::shared_ptr<PostLog> log, std::string unreachable_url)
      : log_(std::move(log)), unreachable_url_(std::move(unreachable_url)) {}
  void Post(WebhookPost post, Done done) override {
    const bool reachable = post.url != unreachable_url_;
    {
      std::lock_guard lock(log_->mutex);
      log_->entries.push_back({std::move(post), Clock::now()});
    }
    done(reachable ? PostOutcome::kAnswered2xx : PostOutcome::kNoAnswer);
  }

 private:
  std::shared_ptr<PostLog> log_;
  std::string unreachable_url_;
};

// Webhook options with no target: the fake posts nothing until PUT /_fake/webhooks.
Options WithoutTarget(WebhookOptions hooks) {
  hooks.url.clear();
  hooks.app_secret.clear();
  return WithHooks(std::move(hooks));
}

http::HttpResponse PutTarget(FakeGraph& graph, const std::string& body) {
  return Call(graph, Request("PUT", "/_fake/webhooks", body, "application/json"));
}

TEST(FakeGraphWebhookTargetTest, WithoutATargetNothingIsPostedUntilPutSetsOne) {
  auto log = std::make_shared<PostLog>();
  FakeGraph graph(WithoutTarget(Hooks(0, 5, 10)), std::make_unique<CapturingPoster>(log));
  ASSERT_EQ(Call(graph, SendRequest(TemplateBody())).status, 200u);
  json c = WebhookCounters(graph);
  EXPECT_EQ(c["enabled"], false);
  EXPECT_EQ(c["scheduled"], 0);

  const auto put =
      PutTarget(graph, R"({"url":"http://127.0.0.1:9/hooks/late","app_secret":"late-secret"})");
  ASSERT_EQ(put.status, 200u) << put.body;
  EXPECT_EQ(Json(put), json({{"enabled", true}, {"url", "http://127.0.0.1:9/hooks/late"}}));
  EXPECT_EQ(WebhookCounters(graph)["enabled"], true);

  const auto answer = Call(graph, SendRequest(TemplateBody()));
  ASSERT_EQ(answer.status, 200u) << answer.body;
  const std::string wamid = Json(answer)["messages"][0]["id"];
  ASSERT_TRUE(support::Eventually([&] { return WebhookCounters(graph)["answered_2xx"] == 3; }));
  const auto posts = log->Copy();
  ASSERT_EQ(posts.size(), 3u);  // the second send's only: the first had no target
  for (const auto& p : posts) {
    EXPECT_EQ(p.post.url, "http://127.0.0.1:9/hooks/late");
    EXPECT_EQ(p.post.signature, HubSignature256("late-secret", p.post.body));
    EXPECT_EQ(StatusOf(p.post.body)["id"], wamid);
  }
  EXPECT_EQ(WebhookCounters(graph)["scheduled"], 3);
}

TEST(FakeGraphWebhookTargetTest, PutRefusesWhatIsNoTarget) {
  auto log = std::make_shared<PostLog>();
  FakeGraph graph(WithoutTarget(Hooks(0, -1, -1)), std::make_unique<CapturingPoster>(log));
  for (const std::string& body : {
           std::string("not json"),
           std::string(R"(["http://127.0.0.1:9/x","s"])"),
           std::string(R"({"app_secret":"s"})"),
           std::string(R"({"url":"ftp://127.0.0.1/x","app_secret":"s"})"),
           std::string(R"({"url":"http://","app_secret":"s"})"),
           std::string(R"({"url":7,"app_secret":"s"})"),
           std::string(R"({"url":"http://127.0.0.1:9/x"})"),
           std::string(R"({"url":"http://127.0.0.1:9/x","app_secret":""})"),
           std::string(R"({"url":"http://127.0.0.1:9/x","app_secret":"s","sent_ms":5})"),
           std::string(std::string(100, '[') + std::string(100, ']')),
       }) {
    SCOPED_TRACE(body);
    const auto r = PutTarget(graph, body);
    EXPECT_EQ(r.status, 400u) << r.body;
    EXPECT_TRUE(Json(r).contains("error")) << r.body;
  }
  EXPECT_EQ(WebhookCounters(graph)["enabled"], false);
  ASSERT_EQ(Call(graph, SendRequest(TemplateBody())).status, 200u);
  EXPECT_EQ(WebhookCounters(graph)["scheduled"], 0);
  EXPECT_EQ(Call(graph, Request("DELETE", "/_fake/webhooks")).status, 405u);

  // A fake built without webhooks cannot post any.
  FakeGraph plain(TestOptions());
  EXPECT_EQ(PutTarget(plain, R"({"url":"http://127.0.0.1:9/x","app_secret":"s"})").status, 409u);
  EXPECT_EQ(WebhookCounters(plain)["enabled"], false);
}

// What a receiver restarted elsewhere needs: the statuses waiting for a retry go to the new URL,
// with the bytes (and signature) of their first try, as Meta resends them.
TEST(FakeGraphWebhookTargetTest, RetriesGoToTheNewTargetWithTheirFirstBytesAndSignature) {
  auto log = std::make_shared<PostLog>();
  const std::string old_url = "http://127.0.0.1:9/old";
  auto hooks = Hooks(0, -1, -1);
  hooks.url = old_url;
  hooks.first_retry_delay = milliseconds(200);  // 200+400+800+1600 ms before giving up
  FakeGraph graph(WithHooks(hooks), std::make_unique<UrlPoster>(log, old_url));
  ASSERT_EQ(Call(graph, SendRequest(TemplateBody())).status, 200u);
  ASSERT_TRUE(support::Eventually([&] { return WebhookCounters(graph)["retried"] == 1; }));

  const auto put =
      PutTarget(graph, R"({"url":"http://127.0.0.1:9/new","app_secret":"another-secret"})");
  ASSERT_EQ(put.status, 200u) << put.body;
  ASSERT_TRUE(support::Eventually([&] { return WebhookCounters(graph)["answered_2xx"] == 1; }));
  const auto posts = log->Copy();
  ASSERT_GE(posts.size(), 2u);
  const auto& first = posts.front().post;
  const auto& last = posts.back().post;
  EXPECT_EQ(first.url, old_url);
  EXPECT_EQ(last.url, "http://127.0.0.1:9/new");
  EXPECT_EQ(last.body, first.body);
  EXPECT_EQ(last.signature, first.signature);
  EXPECT_EQ(last.signature, HubSignature256("test-app-secret", last.body));
  const json c = WebhookCounters(graph);
  EXPECT_EQ(c["failed"], 0);
  EXPECT_EQ(c["pending"], 0);
}

}  // namespace
}  // namespace socialgate::fake_graph
