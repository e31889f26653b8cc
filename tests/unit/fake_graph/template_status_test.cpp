// POST /_fake/template-status: the listing's status changes, and Meta's
// message_template_status_update webhook is posted (signed, through the status webhooks'
// dispatcher, retried alike) when a target is set. Waits are for conditions, bounded by a
// deadline.
#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "capturing_poster.hpp"
#include "fake-graph/fake_graph.hpp"
#include "fake-graph/template_listing.hpp"
#include "fake-graph/webhook_body.hpp"
#include "support/eventually.hpp"
#include "test_support.hpp"

namespace socialgate::fake_graph {
namespace {

using namespace test_support;  // NOLINT: the test helpers
using nlohmann::json;

constexpr char kListing[] =
    R"({"data":[)"
    R"({"id":"100000000000001","name":"order_update","language":"en_GB","status":"APPROVED",)"
    R"("category":"UTILITY","components":[{"type":"BODY","text":"Hi {{1}}"}]},)"
    R"({"id":"100000000000002","name":"order_update","language":"en_US","status":"APPROVED",)"
    R"("category":"UTILITY","components":[{"type":"BODY","text":"Hi {{1}}"}]}]})";

Options ListingOptions(bool with_target) {
  auto options = TestOptions();
  auto templates = ParseTemplateListing(kListing);
  EXPECT_TRUE(templates) << templates.error();
  if (templates) options.templates = std::move(*templates);
  WebhookOptions hooks;
  if (with_target) {
    hooks.url = "http://127.0.0.1:9/webhooks/meta";
    hooks.app_secret = "test-app-secret";
  }
  options.webhooks = std::move(hooks);
  return options;
}

http::HttpResponse SetStatus(FakeGraph& graph, const json& body) {
  return Call(graph, Request("POST", "/_fake/template-status", body.dump(), "application/json"));
}

json Listed(FakeGraph& graph) {
  return Json(Call(graph, Request("GET", "/_fake/templates")))["data"];
}

TEST(TemplateStatusTest, TemplateStatusWebhookBodyIsMetasShape) {
  TemplateStatusEvent event;
  event.waba_id = "102290129340398";
  event.timestamp = 1796550082;
  event.event = "PAUSED";
  event.template_id = 100000000000001;
  event.template_name = "order_update";
  event.template_language = "en_GB";
  EXPECT_EQ(TemplateStatusWebhookBody(event),
            R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398",)"
            R"("time":1796550082,"changes":[{"field":"message_template_status_update",)"
            R"("value":{"event":"PAUSED","message_template_id":100000000000001,)"
            R"("message_template_name":"order_update","message_template_language":"en_GB",)"
            R"("reason":"NONE"}}]}]})");
}

TEST(TemplateStatusTest, ChangesTheListingAndPostsMetasSignedWebhook) {
  auto log = std::make_shared<PostLog>();
  auto options = ListingOptions(true);
  options.waba_id = "555";
  FakeGraph graph(options, std::make_unique<CapturingPoster>(log));
  const auto before = std::chrono::system_clock::now();
  const auto r =
      SetStatus(graph, {{"name", "order_update"}, {"language", "en_US"}, {"event", "PAUSED"}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Json(r), json::parse(R"({"id":"100000000000002","name":"order_update",)"
                                 R"("language":"en_US","status":"PAUSED","webhook_queued":true})"));

  // The listing: that template only, in the served pages too.
  const auto listed = Listed(graph);
  EXPECT_EQ(listed[0]["status"], "APPROVED");
  EXPECT_EQ(listed[1]["status"], "PAUSED");
  auto listing =
      WithBearer(Request("GET", "/v23.0/555/message_templates", {}, {}, "status=PAUSED"));
  const auto page = Call(graph, std::move(listing));
  ASSERT_EQ(Json(page)["data"].size(), 1u);
  // The status keeps its place among the template's members.
  EXPECT_EQ(page.body.rfind(
                R"({"data":[{"id":"100000000000002","name":"order_update","language":"en_US",)"
                R"("status":"PAUSED","category":"UTILITY",)",
                0),
            0u)
      << page.body;

  ASSERT_TRUE(support::Eventually([&] { return log->size() == 1; }));
  const auto post = log->Copy()[0].post;
  EXPECT_EQ(post.url, "http://127.0.0.1:9/webhooks/meta");
  EXPECT_EQ(post.signature, HubSignature256("test-app-secret", post.body));
  const auto body = json::parse(post.body);
  const std::int64_t time = body["entry"][0]["time"];
  EXPECT_GE(time,
            std::chrono::duration_cast<std::chrono::seconds>(before.time_since_epoch()).count());
  TemplateStatusEvent expected;
  expected.waba_id = "555";
  expected.timestamp = time;
  expected.event = "PAUSED";
  expected.template_id = 100000000000002;
  expected.template_name = "order_update";
  expected.template_language = "en_US";
  EXPECT_EQ(post.body, TemplateStatusWebhookBody(expected));
  EXPECT_TRUE(body["entry"][0]["changes"][0]["value"]["message_template_id"].is_number());

  const auto counters = Json(Call(graph, Request("GET", "/_fake/webhooks")));
  EXPECT_EQ(counters["scheduled"], 1);
  ASSERT_TRUE(support::Eventually(
      [&] { return Json(Call(graph, Request("GET", "/_fake/webhooks")))["answered_2xx"] == 1; }));
}

TEST(TemplateStatusTest, TheReasonIsPassedOnAndTheTemplateCanComeBack) {
  auto log = std::make_shared<PostLog>();
  FakeGraph graph(ListingOptions(true), std::make_unique<CapturingPoster>(log));
  ASSERT_EQ(SetStatus(graph, {{"name", "order_update"},
                              {"language", "en_GB"},
                              {"event", "REJECTED"},
                              {"reason", "INCORRECT_CATEGORY"}})
                .status,
            200u);
  ASSERT_EQ(
      SetStatus(graph, {{"name", "order_update"}, {"language", "en_GB"}, {"event", "APPROVED"}})
          .status,
      200u);
  EXPECT_EQ(Listed(graph)[0]["status"], "APPROVED");
  ASSERT_TRUE(support::Eventually([&] { return log->size() == 2; }));
  const auto posts = log->Copy();
  const auto value = [](const WebhookPost& p) {
    return json::parse(p.body)["entry"][0]["changes"][0]["value"];
  };
  EXPECT_EQ(value(posts[0].post)["event"], "REJECTED");
  EXPECT_EQ(value(posts[0].post)["reason"], "INCORRECT_CATEGORY");
  EXPECT_EQ(value(posts[1].post)["event"], "APPROVED");
  EXPECT_EQ(value(posts[1].post)["reason"], "NONE");
  EXPECT_EQ(value(posts[1].post)["message_template_id"], 100000000000001u);
}

TEST(TemplateStatusTest, ARefusedTemplateWebhookIsRetriedWithTheSameBytes) {
  auto log = std::make_shared<PostLog>();
  auto options = ListingOptions(true);
  options.webhooks->first_retry_delay = std::chrono::milliseconds(10);
  options.webhooks->max_attempts = 2;
  FakeGraph graph(options, std::make_unique<CapturingPoster>(log, PostOutcome::kRefused));
  ASSERT_EQ(SetStatus(graph, {{"name", "order_update"}, {"language", "en_GB"}, {"event", "PAUSED"}})
                .status,
            200u);
  ASSERT_TRUE(support::Eventually(
      [&] { return Json(Call(graph, Request("GET", "/_fake/webhooks")))["failed"] == 1; }));
  const auto posts = log->Copy();
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].post.body, posts[1].post.body);
  EXPECT_EQ(posts[0].post.signature, posts[1].post.signature);
  const auto counters = Json(Call(graph, Request("GET", "/_fake/webhooks")));
  EXPECT_EQ(counters["refused"], 2);
  EXPECT_EQ(counters["retried"], 1);
}

TEST(TemplateStatusTest, WithoutATargetTheListingChangesAndNothingIsQueued) {
  auto log = std::make_shared<PostLog>();
  FakeGraph no_target(ListingOptions(false), std::make_unique<CapturingPoster>(log));
  auto r = SetStatus(no_target,
                     {{"name", "order_update"}, {"language", "en_GB"}, {"event", "DISABLED"}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Json(r)["webhook_queued"], false);
  EXPECT_EQ(Listed(no_target)[0]["status"], "DISABLED");
  EXPECT_EQ(Json(Call(no_target, Request("GET", "/_fake/webhooks")))["scheduled"], 0);

  // A target set at run time gets the next change.
  ASSERT_EQ(Call(no_target, Request("PUT", "/_fake/webhooks",
                                    R"({"url":"http://127.0.0.1:9/hooks","app_secret":"s"})"))
                .status,
            200u);
  r = SetStatus(no_target, {{"name", "order_update"}, {"language", "en_GB"}, {"event", "PAUSED"}});
  EXPECT_EQ(Json(r)["webhook_queued"], true);
  ASSERT_TRUE(support::Eventually([&] { return log->size() == 1; }));
  EXPECT_EQ(log->Copy()[0].post.url, "http://127.0.0.1:9/hooks");

  // No webhooks at all (no poster).
  auto options = ListingOptions(false);
  options.webhooks.reset();
  FakeGraph bare(options);
  r = SetStatus(bare, {{"name", "order_update"}, {"language", "en_GB"}, {"event", "PAUSED"}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Json(r)["webhook_queued"], false);
}

TEST(TemplateStatusTest, UnknownTemplatesAndBadBodiesAreRefusedAndResetRestores) {
  auto log = std::make_shared<PostLog>();
  FakeGraph graph(ListingOptions(true), std::make_unique<CapturingPoster>(log));
  EXPECT_EQ(
      SetStatus(graph, {{"name", "order_update"}, {"language", "fr"}, {"event", "PAUSED"}}).status,
      404u);
  EXPECT_EQ(SetStatus(graph, {{"name", "nope"}, {"language", "en_GB"}, {"event", "PAUSED"}}).status,
            404u);
  const auto refused = [&](const json& body, const std::string& part) {
    const auto r = SetStatus(graph, body);
    EXPECT_EQ(r.status, 400u) << body;
    EXPECT_NE(Json(r)["error"].get<std::string>().find(part), std::string::npos) << r.body;
  };
  refused({{"language", "en_GB"}, {"event", "PAUSED"}}, "name");
  refused({{"name", "order_update"}, {"event", "PAUSED"}}, "language");
  refused({{"name", "order_update"}, {"language", "en_GB"}}, "event");
  refused({{"name", "order_update"}, {"language", "en_GB"}, {"event", "paused"}}, "event");
  refused({{"name", "order_update"}, {"language", "en_GB"}, {"event", "PAUSED"}, {"reason", 3}},
          "reason");
  refused({{"name", "order_update"}, {"language", "en_GB"}, {"event", "PAUSED"}, {"why", "x"}},
          "unknown field 'why'");
  refused(json::array(), "JSON object");
  EXPECT_EQ(Call(graph, Request("GET", "/_fake/template-status")).status, 405u);
  // Nothing changed, nothing was posted.
  EXPECT_EQ(Listed(graph)[0]["status"], "APPROVED");
  EXPECT_EQ(Json(Call(graph, Request("GET", "/_fake/webhooks")))["scheduled"], 0);

  ASSERT_EQ(SetStatus(graph, {{"name", "order_update"}, {"language", "en_GB"}, {"event", "PAUSED"}})
                .status,
            200u);
  ASSERT_EQ(Call(graph, Request("POST", "/_fake/reset")).status, 200u);
  EXPECT_EQ(Listed(graph)[0]["status"], "APPROVED");
}

}  // namespace
}  // namespace socialgate::fake_graph
