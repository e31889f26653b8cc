// The Meta provider against tools/fake-graph (a fake WhatsApp Cloud API): the exact JSON sent for
// the seed's example, every row of the error classification table (src/providers/meta/
// meta_errors.cpp), HTTP-level faults (5xx, throttling, timeouts, dropped connections, attempts
// exhausted), media upload and cache reuse, and a token Meta refuses.
//
// Each fixture runs one fake-graph and one gateway (its number on the Meta provider, pointed at
// the fake, fast retries, timeout_ms 500); SetUp clears the fake's fault rules and records.
// Tests find their own requests by the gateway's message id (biz_opaque_callback_data), so a
// late retry of an earlier test's message cannot confuse them.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include "core/sample_media.hpp"
#include "fake_graph_process.hpp"
#include "gateway_process.hpp"
#include "http_client.hpp"
#include "meta_test_config.hpp"
#include "providers/meta/meta_errors.hpp"

namespace socialgate::testing {
namespace {

using core::testing::Base64;
using core::testing::TinyMp4;
using core::testing::TinyPdf;
using core::testing::TinyPng;
using providers::meta::MetaAction;
using providers::meta::MetaErrorRule;
using providers::meta::MetaErrorTable;
using Json = nlohmann::json;

constexpr std::string_view kDomain = "default";
constexpr std::string_view kNumber = "3902124122690";
constexpr std::string_view kToken = "it-meta-token";
const Credentials kDemo{"demo", std::string(kTestPassword)};

// Bounds for waiting on a retried message: the backoff is at most 100 ms, a Retry-After or a
// row's minimum at most 1 s here.
constexpr auto kRetryTimeout = std::chrono::seconds(8);

// ---- Helpers ---------------------------------------------------------------------------------

// A customer number no other message of this process went to: the gateway paces messages per
// (business number, customer) pair like Meta's pair rate limit, which one customer for every
// message would hit.
std::string NextCustomer() {
  static std::atomic<int> next{0};
  return "39340" + std::to_string(1'000'000 + next.fetch_add(1));
}

// The seed's example on the Meta number, with another template name and a fresh customer (or
// `customer`).
Json SeedBody(std::string_view template_name = "shipping_confirmation",
              std::string customer = NextCustomer()) {
  Json body = SeedRequest(kNumber);
  body["templateName"] = template_name;
  body["customerPhoneNumber"] = std::move(customer);
  return body;
}

// The seed body (a fresh customer) with a media header instead of the text header parameter.
Json MediaBody(std::string_view type, std::string_view bytes, std::string_view document_type,
               std::string_view file_name) {
  Json body = SeedBody();
  body["header"] = {{"type", type},
                    {"data", Base64(bytes)},
                    {"documentType", document_type},
                    {"fileName", file_name}};
  body["headerData"] = Json::array();  // a media header takes no text parameter
  return body;
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  std::string out;
  for (unsigned char b : digest) {
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02x", b);
    out += hex;
  }
  return out;
}

// The milliseconds between the first two records of `records` (-1 if unknown).
std::int64_t GapMillis(const Json& records) {
  if (!records.is_array() || records.size() < 2) return -1;
  const auto first = RecordMillis(records[0]);
  const auto second = RecordMillis(records[1]);
  if (!first || !second) return -1;
  return *second - *first;
}

// A member ("code" or "message") of a GET answer's deliveryError, or "" when there is none.
std::string DeliveryErrorField(const Json& message, const char* field) {
  if (!message.is_object() || !message.contains("deliveryError") ||
      !message["deliveryError"].is_object()) {
    return "";
  }
  return message["deliveryError"].value(field, "");
}

// outcome.status of the first record (0: a dropped connection; -1: no record).
int FirstOutcomeStatus(const Json& records) {
  if (!records.is_array() || records.empty() || !records[0].contains("outcome")) return -1;
  return records[0]["outcome"].value("status", -1);
}

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// The template name whose sends a row's fault rule matches.
std::string TemplateFor(int code) { return "t_" + std::to_string(code); }
std::string DetailsFor(int code) { return "injected details for " + std::to_string(code); }

// An "error" fault for sends of TemplateFor(code); `count` 0: unlimited.
Json ErrorRuleFor(int code, int count) {
  Json rule = {{"path", "messages"},
               {"match_template", TemplateFor(code)},
               {"action", "error"},
               {"code", code},
               {"details", DetailsFor(code)}};
  if (count > 0) rule["count"] = count;
  return rule;
}

// ---- A fake-graph and a gateway whose Meta number it serves ----------------------------------

struct MetaStack {
  // Generous where no test waits for a timeout, so a loaded machine cannot turn a slow answer
  // into an extra attempt; MetaFaultTest uses 500 ms.
  static constexpr int kDefaultTimeoutMs = 3000;

  std::unique_ptr<FakeGraphProcess> fake;
  std::unique_ptr<GatewayProcess> gateway;

  // Starts the fake (accepting `fake_token`), then a gateway sending `gateway_token` with a
  // Meta timeout of `timeout_ms`.
  ::testing::AssertionResult Start(std::string_view fake_token = kToken,
                                   std::string_view gateway_token = kToken,
                                   int timeout_ms = kDefaultTimeoutMs) {
    fake = std::make_unique<FakeGraphProcess>(std::string(fake_token));
    if (auto started = fake->Start(); !started) return started;
    MetaTestDomain domain;
    domain.name = std::string(kDomain);
    domain.number = std::string(kNumber);
    domain.base_url = fake->base_url();
    domain.timeout_ms = timeout_ms;
    gateway = std::make_unique<GatewayProcess>(MetaTestConfig(domain));
    if (auto written = WriteTokenFile(*gateway, gateway_token); !written) return written;
    return gateway->Start();
  }

  // The gateway first: it stops sending before the fake goes away.
  void Reset() {
    gateway.reset();
    fake.reset();
  }

  bool running() const { return fake && fake->running() && gateway && gateway->running(); }
};

// Shared by the fixtures below: each makes its own stack, per suite or per test.
class MetaTestBase : public ::testing::Test {
 protected:
  static FakeGraphProcess& Fake() { return *stack_.fake; }
  static GatewayProcess& Gateway() { return *stack_.gateway; }

  // Clears the fake's fault rules and records.
  void ClearFake() {
    ASSERT_TRUE(stack_.running());
    ASSERT_TRUE(Fake().ClearFaults());
    ASSERT_TRUE(Fake().ClearRequests());
  }

  HttpResponse Send(const Json& body) {
    return client_.PostJson(SendUrl(Gateway().base_url(), kDomain), body.dump(), kDemo);
  }

  Json GetMessage(const std::string& id) {
    const HttpResponse r = client_.Get(MessageUrl(Gateway().base_url(), kDomain, id), kDemo);
    EXPECT_EQ(r.status, 200) << r.Describe();
    return r.Json();
  }

  MessageStatusPoll WaitForStatus(const std::string& id, std::string_view status,
                                  std::chrono::milliseconds timeout = kRetryTimeout) {
    return WaitForMessageStatus(client_, Gateway().base_url(), kDomain, id, kDemo, status, timeout);
  }

  // Expects the provider-ack answer 200 accepted; returns the answer ({} on failure).
  Json ExpectAccepted(const HttpResponse& r) {
    EXPECT_EQ(r.status, 200) << r.Describe();
    const Json j = r.Json();
    if (r.status != 200 || !j.is_object()) return Json::object();
    EXPECT_EQ(j.value("result", false), true) << r.Describe();
    EXPECT_EQ(j.value("status", ""), "accepted") << r.Describe();
    EXPECT_FALSE(j.value("messageId", "").empty()) << r.Describe();
    EXPECT_EQ(j.value("providerMessageId", "").rfind("wamid.", 0), 0u) << r.Describe();
    return j;
  }

  // Expects 202 queued (the first attempt failed for a passing reason); returns the messageId.
  std::string ExpectQueued(const HttpResponse& r) {
    EXPECT_EQ(r.status, 202) << r.Describe();
    const Json j = r.Json();
    if (!j.is_object()) return "";
    EXPECT_EQ(j.value("result", false), true) << r.Describe();
    EXPECT_EQ(j.value("status", ""), "queued") << r.Describe();
    return j.value("messageId", "");
  }

  // Expects 422 failed naming Meta's `code`; returns the messageId.
  std::string ExpectFailed(const HttpResponse& r, int code) {
    EXPECT_EQ(r.status, 422) << r.Describe();
    const Json j = r.Json();
    if (!j.is_object()) return "";
    EXPECT_EQ(j.value("result", true), false) << r.Describe();
    EXPECT_EQ(j.value("status", ""), "failed") << r.Describe();
    const std::string error = j.contains("error") && j["error"].is_string()
                                  ? j["error"].get<std::string>()
                                  : std::string();
    EXPECT_TRUE(Contains(error, "(code " + std::to_string(code) + ")")) << r.Describe();
    EXPECT_TRUE(Contains(error, "(#" + std::to_string(code) + ")")) << r.Describe();
    return j.value("messageId", "");
  }

  // A message that was queued after a passing failure is retried once and accepted: 2 sends,
  // one accepted by the fake, attempts 2. Returns the sends.
  // Why attempt 1 of message `id` failed, as the gateway reported it. `snapshot` was read just
  // after the 202: the retry may already have run by then (the backoff's full jitter can be 0 ms),
  // so its deliveryError is checked only while the message still waits. The history keeps the
  // reason for good: the "queued" entry that follows the first send.
  void ExpectFirstAttemptFailedWith(const std::string& id, const Json& snapshot,
                                    std::string_view code, std::string_view detail) {
    if (snapshot.value("status", "") == "queued") {
      EXPECT_EQ(DeliveryErrorField(snapshot, "code"), code) << snapshot.dump();
    }
    const Json message = GetMessage(id);
    std::string reason = "(no retry in the history)";
    bool sent = false;
    for (const Json& event : message.value("history", Json::array())) {
      if (event.value("status", "") == "sending") {
        sent = true;
      } else if (sent && event.value("status", "") == "queued") {
        reason = event.value("detail", "");
        break;
      }
    }
    EXPECT_TRUE(Contains(reason, detail)) << message.dump();
  }

  Json ExpectRetriedAndAccepted(const std::string& id) {
    const MessageStatusPoll poll = WaitForStatus(id, "accepted");
    EXPECT_TRUE(poll.reached);
    EXPECT_EQ(poll.last.value("attempts", 0), 2) << poll.last.dump();
    EXPECT_EQ(poll.last.value("providerMessageId", "").rfind("wamid.", 0), 0u) << poll.last.dump();
    const Json sends = Fake().SendsFor(id);
    EXPECT_EQ(sends.size(), 2u) << sends.dump();
    if (sends.size() == 2) {
      EXPECT_EQ(sends[1]["outcome"].value("id", ""), poll.last.value("providerMessageId", "?"))
          << sends.dump();
    }
    return sends;
  }

  static MetaStack stack_;
  HttpClient client_;
};

MetaStack MetaTestBase::stack_;

// One stack for the whole suite.
class MetaSuiteTest : public MetaTestBase {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(stack_.Start()); }
  static void TearDownTestSuite() { stack_.Reset(); }
  void SetUp() override { ClearFake(); }
};

// ---- The exact JSON sent ---------------------------------------------------------------------

class MetaSendTest : public MetaSuiteTest {};

TEST_F(MetaSendTest, SeedExampleSendsTheDocumentedJsonAndAnswersWithTheWamid) {
  const Json answer = ExpectAccepted(Send(SeedRequest(kNumber)));
  const std::string id = answer.value("messageId", "");
  ASSERT_FALSE(id.empty());

  const Json sends = Fake().SendsFor(id);
  ASSERT_EQ(sends.size(), 1u) << Fake().Requests().dump();
  const Json& record = sends[0];
  EXPECT_EQ(record.value("method", ""), "POST");
  EXPECT_EQ(record.value("path", ""), "/v23.0/" + std::string(kTestPhoneNumberId) + "/messages");
  EXPECT_EQ(record.value("phone_number_id", ""), kTestPhoneNumberId);
  EXPECT_EQ(record.value("authorization", false), true) << record.dump();
  EXPECT_EQ(record.value("content_type", "").rfind("application/json", 0), 0u) << record.dump();
  EXPECT_EQ(record["outcome"].value("status", 0), 200) << record.dump();
  EXPECT_EQ(record["outcome"].value("id", ""), answer.value("providerMessageId", "?"));

  // docs/providers/meta.md, "What is sent".
  const Json expected = Json::parse(R"({
    "messaging_product": "whatsapp", "recipient_type": "individual", "to": "+393403603062",
    "type": "template",
    "template": {"name": "shipping_confirmation",
                 "language": {"code": "en_GB", "policy": "deterministic"},
                 "components": [
                   {"type": "header", "parameters": [{"type": "text", "text": "Griffin"}]},
                   {"type": "body", "parameters": [{"type": "text", "text": "5"}]},
                   {"type": "button", "sub_type": "url", "index": "0",
                    "parameters": [{"type": "text", "text": "contact-highway/"}]}]},
    "biz_opaque_callback_data": "MESSAGE_ID"})");
  Json sent = record.value("json", Json());
  ASSERT_TRUE(sent.is_object()) << record.dump();
  ASSERT_EQ(sent.value("biz_opaque_callback_data", ""), id) << sent.dump();
  sent["biz_opaque_callback_data"] = "MESSAGE_ID";
  EXPECT_EQ(sent, expected) << "sent:     " << sent.dump() << "\nexpected: " << expected.dump();

  // The stored message carries the wamid too, and the fake counted one acceptance.
  const Json m = GetMessage(id);
  EXPECT_EQ(m.value("status", ""), "accepted") << m.dump();
  EXPECT_EQ(m.value("providerMessageId", ""), answer.value("providerMessageId", "?"));
  EXPECT_EQ(m.value("attempts", 0), 1) << m.dump();
  EXPECT_EQ(Fake().AcceptedCount(id), 1);
  EXPECT_TRUE(Fake().Requests("media").empty());
}

// ---- The classification table ----------------------------------------------------------------

// The rows to check, with 250 for the 200-299 range.
std::vector<MetaErrorRule> Rows(MetaAction action) {
  std::vector<MetaErrorRule> rows;
  for (const auto& row : MetaErrorTable()) {
    if (row.action == action) rows.push_back(row);
  }
  if (action == MetaAction::kFail) rows.push_back({250, MetaAction::kFail, "range 200-299"});
  return rows;
}

// Retry rows whose minimum wait the tests do not sit out.
constexpr std::chrono::milliseconds kLongestWaitedMinimum = std::chrono::seconds(1);

class MetaErrorTableTest : public MetaSuiteTest {};

TEST_F(MetaErrorTableTest, EveryFailRowAnswers422AndIsNeverRetried) {
  const std::vector<MetaErrorRule> rows = Rows(MetaAction::kFail);
  ASSERT_GE(rows.size(), 30u);
  Json rules = Json::array();
  for (const auto& row : rows) rules.push_back(ErrorRuleFor(row.code, 0));
  ASSERT_TRUE(Fake().SetFaults(rules));

  for (const auto& row : rows) {
    SCOPED_TRACE("Meta code " + std::to_string(row.code) + " (" + row.meaning + ")");
    const HttpResponse r = Send(SeedBody(TemplateFor(row.code)));
    const std::string id = ExpectFailed(r, row.code);
    ASSERT_FALSE(id.empty()) << r.Describe();
    EXPECT_TRUE(Contains(r.Json().value("error", ""), DetailsFor(row.code))) << r.Describe();

    const Json m = GetMessage(id);
    EXPECT_EQ(m.value("status", ""), "failed") << m.dump();
    EXPECT_EQ(m.value("attempts", 0), 1) << m.dump();
    EXPECT_EQ(DeliveryErrorField(m, "code"), std::to_string(row.code)) << m.dump();
    EXPECT_TRUE(Contains(DeliveryErrorField(m, "message"), "(#" + std::to_string(row.code) + ")"))
        << m.dump();
    const Json sends = Fake().SendsFor(id);
    EXPECT_EQ(sends.size(), 1u) << sends.dump();
    EXPECT_EQ(Fake().AcceptedCount(id), 0);
  }
}

TEST_F(MetaErrorTableTest, EveryRetryRowWithoutMinimumWaitIsRetriedAndAccepted) {
  std::vector<MetaErrorRule> rows;
  for (const auto& row : Rows(MetaAction::kRetry)) {
    if (row.min_retry_after.count() == 0) rows.push_back(row);
  }
  ASSERT_FALSE(rows.empty());
  Json rules = Json::array();
  for (const auto& row : rows) rules.push_back(ErrorRuleFor(row.code, 1));
  ASSERT_TRUE(Fake().SetFaults(rules));

  for (const auto& row : rows) {
    SCOPED_TRACE("Meta code " + std::to_string(row.code) + " (" + row.meaning + ")");
    const std::string id = ExpectQueued(Send(SeedBody(TemplateFor(row.code))));
    ASSERT_FALSE(id.empty());
    const Json sends = ExpectRetriedAndAccepted(id);
    if (!sends.empty()) {
      EXPECT_EQ(sends[0]["outcome"].value("error_code", 0), row.code) << sends.dump();
    }
    EXPECT_EQ(Fake().AcceptedCount(id), 1);
  }
}

TEST_F(MetaErrorTableTest, RetryRowsWithLongMinimumWaitAnswer202AndStayQueued) {
  std::vector<MetaErrorRule> rows;
  for (const auto& row : Rows(MetaAction::kRetry)) {
    if (row.min_retry_after > kLongestWaitedMinimum) rows.push_back(row);
  }
  ASSERT_EQ(rows.size(), 4u);  // 4, 80007, 131056, 131057
  Json rules = Json::array();
  for (const auto& row : rows) rules.push_back(ErrorRuleFor(row.code, 1));
  ASSERT_TRUE(Fake().SetFaults(rules));

  for (const auto& row : rows) {
    SCOPED_TRACE("Meta code " + std::to_string(row.code) + " (" + row.meaning + ")");
    const std::string id = ExpectQueued(Send(SeedBody(TemplateFor(row.code))));
    ASSERT_FALSE(id.empty());
    const Json m = GetMessage(id);
    EXPECT_EQ(m.value("status", ""), "queued") << m.dump();
    EXPECT_EQ(m.value("attempts", 0), 1) << m.dump();
    EXPECT_EQ(DeliveryErrorField(m, "code"), std::to_string(row.code)) << m.dump();
    EXPECT_TRUE(Contains(DeliveryErrorField(m, "message"), DetailsFor(row.code))) << m.dump();
    EXPECT_EQ(Fake().SendsFor(id).size(), 1u);
  }
}

TEST_F(MetaErrorTableTest, ThroughputRow130429IsRetriedAfterItsOneSecondMinimum) {
  const auto* row = providers::meta::FindMetaErrorRule(130429);
  ASSERT_NE(row, nullptr);
  ASSERT_EQ(row->min_retry_after, std::chrono::seconds(1));
  // As Meta sends it: HTTP 400 (the fake's default for this code) and no Retry-After.
  ASSERT_TRUE(Fake().SetFaults(Json::array({ErrorRuleFor(130429, 1)})));

  const std::string id = ExpectQueued(Send(SeedBody(TemplateFor(130429))));
  ASSERT_FALSE(id.empty());
  const Json queued = GetMessage(id);
  EXPECT_EQ(DeliveryErrorField(queued, "code"), "130429") << queued.dump();

  const Json sends = ExpectRetriedAndAccepted(id);
  EXPECT_GE(GapMillis(sends), 995) << sends.dump();
}

TEST_F(MetaErrorTableTest, UnknownCodesFollowTheHttpStatus) {
  // Not in the table: 5xx retries, 4xx fails.
  ASSERT_TRUE(Fake().SetFaults(Json::array({{{"match_template", "t_unknown_500"},
                                             {"action", "error"},
                                             {"code", 999001},
                                             {"http_status", 500},
                                             {"count", 1}},
                                            {{"match_template", "t_unknown_400"},
                                             {"action", "error"},
                                             {"code", 999002},
                                             {"http_status", 400}}})));

  const std::string retried = ExpectQueued(Send(SeedBody("t_unknown_500")));
  ASSERT_FALSE(retried.empty());
  ExpectRetriedAndAccepted(retried);

  const std::string failed = ExpectFailed(Send(SeedBody("t_unknown_400")), 999002);
  ASSERT_FALSE(failed.empty());
  EXPECT_EQ(GetMessage(failed).value("attempts", 0), 1);
  EXPECT_EQ(Fake().SendsFor(failed).size(), 1u);
}

// ---- HTTP-level faults -----------------------------------------------------------------------

// The fault suite's gateway gives up on an answer after 500 ms (timeout_ms).
class MetaFaultTest : public MetaTestBase {
 protected:
  static constexpr int kTimeoutMs = 500;

  static void SetUpTestSuite() { ASSERT_TRUE(stack_.Start(kToken, kToken, kTimeoutMs)); }
  static void TearDownTestSuite() { stack_.Reset(); }
  void SetUp() override { ClearFake(); }
};

TEST_F(MetaFaultTest, Http503IsRetriedAndAccepted) {
  ASSERT_TRUE(
      Fake().SetFaults(Json::array({{{"action", "http"}, {"http_status", 503}, {"count", 1}}})));
  const std::string id = ExpectQueued(Send(SeedBody()));
  ASSERT_FALSE(id.empty());
  const Json sends = ExpectRetriedAndAccepted(id);
  EXPECT_EQ(FirstOutcomeStatus(sends), 503) << sends.dump();
}

TEST_F(MetaFaultTest, Http502HtmlPageIsRetriedAndAccepted) {
  ASSERT_TRUE(
      Fake().SetFaults(Json::array({{{"action", "http"}, {"http_status", 502}, {"count", 1}}})));
  const std::string id = ExpectQueued(Send(SeedBody()));
  ASSERT_FALSE(id.empty());
  const Json queued = GetMessage(id);
  const Json sends = ExpectRetriedAndAccepted(id);
  ExpectFirstAttemptFailedWith(id, queued, "http_502", "HTTP 502 without a Graph API error");
  EXPECT_EQ(FirstOutcomeStatus(sends), 502) << sends.dump();
}

TEST_F(MetaFaultTest, ThrottleWithRetryAfterIsRetriedNoSoonerThanOneSecond) {
  ASSERT_TRUE(Fake().SetFaults(Json::array({{{"action", "throttle"}, {"count", 1}}})));
  const std::string id = ExpectQueued(Send(SeedBody()));
  ASSERT_FALSE(id.empty());
  const Json sends = ExpectRetriedAndAccepted(id);
  EXPECT_EQ(FirstOutcomeStatus(sends), 429) << sends.dump();
  EXPECT_GE(GapMillis(sends), 995) << sends.dump();
}

TEST_F(MetaFaultTest, SlowAnswerBeyondTheTimeoutIsRetried) {
  // timeout_ms is 500 in this suite's config; the fake answers the first send after 1.5 s (and
  // counts it as accepted: Meta may well have sent it, the documented duplicate window).
  ASSERT_TRUE(
      Fake().SetFaults(Json::array({{{"action", "slow"}, {"delay_ms", 1500}, {"count", 1}}})));
  // The 202 (not a 200 after 1.5 s) and the "timeout" code show the gateway gave up waiting.
  const std::string id = ExpectQueued(Send(SeedBody()));
  ASSERT_FALSE(id.empty());
  const Json queued = GetMessage(id);
  ExpectRetriedAndAccepted(id);
  ExpectFirstAttemptFailedWith(id, queued, "timeout", "the provider did not answer in time");
}

TEST_F(MetaFaultTest, AttemptsExhaustedFailWithGaveUp) {
  ASSERT_TRUE(
      Fake().SetFaults(Json::array({{{"action", "http"}, {"http_status", 503}, {"rate", 1.0}}})));
  const std::string id = ExpectQueued(Send(SeedBody()));
  ASSERT_FALSE(id.empty());
  const MessageStatusPoll poll = WaitForStatus(id, "failed");
  ASSERT_TRUE(poll.reached);
  EXPECT_EQ(poll.last.value("attempts", 0), 3) << poll.last.dump();
  EXPECT_EQ(DeliveryErrorField(poll.last, "code"), "http_503") << poll.last.dump();
  EXPECT_TRUE(Contains(DeliveryErrorField(poll.last, "message"), "gave up after 3 attempts"))
      << poll.last.dump();
  EXPECT_EQ(Fake().SendsFor(id).size(), 3u);
  EXPECT_EQ(Fake().AcceptedCount(id), 0);
}

// A fresh stack per test: no kept-alive connection to the fake, an empty media cache.
class MetaFreshStackTest : public MetaTestBase {
 protected:
  void SetUp() override { ASSERT_TRUE(stack_.Start()); }
  void TearDown() override { stack_.Reset(); }
};

// ---- Dropped connections ---------------------------------------------------------------------

class MetaDropTest : public MetaFreshStackTest {};

TEST_F(MetaDropTest, DroppedConnectionIsRetried) {
  // The gateway's first send: it goes out on a new connection, which the fake closes unanswered.
  ASSERT_TRUE(Fake().SetFaults(Json::array({{{"action", "drop"}, {"count", 1}}})));
  const std::string id = ExpectQueued(Send(SeedBody()));
  ASSERT_FALSE(id.empty());
  const Json queued = GetMessage(id);
  const Json sends = ExpectRetriedAndAccepted(id);
  ExpectFirstAttemptFailedWith(id, queued, "unreachable", "the provider could not be reached");
  EXPECT_EQ(FirstOutcomeStatus(sends), 0) << sends.dump();
}

// A send dropped on a kept-alive connection is a failed attempt (202 queued, then attempt 2),
// as on a new connection: libcurl must not re-send the POST silently inside one attempt, a
// duplicate the dispatcher would neither count nor pace (the request body cannot be rewound).
TEST_F(MetaDropTest, DroppedSendOnKeptAliveConnectionIsACountedAttemptNotASilentResend) {
  ExpectAccepted(Send(SeedBody()));  // opens the connection the next send reuses
  ASSERT_TRUE(Fake().SetFaults(Json::array({{{"action", "drop"}, {"count", 1}}})));
  const std::string id = ExpectQueued(Send(SeedBody()));
  ASSERT_FALSE(id.empty());
  const MessageStatusPoll poll = WaitForStatus(id, "accepted");
  ASSERT_TRUE(poll.reached);
  const Json sends = Fake().SendsFor(id);
  EXPECT_EQ(FirstOutcomeStatus(sends), 0) << sends.dump();
  EXPECT_EQ(poll.last.value("attempts", 0), static_cast<int>(sends.size()))
      << "Meta saw " << sends.size() << " sends of the message, the gateway counted "
      << poll.last.value("attempts", 0) << " attempts\nsends: " << sends.dump()
      << "\nmessage: " << poll.last.dump();
}

// ---- Media headers ---------------------------------------------------------------------------

class MetaMediaTest : public MetaFreshStackTest {
 protected:
  // Checks the one upload record and returns the uploaded media id ("" on failure).
  std::string ExpectUpload(const Json& record, std::string_view mime_type,
                           std::string_view file_name, std::string_view bytes) {
    EXPECT_EQ(record.value("path", ""), "/v23.0/" + std::string(kTestPhoneNumberId) + "/media");
    EXPECT_EQ(record.value("authorization", false), true) << record.dump();
    EXPECT_EQ(record.value("content_type", "").rfind("multipart/form-data", 0), 0u)
        << record.dump();
    const Json expected_fields = {{"messaging_product", "whatsapp"}, {"type", mime_type}};
    EXPECT_EQ(record.value("fields", Json()), expected_fields) << record.dump();
    const Json files = record.value("files", Json::array());
    EXPECT_EQ(files.size(), 1u) << record.dump();
    if (files.size() == 1) {
      EXPECT_EQ(files[0].value("name", ""), "file") << record.dump();
      EXPECT_EQ(files[0].value("filename", ""), file_name) << record.dump();
      EXPECT_EQ(files[0].value("content_type", ""), mime_type) << record.dump();
      EXPECT_EQ(files[0].value("size", 0u), bytes.size()) << record.dump();
      EXPECT_EQ(files[0].value("sha256", ""), Sha256Hex(bytes)) << record.dump();
    }
    EXPECT_EQ(record["outcome"].value("status", 0), 200) << record.dump();
    return record["outcome"].value("id", "");
  }

  // The header component of the send recorded for `message_id`.
  Json SentHeader(const std::string& message_id) {
    const Json sends = Fake().SendsFor(message_id);
    EXPECT_EQ(sends.size(), 1u) << sends.dump();
    if (sends.size() != 1) return Json();
    const Json components = sends[0]
                                .value("json", Json::object())
                                .value("template", Json::object())
                                .value("components", Json::array());
    for (const auto& c : components) {
      if (c.value("type", "") == "header") return c;
    }
    ADD_FAILURE() << "no header component: " << sends[0].dump();
    return Json();
  }
};

TEST_F(MetaMediaTest, DocumentHeaderIsUploadedOnceAndItsIdReused) {
  const std::string pdf = TinyPdf();
  const Json first = ExpectAccepted(Send(MediaBody("document", pdf, "pdf", "invoice-42.pdf")));
  const std::string first_id = first.value("messageId", "");
  ASSERT_FALSE(first_id.empty());

  Json uploads = Fake().Requests("media");
  ASSERT_EQ(uploads.size(), 1u) << uploads.dump();
  const std::string media_id = ExpectUpload(uploads[0], "application/pdf", "invoice-42.pdf", pdf);
  ASSERT_FALSE(media_id.empty());

  const Json expected_header = {
      {"type", "header"},
      {"parameters",
       Json::array({{{"type", "document"},
                     {"document", {{"id", media_id}, {"filename", "invoice-42.pdf"}}}}})}};
  EXPECT_EQ(SentHeader(first_id), expected_header);
  const Json first_send = Fake().SendsFor(first_id);
  ASSERT_EQ(first_send.size(), 1u);
  EXPECT_GT(first_send[0].value("seq", 0), uploads[0].value("seq", 0)) << "upload before send";

  // The same file to another customer (MediaBody takes a fresh one): the cached id, no second
  // upload.
  const Json second = ExpectAccepted(Send(MediaBody("document", pdf, "pdf", "invoice-42.pdf")));
  const std::string second_id = second.value("messageId", "");
  ASSERT_FALSE(second_id.empty());
  uploads = Fake().Requests("media");
  EXPECT_EQ(uploads.size(), 1u) << uploads.dump();
  EXPECT_EQ(SentHeader(second_id), expected_header);
  EXPECT_EQ(Fake().Stats().value("media_uploaded", -1), 1) << Fake().Stats().dump();
}

TEST_F(MetaMediaTest, PngImageHeaderIsUploadedAsImage) {
  const std::string png = TinyPng();
  const Json answer = ExpectAccepted(Send(MediaBody("image", png, "png", "parcel.png")));
  const std::string id = answer.value("messageId", "");
  ASSERT_FALSE(id.empty());
  const Json uploads = Fake().Requests("media");
  ASSERT_EQ(uploads.size(), 1u) << uploads.dump();
  const std::string media_id = ExpectUpload(uploads[0], "image/png", "parcel.png", png);
  ASSERT_FALSE(media_id.empty());
  const Json expected_header = {
      {"type", "header"},
      {"parameters", Json::array({{{"type", "image"}, {"image", {{"id", media_id}}}}})}};
  EXPECT_EQ(SentHeader(id), expected_header);
}

TEST_F(MetaMediaTest, Mp4VideoHeaderIsUploadedAsVideo) {
  const std::string mp4 = TinyMp4();
  const Json answer = ExpectAccepted(Send(MediaBody("video", mp4, "mp4", "clip.mp4")));
  const std::string id = answer.value("messageId", "");
  ASSERT_FALSE(id.empty());
  const Json uploads = Fake().Requests("media");
  ASSERT_EQ(uploads.size(), 1u) << uploads.dump();
  const std::string media_id = ExpectUpload(uploads[0], "video/mp4", "clip.mp4", mp4);
  ASSERT_FALSE(media_id.empty());
  const Json expected_header = {
      {"type", "header"},
      {"parameters", Json::array({{{"type", "video"}, {"video", {{"id", media_id}}}}})}};
  EXPECT_EQ(SentHeader(id), expected_header);
}

TEST_F(MetaMediaTest, UploadRefusedWith131053FailsWithoutASend) {
  ASSERT_TRUE(Fake().SetFaults(Json::array({{{"path", "media"},
                                             {"action", "error"},
                                             {"code", 131053},
                                             {"details", "Media file is corrupt"}}})));
  const HttpResponse r = Send(MediaBody("document", TinyPdf(), "pdf", "invoice-42.pdf"));
  const std::string id = ExpectFailed(r, 131053);
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(Contains(r.Json().value("error", ""), "Media file is corrupt")) << r.Describe();
  const Json m = GetMessage(id);
  EXPECT_EQ(m.value("status", ""), "failed") << m.dump();
  EXPECT_EQ(m.value("attempts", 0), 1) << m.dump();
  EXPECT_EQ(DeliveryErrorField(m, "code"), "131053") << m.dump();
  EXPECT_EQ(Fake().Requests("media").size(), 1u);
  EXPECT_TRUE(Fake().Requests("messages").empty()) << Fake().Requests("messages").dump();
}

// ---- A token Meta refuses --------------------------------------------------------------------

TEST(MetaTokenTest, WrongTokenFailsWith190) {
  MetaStack stack;
  ASSERT_TRUE(stack.Start("token-A", "token-B"));
  HttpClient client;
  const HttpResponse r =
      client.PostJson(SendUrl(stack.gateway->base_url(), kDomain), SeedBody().dump(), kDemo);
  EXPECT_EQ(r.status, 422) << r.Describe();
  const Json j = r.Json();
  EXPECT_EQ(j.value("result", true), false) << r.Describe();
  EXPECT_EQ(j.value("status", ""), "failed") << r.Describe();
  EXPECT_TRUE(Contains(j.value("error", ""), "(code 190)")) << r.Describe();
  const std::string id = j.value("messageId", "");
  ASSERT_FALSE(id.empty()) << r.Describe();

  const Json sends = stack.fake->SendsFor(id);
  ASSERT_EQ(sends.size(), 1u) << stack.fake->Requests().dump();
  EXPECT_EQ(sends[0].value("authorization", false), true) << sends.dump();
  EXPECT_EQ(sends[0]["outcome"].value("status", 0), 401) << sends.dump();
  // The token itself is neither recorded by the fake nor logged by the gateway.
  EXPECT_FALSE(Contains(stack.fake->Requests().dump(), "token-B"));
  EXPECT_FALSE(Contains(stack.gateway->ReadStderrLog(), "token-B"));
  stack.Reset();
}

}  // namespace
}  // namespace socialgate::testing
