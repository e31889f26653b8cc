// GET /metrics and the request log against the real binary: the answer passes Prometheus' own
// linter (`promtool check metrics`, tools/promtool from scripts/install-test-tools), counts the
// requests by endpoint pattern and status, never carries a phone number, and every answer has
// its X-Request-Id, taken from the request when it is sane, which the request's log line names.
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gateway_process.hpp"
#include "http_client.hpp"

namespace socialgate::testing {
namespace {

constexpr std::string_view kBusinessNumber = "3902124122690";
constexpr std::string_view kCustomer = "393403603062";
constexpr std::string_view kSendRoute =
    "/livechat/{domain?}/sendExternalTemplateMessageToCtlivesocial";

// promtool's exit status and what it printed for `exposition` on its standard input.
int Promtool(const std::string& dir, const std::string& exposition, std::string& printed) {
  const std::string input = dir + "/metrics.txt";
  std::ofstream(input) << exposition;
  const std::string command = std::string(PROMTOOL_BINARY) + " check metrics < " + input + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) printed.append(buf, n);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class MetricsTest : public ::testing::Test {
 protected:
  MetricsTest()
      : gateway_(TestConfig(
            {{.name = "default", .user = "demo", .number = std::string(kBusinessNumber)}})) {}
  void SetUp() override { ASSERT_TRUE(gateway_.Start()); }

  HttpResponse Metrics() { return client_.Get(gateway_.base_url() + "/metrics"); }

  // One sample's value, or -1 when the exposition has no such line.
  static double SampleValue(const std::string& exposition, const std::string& series) {
    const auto at = exposition.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(exposition.substr(at + series.size() + 2));
  }

  GatewayProcess gateway_;
  HttpClient client_;
};

TEST_F(MetricsTest, TheExpositionPassesPromtoolAndCountsRequestsWithoutAPhoneNumber) {
  nlohmann::json body = SeedRequest(kBusinessNumber);
  body["customerPhoneNumber"] = kCustomer;
  for (int i = 0; i < 3; ++i) {
    const HttpResponse r = client_.PostJson(SendUrl(gateway_.base_url(), "default"), body.dump(),
                                            Credentials{"demo", std::string(kTestPassword)});
    ASSERT_EQ(r.status, 200) << r.Describe();  // ack = provider: the sandbox answered
  }
  // Paths that carry the customer's number: counted under their pattern, or as unmatched.
  client_.Get(
      gateway_.base_url() + "/livechat/default/getChatTranscriptByUserID/" + std::string(kCustomer),
      Credentials{"demo", std::string(kTestPassword)});
  EXPECT_EQ(client_.Get(gateway_.base_url() + "/nowhere/" + std::string(kCustomer)).status, 404);

  const HttpResponse r = Metrics();
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  std::string printed;
  EXPECT_EQ(Promtool(gateway_.dir(), r.body, printed), 0) << printed;
  EXPECT_EQ(printed, "") << "promtool's lint complaints";

  EXPECT_EQ(r.body.find(kCustomer), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find(kBusinessNumber), std::string::npos) << r.body;
  EXPECT_EQ(SampleValue(r.body, "socialgate_http_requests_total{endpoint=\"" +
                                    std::string(kSendRoute) + "\",method=\"POST\",status=\"200\"}"),
            3)
      << r.body;
  EXPECT_EQ(SampleValue(r.body,
                        "socialgate_http_requests_total{endpoint=\"unmatched\",method=\"GET\","
                        "status=\"404\"}"),
            1)
      << r.body;
  EXPECT_GE(SampleValue(r.body, "socialgate_http_request_duration_seconds_count{endpoint=\"" +
                                    std::string(kSendRoute) + "\"}"),
            3)
      << r.body;

  // The sends went through the dispatcher and the store (ack = provider: answered once sent).
  EXPECT_EQ(SampleValue(r.body,
                        "socialgate_provider_requests_total{provider=\"sandbox\","
                        "outcome=\"accepted\",error_code=\"\"}"),
            3)
      << r.body;
  EXPECT_EQ(
      SampleValue(r.body, "socialgate_messages_total{provider=\"sandbox\",status=\"accepted\"}"), 3)
      << r.body;
  EXPECT_EQ(SampleValue(r.body,
                        "socialgate_provider_request_duration_seconds_count{provider=\"sandbox\"}"),
            3)
      << r.body;
  EXPECT_EQ(SampleValue(r.body, "socialgate_circuit_open{domain=\"default\",number=\"#1\"}"), 0)
      << r.body;
  EXPECT_GE(SampleValue(r.body, "socialgate_storage_commit_batch_writes_count"), 3) << r.body;
  EXPECT_EQ(SampleValue(r.body, "socialgate_storage_write_errors_total"), 0) << r.body;
  EXPECT_GE(SampleValue(r.body, "socialgate_outbox_messages"), 0) << r.body;
  EXPECT_GE(SampleValue(r.body, "socialgate_outbox_oldest_due_age_seconds"), 0) << r.body;
}

TEST_F(MetricsTest, EveryAnswerCarriesARequestIdThatTheLogLineNames) {
  HttpRequest given;
  given.url = gateway_.base_url() + "/healthz";
  given.headers = {{"X-Request-Id", "proxy-7f3a.91"}};
  EXPECT_EQ(client_.Send(given).Header("x-request-id"), "proxy-7f3a.91");

  const std::string made = client_.Get(gateway_.base_url() + "/healthz").Header("x-request-id");
  EXPECT_TRUE(std::regex_match(made, std::regex("[0-9a-f]{16}"))) << made;

  // Not an id a log line may carry: replaced.
  for (const std::string& bad :
       {std::string("two words"), std::string(129, 'a'), std::string("x\"y")}) {
    HttpRequest forged;
    forged.url = gateway_.base_url() + "/healthz";
    forged.headers = {{"X-Request-Id", bad}};
    const std::string id = client_.Send(forged).Header("x-request-id");
    EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{16}"))) << bad << " -> " << id;
  }

  // A refusal has one too.
  const HttpResponse refused = client_.Get(gateway_.base_url() + "/nowhere");
  EXPECT_EQ(refused.status, 404);
  EXPECT_FALSE(refused.Header("x-request-id").empty());

  ASSERT_TRUE(gateway_.Stop().ExitedWith(0));
  const std::string log = gateway_.ReadStderrLog();
  EXPECT_NE(log.find("request proxy-7f3a.91 GET /healthz 200 "), std::string::npos) << log;
  EXPECT_NE(log.find("request " + made + " GET /healthz 200 "), std::string::npos) << log;
}

// log.format = "json": every line the gateway writes is one JSON object, the request lines too.
TEST(JsonLogTest, EveryLineIsAJsonObjectWhenTheConfigAsksForIt) {
  GatewayProcess gateway(
      "[log]\nformat = \"json\"\n" +
      TestConfig({{.name = "default", .user = "demo", .number = std::string(kBusinessNumber)}}));
  ASSERT_TRUE(gateway.Start());
  HttpClient client;
  HttpRequest given;
  given.url = gateway.base_url() + "/healthz";
  given.headers = {{"X-Request-Id", "json-log-1"}};
  EXPECT_EQ(client.Send(given).status, 200);
  ASSERT_TRUE(gateway.Stop().ExitedWith(0));
  std::istringstream log(gateway.ReadStderrLog());
  int objects = 0;
  bool request_line = false;
  for (std::string line; std::getline(log, line);) {
    if (line.rfind("=====", 0) == 0) continue;  // the harness's own marker between runs
    const auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    EXPECT_TRUE(j.contains("time") && j.contains("level") && j.contains("message")) << line;
    ++objects;
    if (j.value("message", "").rfind("request json-log-1 GET /healthz 200 ", 0) == 0) {
      request_line = true;
    }
  }
  EXPECT_GE(objects, 3);
  EXPECT_TRUE(request_line);
}

// The dashboard and the alert rules only use series the gateway exposes (a renamed metric would
// leave a panel empty and an alert silent without any error).
TEST_F(MetricsTest, TheDashboardAndTheAlertRulesUseOnlyMetricsTheGatewayExposes) {
  const HttpResponse r = Metrics();
  ASSERT_EQ(r.status, 200) << r.Describe();
  for (const std::string file :
       {"/deploy/grafana/socialgate.json", "/deploy/prometheus/alerts.yml"}) {
    std::ifstream in(std::string(SOCIALGATE_SOURCE_DIR) + file);
    ASSERT_TRUE(in) << file;
    std::stringstream text;
    text << in.rdbuf();
    const std::string content = text.str();
    std::set<std::string> names;
    const std::regex name("socialgate_[a-z][a-z_]*[a-z]");
    for (auto it = std::sregex_iterator(content.begin(), content.end(), name);
         it != std::sregex_iterator(); ++it) {
      std::string n = it->str();
      for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
        if (n.size() > suffix.size() && n.ends_with(suffix) &&
            r.body.find("# TYPE " + n.substr(0, n.size() - suffix.size()) + " histogram\n") !=
                std::string::npos) {
          n.resize(n.size() - suffix.size());
        }
      }
      names.insert(n);
    }
    EXPECT_GE(names.size(), 5u) << file;  // the extraction found them
    for (const auto& n : names) {
      EXPECT_NE(r.body.find("# TYPE " + n + " "), std::string::npos)
          << file << " uses " << n << ", which the gateway does not expose";
    }
  }
}

}  // namespace
}  // namespace socialgate::testing
