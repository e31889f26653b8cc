// Fault rules: parsing, matching, each action, rate, count and skip.
#include "fake-graph/faults.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fake-graph/fake_graph.hpp"
#include "test_support.hpp"

namespace socialgate::fake_graph {
namespace {

using namespace test_support;  // NOLINT: the test helpers
using nlohmann::json;

http::HttpResponse SetFaults(FakeGraph& graph, const json& rules) {
  return Call(graph,
              Request("POST", "/_fake/faults", json{{"rules", rules}}.dump(), "application/json"));
}

std::string Header(const http::HttpResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return {};
}

TEST(FaultsTest, ErrorRuleAnswersTheCodeWithItsDefaultStatus) {
  FakeGraph graph(TestOptions());
  const std::vector<std::pair<int, unsigned>> cases = {{131000, 500}, {132001, 404}, {190, 401},
                                                       {131005, 403}, {133004, 503}, {131056, 400}};
  for (const auto& [code, status] : cases) {
    ASSERT_EQ(SetFaults(graph, {{{"action", "error"}, {"code", code}}}).status, 200u);
    const auto r = Call(graph, SendRequest(TemplateBody()));
    EXPECT_EQ(r.status, status) << code;
    const auto j = Json(r);
    EXPECT_EQ(j["error"]["code"], code);
    EXPECT_EQ(j["error"]["message"].get<std::string>().rfind("(#" + std::to_string(code) + ")", 0),
              0u);
  }
}

TEST(FaultsTest, ErrorRuleTakesStatusMessageAndDetailsOverrides) {
  FakeGraph graph(TestOptions());
  ASSERT_EQ(SetFaults(graph, {{{"action", "error"},
                               {"code", 131026},
                               {"http_status", 422},
                               {"message", "Custom title"},
                               {"details", "not on WhatsApp"}}})
                .status,
            200u);
  const auto r = Call(graph, SendRequest(TemplateBody()));
  EXPECT_EQ(r.status, 422u);
  const auto j = Json(r);
  EXPECT_EQ(j["error"]["message"], "(#131026) Custom title");
  EXPECT_EQ(j["error"]["error_data"]["details"], "not on WhatsApp");
}

TEST(FaultsTest, HttpRuleAnswersABareStatusWithANonMetaBody) {
  FakeGraph graph(TestOptions());
  SetFaults(graph, {{{"action", "http"}, {"http_status", 502}}});
  auto r = Call(graph, SendRequest(TemplateBody()));
  EXPECT_EQ(r.status, 502u);
  EXPECT_EQ(r.content_type, "text/html");
  EXPECT_NE(r.body.find("502 Bad Gateway"), std::string::npos);
  EXPECT_FALSE(json::accept(r.body));
  SetFaults(graph, {{{"action", "http"}}});
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody())).status, 503u);
}

// What a hostile or broken provider answers: a 200 that is not Meta's success, with any
// content type.
TEST(FaultsTest, HttpRuleAnswersAChosenStatusContentTypeAndBody) {
  FakeGraph graph(TestOptions());
  ASSERT_EQ(SetFaults(graph, {{{"action", "http"},
                               {"http_status", 200},
                               {"content_type", "application/json"},
                               {"body", R"({"messages":{"id":"wamid.1"}})"}}})
                .status,
            200u);
  auto r = Call(graph, SendRequest(TemplateBody()));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"messages":{"id":"wamid.1"}})");
  // Without a content_type: text/plain for a given body, text/html for the default page.
  SetFaults(graph, {{{"action", "http"}, {"http_status", 200}, {"body", "ok"}}});
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody())).content_type, "text/plain");
  SetFaults(graph, {{{"action", "http"}, {"http_status", 200}}});
  r = Call(graph, SendRequest(TemplateBody()));
  EXPECT_EQ(r.content_type, "text/html");
  EXPECT_NE(r.body.find("<html>"), std::string::npos);
}

TEST(FaultsTest, BodyPartsMakeLargeOrDeepBodiesFromASmallRule) {
  FakeGraph graph(TestOptions());
  const json parts = json::array({{{"text", "["}, {"repeat", 100'000}},
                                  {{"text", "]"}, {"repeat", 100'000}},
                                  {{"text", "!"}, {"repeat", 1}}});
  ASSERT_EQ(
      SetFaults(graph, {{{"action", "http"}, {"http_status", 200}, {"body_parts", parts}}}).status,
      200u);
  auto r = Call(graph, SendRequest(TemplateBody()));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "text/plain");
  EXPECT_EQ(r.body, std::string(100'000, '[') + std::string(100'000, ']') + "!");
  // The rule lists its parts, not the body they make.
  const auto listed = Json(Call(graph, Request("GET", "/_fake/faults")));
  EXPECT_EQ(listed["rules"][0]["body_parts"], parts);
  EXPECT_LT(listed.dump().size(), 1000u);

  SetFaults(graph, {{{"action", "http"},
                     {"http_status", 200},
                     {"body_parts", {{{"text", "0123456789"}, {"repeat", 1'000'000}}}}}});
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody())).body.size(), 10'000'000u);
  // An empty list: an empty body.
  SetFaults(graph, {{{"action", "http"}, {"http_status", 200}, {"body_parts", json::array()}}});
  r = Call(graph, SendRequest(TemplateBody()));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "");
}

TEST(FaultsTest, ThrottleRuleAnswers429WithCode130429AndRetryAfter) {
  FakeGraph graph(TestOptions());
  SetFaults(graph, {{{"action", "throttle"}, {"retry_after_s", 7}}});
  const auto r = Call(graph, SendRequest(TemplateBody()));
  EXPECT_EQ(r.status, 429u);
  EXPECT_EQ(Json(r)["error"]["code"], 130429);
  EXPECT_EQ(Header(r, "Retry-After"), "7");
  // Meta's real behaviour: 400, another throttling code, no Retry-After.
  SetFaults(
      graph,
      {{{"action", "throttle"}, {"code", 131056}, {"http_status", 400}, {"retry_after_s", -1}}});
  const auto r2 = Call(graph, SendRequest(TemplateBody()));
  EXPECT_EQ(r2.status, 400u);
  EXPECT_EQ(Json(r2)["error"]["code"], 131056);
  EXPECT_EQ(Header(r2, "Retry-After"), "");
}

TEST(FaultsTest, SlowRuleAnswersNormallyLaterWithoutBlockingTheCaller) {
  FakeGraph graph(TestOptions());
  SetFaults(graph, {{{"action", "slow"}, {"delay_ms", 150}}});
  auto promise = std::make_shared<std::promise<http::HttpResponse>>();
  auto future = promise->get_future();
  const auto start = std::chrono::steady_clock::now();
  graph.Handle(SendRequest(TemplateBody()), http::Responder([promise](http::HttpResponse r) {
                 promise->set_value(std::move(r));
               }));
  // Handle returned without answering: the answer waits on the timer thread.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  EXPECT_EQ(future.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(140));
  const auto r = future.get();
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(Json(r)["messaging_product"], "whatsapp");
  const auto stats = Json(Call(graph, Request("GET", "/_fake/stats")));
  EXPECT_EQ(stats["messages_accepted"], 1);
  EXPECT_EQ(stats["faults_applied"], 1);
}

TEST(FaultsTest, DropRuleSetsDropConnection) {
  FakeGraph graph(TestOptions());
  SetFaults(graph, {{{"action", "drop"}}});
  const auto r = Call(graph, SendRequest(TemplateBody("+1555", "t", "m1")));
  EXPECT_TRUE(r.drop_connection);
  auto stats = Json(Call(graph, Request("GET", "/_fake/stats")));
  EXPECT_EQ(stats["connections_dropped"], 1);
  EXPECT_EQ(stats["messages_accepted"], 0);
  // accept: Meta sent it but the answer was lost; a resend is then a duplicate.
  SetFaults(graph, {{{"action", "drop"}, {"accept", true}, {"count", 1}}});
  EXPECT_TRUE(Call(graph, SendRequest(TemplateBody("+1555", "t", "m1"))).drop_connection);
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody("+1555", "t", "m1"))).status, 200u);
  stats = Json(Call(graph, Request("GET", "/_fake/stats")));
  EXPECT_EQ(stats["messages_accepted"], 2);
  EXPECT_EQ(stats["duplicates"], 1);
}

TEST(FaultsTest, RateZeroNeverAppliesAndRateOneAlwaysDoes) {
  FakeGraph graph(TestOptions());
  SetFaults(graph, {{{"action", "error"}, {"code", 131000}, {"rate", 0.0}}});
  for (int i = 0; i < 200; ++i) ASSERT_EQ(Call(graph, SendRequest(TemplateBody())).status, 200u);
  SetFaults(graph, {{{"action", "error"}, {"code", 131000}, {"rate", 1.0}}});
  for (int i = 0; i < 20; ++i) ASSERT_EQ(Call(graph, SendRequest(TemplateBody())).status, 500u);
}

TEST(FaultsTest, FractionalRateIsReproducibleForTheSameSeed) {
  const auto pattern = [](std::uint64_t seed) {
    auto options = TestOptions();
    options.seed = seed;
    FakeGraph graph(options);
    SetFaults(graph, {{{"action", "error"}, {"code", 131000}, {"rate", 0.3}}});
    std::string out;
    for (int i = 0; i < 200; ++i) {
      out += Call(graph, SendRequest(TemplateBody())).status == 200 ? '.' : 'x';
    }
    return out;
  };
  const auto a = pattern(7);
  EXPECT_EQ(a, pattern(7));
  const auto faults = std::count(a.begin(), a.end(), 'x');
  EXPECT_GT(faults, 30);
  EXPECT_LT(faults, 90);
}

TEST(FaultsTest, CountLimitsApplicationsAndRulesApplyInOrder) {
  FakeGraph graph(TestOptions());
  SetFaults(graph, {{{"action", "error"}, {"code", 131000}, {"count", 2}},
                    {{"action", "http"}, {"http_status", 502}, {"count", 1}}});
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody())).status, 500u);
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody())).status, 500u);
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody())).status, 502u);
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody())).status, 200u);
  const auto rules = Json(Call(graph, Request("GET", "/_fake/faults")));
  EXPECT_EQ(rules["rules"][0]["applied"], 2);
  EXPECT_EQ(rules["rules"][1]["applied"], 1);
  EXPECT_EQ(Call(graph, Request("DELETE", "/_fake/faults")).status, 200u);
  EXPECT_TRUE(Json(Call(graph, Request("GET", "/_fake/faults")))["rules"].empty());
}

TEST(FaultsTest, SkipPassesOverTheFirstMatchesToLaterRulesThenApplies) {
  FakeGraph graph(TestOptions());
  ASSERT_EQ(
      SetFaults(
          graph,
          {{{"match_template", "promo"},
            {"skip", 2},
            {"count", 1},
            {"action", "error"},
            {"code", 131000}},
           {{"match_template", "promo"}, {"count", 1}, {"action", "http"}, {"http_status", 502}}})
          .status,
      200u);
  // Other templates do not match, so they do not use up the skip.
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody("+1555", "order_update"))).status, 200u);
  // The first skipped match goes on to the second rule; the second passes every rule.
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody("+1555", "promo"))).status, 502u);
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody("+1555", "promo"))).status, 200u);
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody("+1555", "promo"))).status, 500u);
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody("+1555", "promo"))).status, 200u);
  const auto rules = Json(Call(graph, Request("GET", "/_fake/faults")));
  EXPECT_EQ(rules["rules"][0]["skip"], 2);
  EXPECT_EQ(rules["rules"][0]["skipped"], 2);
  EXPECT_EQ(rules["rules"][0]["applied"], 1);
  EXPECT_FALSE(rules["rules"][1].contains("skip"));
  EXPECT_FALSE(rules["rules"][1].contains("skipped"));
  // Replacing the rules starts the skip again.
  SetFaults(graph, {{{"skip", 1}, {"action", "error"}, {"code", 131000}}});
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody())).status, 200u);
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody())).status, 500u);
}

TEST(FaultsTest, RulesMatchOnPathTemplateAndRecipient) {
  FakeGraph graph(TestOptions());
  SetFaults(
      graph,
      {{{"path", "messages"}, {"match_template", "promo"}, {"action", "error"}, {"code", 132001}},
       {{"path", "messages"},
        {"match_to", "+44 7700 900999"},
        {"action", "error"},
        {"code", 131026}},
       {{"path", "media"}, {"action", "http"}, {"http_status", 500}}});
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody("+1555", "order_update"))).status, 200u);
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody("+1555", "promo"))).status, 404u);
  EXPECT_EQ(Json(Call(graph, SendRequest(TemplateBody("447700900999"))))["error"]["code"], 131026);
  EXPECT_EQ(Call(graph, MediaRequest("image/png", "png")).status, 500u);
}

TEST(FaultsTest, FaultsNeverHideARefusedRequest) {
  FakeGraph graph(TestOptions());
  SetFaults(graph, {{{"action", "http"}, {"http_status", 502}}});
  auto body = TemplateBody();
  body.erase("to");
  EXPECT_EQ(Json(Call(graph, SendRequest(body)))["error"]["code"], 100);
}

TEST(FaultsTest, BadRulesAreRefusedWithASentence) {
  FakeGraph graph(TestOptions());
  const auto refused = [&](const json& rules, const std::string& part) {
    const auto r = SetFaults(graph, rules);
    EXPECT_EQ(r.status, 400u);
    EXPECT_NE(r.body.find(part), std::string::npos) << r.body;
  };
  refused({{{"action", "explode"}}}, "action must be one of");
  refused({{{"action", "error"}}}, "needs a Meta error code");
  refused({{{"action", "slow"}, {"delay", 5}}}, "unknown field 'delay'");
  refused({{{"action", "error"}, {"code", 1}, {"rate", 1.5}}}, "rate");
  refused({{{"action", "error"}, {"code", 1}, {"path", "webhooks"}}}, "path");
  refused({{{"action", "error"}, {"code", 1}, {"accept", true}}}, "accept");
  refused({{{"action", "error"}, {"code", 1}, {"count", -1}}}, "count");
  refused({{{"action", "error"}, {"code", 1}, {"skip", -1}}}, "skip must be between");
  refused({{{"action", "error"}, {"code", 1}, {"skip", "2"}}}, "skip must be an integer");
  refused({{{"action", "error"}, {"code", 1}, {"http_status", 99}}}, "http_status");
  refused({{{"action", "http"}, {"content_type", "text/html\r\nX-Evil: 1"}}}, "content_type");
  refused({{{"action", "http"}, {"content_type", ""}}}, "content_type");
  refused({{{"action", "error"}, {"code", 1}, {"content_type", "text/html"}}},
          "content_type applies to \\\"http\\\" rules only");
  refused({{{"action", "http"}, {"body", "x"}, {"body_parts", json::array()}}}, "not both");
  refused({{{"action", "http"}, {"body_parts", "x"}}}, "body_parts must be an array");
  refused({{{"action", "http"}, {"body_parts", {{{"text", ""}}}}}}, "body_parts[0].text");
  refused({{{"action", "http"}, {"body_parts", {{{"text", "x"}, {"repeat", 0}}}}}},
          "body_parts[0].repeat");
  refused({{{"action", "http"}, {"body_parts", {{{"text", "x"}, {"times", 2}}}}}},
          "unknown field 'times'");
  refused({{{"action", "http"}, {"body_parts", {{{"text", "0123456789"}, {"repeat", 7'000'000}}}}}},
          "body_parts make more than 67108864 bytes");
  EXPECT_EQ(Call(graph, Request("POST", "/_fake/faults", "[]", "application/json")).status, 400u);
  EXPECT_EQ(Call(graph, Request("POST", "/_fake/faults", "{", "application/json")).status, 400u);
}

}  // namespace
}  // namespace socialgate::fake_graph
