// The gateway against a provider that answers nonsense (issue 14: one odd answer, an error
// whose message was a number, aborted the process, and the restart sent the same message
// again). tools/fake-graph serves a gallery of hostile answers, each to its own message (a
// fault rule matching its customer, applied once; uploads one at a time), and the test checks
// that the gateway stays up and answering, and that every message ends in the state
// docs/providers/meta.md ("How answers are classified") gives its answer: accepted after a
// retry, or failed with a specific reason.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/sample_media.hpp"
#include "fake_graph_process.hpp"
#include "gateway_process.hpp"
#include "http_client.hpp"
#include "meta_test_config.hpp"

namespace socialgate::testing {
namespace {

using core::testing::Base64;
using core::testing::TinyPdf;
using Json = nlohmann::json;

constexpr std::string_view kDomain = "default";
constexpr std::string_view kNumber = "3902124122690";
constexpr std::string_view kToken = "hostile-token";
const Credentials kDemo{"demo", std::string(kTestPassword)};

// Every message ends within this (retries wait 100 ms at most here).
constexpr auto kSettleTimeout = std::chrono::seconds(20);
// The longest deliveryError message any answer may leave: the classified message is at most
// 640 bytes (meta_errors.hpp), plus the dispatcher's "gave up after ..." when attempts run out.
constexpr std::size_t kMaxDeliveryErrorBytes = 1024;

// What a hostile answer must come to.
enum class Ends {
  kAcceptedAtOnce,  // the answer was usable after all (an unusable wa_id is left out)
  kRetried,         // the attempt was retried, and the next (a normal answer) accepted
  kFailed,          // failed for good, with `code` and `reason`
};

struct HostileAnswer {
  std::string name;
  Json rule;  // a fake-graph "http" fault rule, without match_to and count
  Ends ends;
  std::string code;    // the first attempt's error code (none for kAcceptedAtOnce)
  std::string reason;  // part of the first attempt's error message
};

// An "http" fault rule: `status` with `body` as application/json.
Json JsonAnswer(int status, std::string body) {
  return {{"action", "http"},
          {"http_status", status},
          {"content_type", "application/json"},
          {"body", std::move(body)}};
}

// An "http" fault rule whose body is made of `parts` ({"text", "repeat"}).
Json GeneratedAnswer(int status, Json parts) {
  return {{"action", "http"},
          {"http_status", status},
          {"content_type", "application/json"},
          {"body_parts", std::move(parts)}};
}

Json DeepNesting() {
  return Json::array({{{"text", "["}, {"repeat", 10'000}}, {{"text", "]"}, {"repeat", 10'000}}});
}

Json TenMegabytes() { return Json::array({{{"text", "0123456789"}, {"repeat", 1'000'000}}}); }

// Answers to POST /messages.
std::vector<HostileAnswer> SendGallery() {
  std::vector<HostileAnswer> g;
  // The issue's answer: the code decides, the message that is not a string is left out.
  g.push_back({"error message is a number",
               JsonAnswer(400, R"({"error":{"code":131000,"message":7}})"), Ends::kRetried,
               "131000", "Graph API error 131000"});
  g.push_back({"error code is a string",
               JsonAnswer(400, R"({"error":{"code":"131026","message":"not on WhatsApp"}})"),
               Ends::kFailed, "http_400", "error.code is a string, not an integer"});
  g.push_back({"error message and details of the wrong types",
               JsonAnswer(404, R"({"error":{"code":132001,"message":["a"],)"
                               R"("error_data":{"details":5}}})"),
               Ends::kFailed, "132001", "Graph API error 132001"});
  g.push_back({"error_data is a string",
               JsonAnswer(500, R"({"error":{"code":131000,"error_data":"oops"}})"), Ends::kRetried,
               "131000", "Graph API error 131000"});
  g.push_back({"error code is a huge float", JsonAnswer(503, R"({"error":{"code":1.5e300}})"),
               Ends::kRetried, "http_503", "error.code is a number with a fraction or exponent"});
  g.push_back({"error code out of range", JsonAnswer(400, R"({"error":{"code":99999999999}})"),
               Ends::kFailed, "http_400", "error.code is out of range"});
  g.push_back({"error is an array", JsonAnswer(400, R"({"error":[131000,"x"]})"), Ends::kFailed,
               "http_400", "error is an array, not an object"});
  g.push_back({"error is a string", JsonAnswer(500, R"({"error":"Internal Server Error"})"),
               Ends::kRetried, "http_500", "error is a string, not an object"});
  g.push_back({"error text long with control characters",
               JsonAnswer(400, R"({"error":{"code":131026,"message":")" + std::string(5000, 'm') +
                                   R"(\n\u0000\u001b[31m",)" + R"("error_data":{"details":")" +
                                   std::string(5000, 'd') + R"("}}})"),
               Ends::kFailed, "131026", "mmmmmmmm"});
  g.push_back({"error nested 10,000 levels deep", GeneratedAnswer(400, DeepNesting()),
               Ends::kFailed, "http_400", "the answer nests deeper than 16 levels"});
  g.push_back({"HTML 404",
               {{"action", "http"}, {"http_status", 404}},
               Ends::kFailed,
               "http_404",
               "the answer is not JSON"});
  g.push_back({"a 10 MB error", GeneratedAnswer(400, TenMegabytes()), Ends::kRetried,
               "bad_response", "larger than 4194304 bytes"});
  // Successes the gateway cannot use: the message may or may not have been taken, and cannot be
  // tracked, so it is retried.
  g.push_back({"messages is an object", JsonAnswer(200, R"({"messages":{"id":"wamid.X1"}})"),
               Ends::kRetried, "bad_response", "messages is an object, not an array"});
  g.push_back({"message id is a number", JsonAnswer(200, R"({"messages":[{"id":12345}]})"),
               Ends::kRetried, "bad_response", "messages[0].id is an integer, not a string"});
  g.push_back({"messages[0] is a string", JsonAnswer(200, R"({"messages":["wamid.X1"]})"),
               Ends::kRetried, "bad_response", "messages[0] is a string, not an object"});
  g.push_back({"contacts of the wrong shape",
               JsonAnswer(200, R"({"contacts":{"wa_id":7},"messages":[{"id":12}]})"),
               Ends::kRetried, "bad_response", "messages[0].id is an integer"});
  g.push_back({"a 10,000-character id",
               GeneratedAnswer(200, Json::array({{{"text", R"({"messages":[{"id":"wamid.)"}},
                                                 {{"text", "A"}, {"repeat", 10'000}},
                                                 {{"text", R"("}]})"}}})),
               Ends::kRetried, "bad_response", "messages[0].id is 10006 bytes, more than 256"});
  g.push_back({"an id with a quote and a newline",
               JsonAnswer(200, R"({"messages":[{"id":"wamid.\"\n"}]})"), Ends::kRetried,
               "bad_response", "messages[0].id has characters other than"});
  g.push_back({"truncated JSON", JsonAnswer(200, R"({"messages":[{"id":"wamid.)"), Ends::kRetried,
               "bad_response", "the answer is not JSON"});
  g.push_back({"HTML with 200",
               {{"action", "http"}, {"http_status", 200}},
               Ends::kRetried,
               "bad_response",
               "the answer is not JSON"});
  g.push_back({"an empty 200", GeneratedAnswer(200, Json::array()), Ends::kRetried, "bad_response",
               "the answer is empty"});
  g.push_back({"a 10 MB success", GeneratedAnswer(200, TenMegabytes()), Ends::kRetried,
               "bad_response", "larger than 4194304 bytes"});
  g.push_back({"a success nested 10,000 levels deep", GeneratedAnswer(200, DeepNesting()),
               Ends::kRetried, "bad_response", "the answer nests deeper than 16 levels"});
  g.push_back({"a usable id with a wa_id of the wrong type",
               JsonAnswer(200, R"({"contacts":[{"wa_id":["x"]}],"messages":[{"id":"wamid.OK1"}]})"),
               Ends::kAcceptedAtOnce, "", ""});
  return g;
}

// Answers to POST /media.
std::vector<HostileAnswer> UploadGallery() {
  std::vector<HostileAnswer> g;
  g.push_back({"upload id is a number", JsonAnswer(200, R"({"id":4490709327384033})"),
               Ends::kRetried, "bad_response",
               "media upload: the answer carried no usable media id: id is an integer"});
  g.push_back({"upload answer empty", GeneratedAnswer(200, Json::array()), Ends::kRetried,
               "bad_response",
               "media upload: the answer carried no usable media id: the answer "
               "is empty"});
  g.push_back({"upload id of 10,000 characters",
               GeneratedAnswer(200, Json::array({{{"text", R"({"id":")"}},
                                                 {{"text", "1"}, {"repeat", 10'000}},
                                                 {{"text", R"("})"}}})),
               Ends::kRetried, "bad_response", "id is 10000 bytes, more than 128"});
  g.push_back({"upload error message is an object",
               JsonAnswer(400, R"({"error":{"code":131053,"message":{}}})"), Ends::kFailed,
               "131053", "media upload: Graph API error 131053"});
  return g;
}

// A customer number no other message of this process went to (so match_to finds one message,
// and the pair rate limit never waits).
std::string NextCustomer() {
  static std::atomic<int> next{0};
  return "39341" + std::to_string(1'000'000 + next.fetch_add(1));
}

bool HasControlCharacter(std::string_view s) {
  for (const char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return true;
  }
  return false;
}

// The detail of the first retry in a GET answer's history: why attempt 1 failed.
std::string FirstRetryReason(const Json& message) {
  bool sent = false;
  for (const Json& event : message.value("history", Json::array())) {
    if (event.value("status", "") == "sending") {
      sent = true;
    } else if (sent && event.value("status", "") == "queued") {
      return event.value("detail", "");
    }
  }
  return "(no retry in the history)";
}

std::string DeliveryError(const Json& message, const char* field) {
  if (!message.contains("deliveryError") || !message["deliveryError"].is_object()) return "";
  return message["deliveryError"].value(field, "");
}

class HostileProviderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fake_ = std::make_unique<FakeGraphProcess>(std::string(kToken));
    ASSERT_TRUE(fake_->Start());
    MetaTestDomain domain;
    domain.name = std::string(kDomain);
    domain.number = std::string(kNumber);
    domain.base_url = fake_->base_url();
    domain.timeout_ms = 5000;  // ten megabytes over loopback on a loaded machine
    MetaTestDispatch dispatch;
    dispatch.base_backoff_ms = 10;
    dispatch.max_backoff_ms = 50;
    // Most of the gallery fails at once: the circuit must not open and hold the retries back.
    dispatch.breaker_failures = 10'000;
    gateway_ = std::make_unique<GatewayProcess>(MetaTestConfig(domain, dispatch));
    ASSERT_TRUE(WriteTokenFile(*gateway_, kToken));
    ASSERT_TRUE(gateway_->Start());
  }
  static void TearDownTestSuite() {
    gateway_.reset();  // first: it stops sending before the fake goes away
    fake_.reset();
  }
  void SetUp() override {
    ASSERT_TRUE(fake_ && gateway_);
    ASSERT_TRUE(fake_->ClearFaults());
  }

  // Sends `body` and returns its messageId ("" on failure). The answer comes after the first
  // attempt (ack = "provider"): 200, 202 or 422.
  std::string Send(const Json& body, const std::string& name) {
    const HttpResponse r =
        client_.PostJson(SendUrl(gateway_->base_url(), kDomain), body.dump(), kDemo);
    EXPECT_TRUE(r.status == 200 || r.status == 202 || r.status == 422)
        << name << ": " << r.Describe();
    const Json j = r.Json();
    return j.is_object() ? j.value("messageId", "") : "";
  }

  // Waits for `id` to end as `answer` says, and checks how.
  void ExpectEnds(const std::string& id, const HostileAnswer& answer) {
    SCOPED_TRACE(answer.name);
    const std::string_view final_status = answer.ends == Ends::kFailed ? "failed" : "accepted";
    const MessageStatusPoll poll = WaitForMessageStatus(client_, gateway_->base_url(), kDomain, id,
                                                        kDemo, final_status, kSettleTimeout);
    ASSERT_TRUE(poll.reached) << poll.last.dump();
    const Json& m = poll.last;
    switch (answer.ends) {
      case Ends::kAcceptedAtOnce:
        EXPECT_EQ(m.value("attempts", 0), 1) << m.dump();
        EXPECT_EQ(m.value("providerMessageId", ""), "wamid.OK1") << m.dump();
        break;
      case Ends::kRetried: {
        EXPECT_EQ(m.value("attempts", 0), 2) << m.dump();
        const std::string reason = FirstRetryReason(m);
        EXPECT_NE(reason.find(answer.reason), std::string::npos) << m.dump();
        EXPECT_EQ(fake_->AcceptedCount(id), 1) << "the retry, once";
        break;
      }
      case Ends::kFailed: {
        EXPECT_EQ(m.value("attempts", 0), 1) << m.dump();
        EXPECT_EQ(DeliveryError(m, "code"), answer.code) << m.dump();
        const std::string message = DeliveryError(m, "message");
        EXPECT_NE(message.find(answer.reason), std::string::npos) << m.dump();
        EXPECT_LE(message.size(), kMaxDeliveryErrorBytes) << m.dump();
        EXPECT_FALSE(HasControlCharacter(message)) << m.dump();
        EXPECT_EQ(fake_->AcceptedCount(id), 0);
        break;
      }
    }
    // Whatever the answer, every reason kept is one short line.
    for (const Json& event : m.value("history", Json::array())) {
      const std::string detail = event.value("detail", "");
      EXPECT_LE(detail.size(), kMaxDeliveryErrorBytes) << m.dump();
      EXPECT_FALSE(HasControlCharacter(detail)) << m.dump();
    }
  }

  // The gateway process is still running and answers.
  ::testing::AssertionResult GatewayIsUp() {
    if (const auto ended = gateway_->WaitForExit(std::chrono::milliseconds(0))) {
      return ::testing::AssertionFailure() << "the gateway ended: " << ended->ToString();
    }
    HttpClient fresh;
    const HttpResponse r = fresh.Get(gateway_->base_url() + "/healthz");
    if (r.status != 200) return ::testing::AssertionFailure() << "/healthz: " << r.Describe();
    return ::testing::AssertionSuccess();
  }

  static std::unique_ptr<FakeGraphProcess> fake_;
  static std::unique_ptr<GatewayProcess> gateway_;
  HttpClient client_;
};

std::unique_ptr<FakeGraphProcess> HostileProviderTest::fake_;
std::unique_ptr<GatewayProcess> HostileProviderTest::gateway_;

TEST_F(HostileProviderTest, EverySendAnswerOfTheGalleryEndsSensiblyAndTheGatewayStaysUp) {
  const std::vector<HostileAnswer> gallery = SendGallery();
  // Each answer once, to its own customer's message.
  std::vector<std::string> customers;
  Json rules = Json::array();
  for (const HostileAnswer& answer : gallery) {
    customers.push_back(NextCustomer());
    Json rule = answer.rule;
    rule["path"] = "messages";
    rule["match_to"] = customers.back();
    rule["count"] = 1;
    rules.push_back(std::move(rule));
  }
  ASSERT_TRUE(fake_->SetFaults(rules));

  std::vector<std::string> ids;
  for (std::size_t i = 0; i < gallery.size(); ++i) {
    Json body = SeedRequest(kNumber);
    body["customerPhoneNumber"] = customers[i];
    ids.push_back(Send(body, gallery[i].name));
    ASSERT_FALSE(ids.back().empty()) << gallery[i].name;
    ASSERT_TRUE(GatewayIsUp()) << "after: " << gallery[i].name;
  }
  for (std::size_t i = 0; i < gallery.size(); ++i) ExpectEnds(ids[i], gallery[i]);

  // Each rule answered exactly its one message.
  const Json applied = fake_->Faults();
  ASSERT_EQ(applied.value("rules", Json::array()).size(), gallery.size());
  for (std::size_t i = 0; i < gallery.size(); ++i) {
    EXPECT_EQ(applied["rules"][i].value("applied", 0), 1) << gallery[i].name;
  }
  EXPECT_TRUE(GatewayIsUp());
  EXPECT_EQ(gateway_->ReadStderrLog().find("terminate called"), std::string::npos);
}

TEST_F(HostileProviderTest, EveryUploadAnswerOfTheGalleryEndsSensiblyAndTheGatewayStaysUp) {
  for (const HostileAnswer& answer : UploadGallery()) {
    // Its own file (the media cache keys uploads by their bytes), its own rule, one at a time:
    // match_to does not apply to uploads.
    Json rule = answer.rule;
    rule["path"] = "media";
    rule["count"] = 1;
    ASSERT_TRUE(fake_->SetFaults(Json::array({rule}))) << answer.name;
    Json body = SeedRequest(kNumber);
    body["customerPhoneNumber"] = NextCustomer();
    body["header"] = {{"type", "document"},
                      {"data", Base64(TinyPdf() + "%" + answer.name + "\n")},
                      {"documentType", "pdf"},
                      {"fileName", "invoice.pdf"}};
    body["headerData"] = Json::array();
    const std::string id = Send(body, answer.name);
    ASSERT_FALSE(id.empty()) << answer.name;
    ASSERT_TRUE(GatewayIsUp()) << "after: " << answer.name;
    ExpectEnds(id, answer);
  }
  EXPECT_TRUE(GatewayIsUp());
}

}  // namespace
}  // namespace socialgate::testing
