// Meta's status webhooks end to end: the real gateway with [webhooks.meta], its Meta number served
// by tools/fake-graph. The handshake (GET), the signature of the callbacks (POST), the whole loop
// with fake-graph posting the statuses of each accepted send (on both storage engines), a
// failure reported after acceptance, statuses out of order and repeated, a status that comes
// before the send's answer, one for a wamid not known yet, one for a number the gateway does not
// have, and statuses posted while the gateway is down.
//
// Each test starts its own fake-graph and gateway (a WebhookStack). The fake is started first,
// with no webhook target; the gateway's config names the fake's URL; then, where the fake is to
// post the statuses itself, PUT /_fake/webhooks points it at the gateway's webhook path. Where
// the test posts the callbacks itself, the fake has no target and posts nothing. The test signs
// with libsodium's HMAC-SHA256, independently of the gateway's and the fake's code.
//
// Waits are for conditions, bounded by deadlines; nothing sleeps a fixed time.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_graph_process.hpp"
#include "gateway_process.hpp"
#include "http_client.hpp"
#include "meta_signing.hpp"
#include "meta_test_config.hpp"
#include "storage_engines.hpp"

namespace socialgate::testing {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::string_view kDomain = "default";
constexpr std::string_view kNumber = "3902124122690";
constexpr std::string_view kToken = "it-webhook-token";
constexpr std::string_view kVerifyToken = "it-verify-token-7f3a";
constexpr std::string_view kAppSecret = "it-app-secret-4c1d9e";
constexpr std::string_view kWebhookPath = "/webhooks/meta";
const Credentials kDemo{"demo", std::string(kTestPassword)};

// fake-graph posts sent, delivered and read 100, 300 and 600 ms after the send's answer.
constexpr auto kLoopTimeout = seconds(10);
// A status the test posted, applied by the gateway's sg-webhooks thread.
constexpr auto kApplyTimeout = seconds(5);

// ---- Helpers ---------------------------------------------------------------------------------

// A customer number no other message of this process went to (the gateway paces messages per
// business number and customer pair).
std::string NextCustomer() {
  static std::atomic<int> next{0};
  return "39341" + std::to_string(1'000'000 + next.fetch_add(1));
}

Json SeedBody() {
  Json body = SeedRequest(kNumber);
  body["customerPhoneNumber"] = NextCustomer();
  return body;
}

std::int64_t NowSeconds() {
  return std::chrono::duration_cast<seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One status of a Meta callback, as the test posts it.
struct StatusEvent {
  std::string phone_number_id = std::string(kTestPhoneNumberId);
  std::string wamid;
  std::string status = "sent";
  std::int64_t timestamp = 0;
  std::string recipient_id = "393403603062";
  std::string opaque;    // biz_opaque_callback_data; "" for none
  bool pricing = false;  // conversation and pricing, as in `sent` and `delivered`
};

StatusEvent Event(std::string wamid, std::string status, std::int64_t timestamp,
                  std::string opaque = "") {
  StatusEvent e;
  e.wamid = std::move(wamid);
  e.status = std::move(status);
  e.timestamp = timestamp;
  e.opaque = std::move(opaque);
  return e;
}

// Meta's callback body (docs/meta-cloud-api.md section 5) with one status.
OrderedJson StatusDocument(const StatusEvent& e) {
  OrderedJson status = {{"id", e.wamid},
                        {"status", e.status},
                        {"timestamp", std::to_string(e.timestamp)},
                        {"recipient_id", e.recipient_id}};
  if (!e.opaque.empty()) status["biz_opaque_callback_data"] = e.opaque;
  if (e.pricing) {
    status["conversation"] = {{"id", "c0ffee00c0ffee00c0ffee00c0ffee00"},
                              {"expiration_timestamp", std::to_string(e.timestamp + 86'400)},
                              {"origin", {{"type", "utility"}}}};
    status["pricing"] = {
        {"billable", true}, {"pricing_model", "PMP"}, {"category", "utility"}, {"type", "regular"}};
  }
  return {
      {"object", "whatsapp_business_account"},
      {"entry",
       {{{"id", "102290129340398"},
         {"changes",
          {{{"value",
             {{"messaging_product", "whatsapp"},
              {"metadata",
               {{"display_phone_number", "15552242922"}, {"phone_number_id", e.phone_number_id}}},
              {"statuses", {status}}}},
            {"field", "messages"}}}}}}}};
}

std::string StatusBody(const StatusEvent& e) { return StatusDocument(e).dump(); }

// The history entries of a GET answer as "status/source" ("accepted/", "sent/meta").
std::vector<std::string> HistoryWithSources(const Json& message) {
  std::vector<std::string> out;
  for (const Json& event : message.value("history", Json::array())) {
    out.push_back(event.value("status", "?") + "/" + event.value("source", ""));
  }
  return out;
}

// The history entries from the last "accepted" one on (the send before it has its own entries).
std::vector<std::string> HistoryFromAccepted(const Json& message) {
  const std::vector<std::string> all = HistoryWithSources(message);
  std::size_t from = all.size();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].rfind("accepted/", 0) == 0) from = i;
  }
  return std::vector<std::string>(all.begin() + static_cast<long>(std::min(from, all.size())),
                                  all.end());
}

// The history entries reported by Meta ("read/meta", ...), in order.
std::vector<std::string> MetaHistory(const Json& message) {
  std::vector<std::string> out;
  for (const std::string& entry : HistoryWithSources(message)) {
    if (entry.size() > 5 && entry.substr(entry.size() - 5) == "/meta") out.push_back(entry);
  }
  return out;
}

std::size_t CountOf(const std::vector<std::string>& entries, std::string_view entry) {
  return static_cast<std::size_t>(std::count(entries.begin(), entries.end(), entry));
}

// Polls `done` every 20 ms until it holds or `timeout` passes; whether it held.
bool WaitUntil(const std::function<bool()>& done, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
}

std::string DeliveryErrorField(const Json& message, const char* field) {
  if (!message.is_object() || !message.contains("deliveryError") ||
      !message["deliveryError"].is_object()) {
    return "";
  }
  return message["deliveryError"].value(field, "");
}

// ---- A fake-graph and a gateway with [webhooks.meta] -----------------------------------------

struct StackOptions {
  bool webhooks_config = true;  // [webhooks.meta] in the gateway's config
  std::string ack = "provider";
  int timeout_ms = 3000;    // the Meta provider's; generous, no test here waits for it
  std::string storage_url;  // "" = the gateway's own SQLite file
};

class WebhookStack {
 public:
  ::testing::AssertionResult Start(const StackOptions& options = {}) {
    fake_ = std::make_unique<FakeGraphProcess>(std::string(kToken));
    if (auto started = fake_->Start(); !started) return started;
    MetaTestDomain domain;
    domain.name = std::string(kDomain);
    domain.number = std::string(kNumber);
    domain.ack = options.ack;
    domain.base_url = fake_->base_url();
    domain.timeout_ms = options.timeout_ms;
    std::string config = MetaTestConfig(domain);
    if (options.webhooks_config) {
      config +=
          "\n[webhooks.meta]\nverify_token_file = \"verify_token.txt\"\n"
          "app_secret_file = \"app_secret.txt\"\n";
    }
    gateway_ = std::make_unique<GatewayProcess>(config, options.storage_url);
    if (auto written = WriteTokenFile(*gateway_, kToken); !written) return written;
    if (auto written = WriteTokenFile(*gateway_, kVerifyToken, "verify_token.txt"); !written) {
      return written;
    }
    if (auto written = WriteTokenFile(*gateway_, kAppSecret, "app_secret.txt"); !written) {
      return written;
    }
    return gateway_->Start();
  }

  // Points the fake's status webhooks at the gateway (as running now).
  ::testing::AssertionResult FakePostsToGateway() {
    return fake_->SetWebhookTarget(WebhookUrl(), kAppSecret);
  }

  ~WebhookStack() {
    gateway_.reset();  // first: it stops sending before the fake goes away
    fake_.reset();
  }

  FakeGraphProcess& fake() { return *fake_; }
  GatewayProcess& gateway() { return *gateway_; }
  std::string WebhookUrl() const { return gateway_->base_url() + std::string(kWebhookPath); }

  HttpResponse Send(const Json& body) {
    return client_.PostJson(SendUrl(gateway_->base_url(), kDomain), body.dump(), kDemo);
  }

  // Sends the seed's example (a fresh customer) with ack "provider": expects 200 accepted with a
  // wamid; returns the answer (an empty object on failure).
  Json SendAccepted() {
    const HttpResponse r = Send(SeedBody());
    EXPECT_EQ(r.status, 200) << r.Describe();
    const Json j = r.Json();
    if (r.status != 200 || !j.is_object()) return Json::object();
    EXPECT_EQ(j.value("status", ""), "accepted") << r.Describe();
    EXPECT_EQ(j.value("providerMessageId", "").rfind("wamid.", 0), 0u) << r.Describe();
    return j;
  }

  Json GetMessage(const std::string& id) {
    const HttpResponse r = client_.Get(MessageUrl(gateway_->base_url(), kDomain, id), kDemo);
    EXPECT_EQ(r.status, 200) << r.Describe();
    return r.Json();
  }

  MessageStatusPoll WaitForStatus(const std::string& id, std::string_view status,
                                  milliseconds timeout) {
    return WaitForMessageStatus(client_, gateway_->base_url(), kDomain, id, kDemo, status, timeout);
  }

  // Polls GET .../messages/{id} until `done` holds for its answer, or the timeout.
  MessageStatusPoll WaitForMessage(const std::string& id,
                                   const std::function<bool(const Json&)>& done,
                                   milliseconds timeout) {
    MessageStatusPoll poll;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const HttpResponse r = client_.Get(MessageUrl(gateway_->base_url(), kDomain, id), kDemo);
      poll.last = r.Json();
      if (r.status == 200 && done(poll.last)) {
        poll.reached = ::testing::AssertionSuccess();
        return poll;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        poll.reached = ::testing::AssertionFailure()
                       << "message " << id << " did not reach the condition within "
                       << timeout.count() << " ms; last answer: " << r.Describe();
        return poll;
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
  }

  // POST of a callback body to the webhook path, with `signature` as X-Hub-Signature-256 (none
  // when empty).
  HttpResponse PostCallback(const std::string& body, const std::string& signature) {
    HttpRequest request;
    request.method = "POST";
    request.url = WebhookUrl();
    request.headers = {{"Content-Type", "application/json"}};
    if (!signature.empty()) request.headers.emplace_back("X-Hub-Signature-256", signature);
    request.body = body;
    return client_.Send(request);
  }

  // Posts the event signed with the app secret; expects 200 {"result":true,"error":null}.
  ::testing::AssertionResult PostSigned(const StatusEvent& event) {
    const std::string body = StatusBody(event);
    const HttpResponse r = PostCallback(body, HubSignature(kAppSecret, body));
    if (r.status != 200 || r.Json() != Json{{"result", true}, {"error", nullptr}}) {
      return ::testing::AssertionFailure() << "POST " << body << ": " << r.Describe();
    }
    return ::testing::AssertionSuccess();
  }

  // GET on the webhook path with the given query.
  HttpResponse Handshake(const std::string& query) {
    return client_.Get(gateway_->base_url() + std::string(kWebhookPath) + "?" + query);
  }

 private:
  std::unique_ptr<FakeGraphProcess> fake_;
  std::unique_ptr<GatewayProcess> gateway_;
  HttpClient client_;
};

class MetaWebhookTest : public ::testing::Test {
 protected:
  WebhookStack stack_;
};

// ---- 1. The handshake ------------------------------------------------------------------------

TEST_F(MetaWebhookTest, HandshakeEchoesTheChallengeOnlyForTheVerifyToken) {
  ASSERT_TRUE(stack_.Start());
  const std::string token = "hub.verify_token=" + std::string(kVerifyToken);

  const HttpResponse ok =
      stack_.Handshake("hub.mode=subscribe&" + token + "&hub.challenge=1158201444");
  EXPECT_EQ(ok.status, 200) << ok.Describe();
  EXPECT_EQ(ok.Header("content-type").rfind("text/plain", 0), 0u) << ok.Describe();
  EXPECT_EQ(ok.body, "1158201444");

  // Meta's order of parameters is not the only one taken.
  const HttpResponse reordered =
      stack_.Handshake("hub.challenge=42&" + token + "&hub.mode=subscribe");
  EXPECT_EQ(reordered.status, 200) << reordered.Describe();
  EXPECT_EQ(reordered.body, "42");

  EXPECT_TRUE(
      IsError(stack_.Handshake("hub.mode=subscribe&hub.verify_token=not-the-token&hub.challenge=1"),
              403, "hub.verify_token"));
  EXPECT_TRUE(
      IsError(stack_.Handshake("hub.mode=subscribe&hub.challenge=1"), 403, "hub.verify_token"));
  EXPECT_TRUE(IsError(stack_.Handshake(token + "&hub.challenge=1"), 403, "hub.mode"));
  EXPECT_TRUE(IsError(stack_.Handshake("hub.mode=unsubscribe&" + token + "&hub.challenge=1"), 403,
                      "hub.mode"));
  EXPECT_TRUE(IsError(stack_.Handshake("hub.mode=subscribe&" + token + "&hub.challenge=12ab"), 403,
                      "hub.challenge"));
  EXPECT_TRUE(IsError(stack_.Handshake("hub.mode=subscribe&" + token), 403, "hub.challenge"));
}

TEST_F(MetaWebhookTest, WithoutWebhooksMetaConfiguredThePathIsNotFound) {
  StackOptions options;
  options.webhooks_config = false;
  ASSERT_TRUE(stack_.Start(options));
  const HttpResponse get = stack_.Handshake(
      "hub.mode=subscribe&hub.verify_token=" + std::string(kVerifyToken) + "&hub.challenge=1");
  EXPECT_EQ(get.status, 404) << get.Describe();
  const std::string body = StatusBody(Event("wamid.none", "sent", NowSeconds()));
  const HttpResponse post = stack_.PostCallback(body, HubSignature(kAppSecret, body));
  EXPECT_EQ(post.status, 404) << post.Describe();
}

// ---- 2. The signature ------------------------------------------------------------------------

// Only a body signed with the app secret, byte for byte, is taken. The refused ones are
// `delivered` and `read`, the taken one `sent`: had a refused one been stored, the applier (which
// applies in order of arrival) would have moved the message past `sent`.
TEST_F(MetaWebhookTest, OnlyACallbackSignedOverItsExactBytesIsTaken) {
  ASSERT_TRUE(stack_.Start());
  const Json accepted = stack_.SendAccepted();
  const std::string id = accepted.value("messageId", "");
  const std::string wamid = accepted.value("providerMessageId", "");
  ASSERT_FALSE(id.empty());
  const std::int64_t t = NowSeconds();

  // (a) No signature.
  const std::string read = StatusBody(Event(wamid, "read", t + 2));
  EXPECT_TRUE(IsError(stack_.PostCallback(read, ""), 401, "X-Hub-Signature-256"));
  // (b) Signed with another secret, and not a signature at all.
  EXPECT_TRUE(IsError(stack_.PostCallback(read, HubSignature("another-secret", read)), 401,
                      "X-Hub-Signature-256"));
  EXPECT_TRUE(IsError(stack_.PostCallback(read, "sha256=not-hex"), 401, "X-Hub-Signature-256"));
  // (c) The same JSON in other bytes: the signature is over the compact body, the body sent is
  // indented with its keys sorted.
  const StatusEvent delivered = Event(wamid, "delivered", t + 1);
  const std::string compact = StatusBody(delivered);
  const std::string reserialised = Json::parse(compact).dump(2);
  ASSERT_NE(compact, reserialised);
  ASSERT_EQ(Json::parse(compact), Json::parse(reserialised));
  EXPECT_TRUE(IsError(stack_.PostCallback(reserialised, HubSignature(kAppSecret, compact)), 401,
                      "X-Hub-Signature-256"));

  Json message = stack_.GetMessage(id);
  EXPECT_EQ(message.value("status", ""), "accepted") << message.dump();
  EXPECT_TRUE(MetaHistory(message).empty()) << message.dump();

  // (d) Signed right.
  const std::string sent = StatusBody(Event(wamid, "sent", t));
  const HttpResponse ok = stack_.PostCallback(sent, HubSignature(kAppSecret, sent));
  EXPECT_EQ(ok.status, 200) << ok.Describe();
  EXPECT_EQ(ok.Json(), (Json{{"result", true}, {"error", nullptr}})) << ok.Describe();
  const MessageStatusPoll poll = stack_.WaitForStatus(id, "sent", kApplyTimeout);
  ASSERT_TRUE(poll.reached);
  EXPECT_EQ(MetaHistory(poll.last), (std::vector<std::string>{"sent/meta"})) << poll.last.dump();
}

// ---- 3. The loop: fake-graph posts the statuses of the send ----------------------------------

// The tests that run on each storage engine: a gateway on the engine's test database.
class MetaWebhookEngineTest : public ::testing::TestWithParam<StorageEngine> {
 protected:
  MetaWebhookEngineTest() : database_(GetParam()) {}

  EngineDatabase database_;
  WebhookStack stack_;
};

TEST_P(MetaWebhookEngineTest, FakeGraphStatusesTakeTheMessageToReadWithPricing) {
  StackOptions options;
  options.storage_url = database_.url();
  ASSERT_TRUE(stack_.Start(options));
  ASSERT_TRUE(stack_.FakePostsToGateway());
  const Json accepted = stack_.SendAccepted();
  const std::string id = accepted.value("messageId", "");
  ASSERT_FALSE(id.empty());

  const MessageStatusPoll poll = stack_.WaitForStatus(id, "read", kLoopTimeout);
  ASSERT_TRUE(poll.reached) << stack_.fake().Webhooks().dump();
  const Json& m = poll.last;
  EXPECT_EQ(HistoryFromAccepted(m),
            (std::vector<std::string>{"accepted/", "sent/meta", "delivered/meta", "read/meta"}))
      << m.dump();
  EXPECT_EQ(m.value("providerMessageId", ""), accepted.value("providerMessageId", "?"));
  EXPECT_EQ(m["deliveryError"], nullptr) << m.dump();
  EXPECT_EQ(m["pricing"], (Json{{"billable", true},
                                {"category", "utility"},
                                {"pricingModel", "PMP"},
                                {"type", "regular"}}))
      << m.dump();
  ASSERT_TRUE(m["conversation"].is_object()) << m.dump();
  EXPECT_EQ(m["conversation"].value("id", "").size(), 32u) << m.dump();
  EXPECT_EQ(m["conversation"].value("originType", ""), "utility") << m.dump();

  // Every status was answered 2xx, none refused or given up.
  Json hooks;
  WaitUntil(
      [&] {
        hooks = stack_.fake().Webhooks();
        return hooks.value("answered_2xx", 0) >= 3;
      },
      kApplyTimeout);
  EXPECT_EQ(hooks.value("answered_2xx", -1), 3) << hooks.dump();
  EXPECT_EQ(hooks.value("refused", -1), 0) << hooks.dump();
  EXPECT_EQ(hooks.value("failed", -1), 0) << hooks.dump();
}

INSTANTIATE_TEST_SUITE_P(Engines, MetaWebhookEngineTest, kStorageEngines, StorageEngineName);

// ---- 4. A failure after acceptance -----------------------------------------------------------

TEST_F(MetaWebhookTest, AStatusFailedWebhookFailsTheMessageWithMetasCode) {
  ASSERT_TRUE(stack_.Start());
  ASSERT_TRUE(stack_.FakePostsToGateway());
  ASSERT_TRUE(stack_.fake().SetFaults(
      {{{"action", "status_failed"}, {"code", 131026}, {"details", "Message Undeliverable."}}}));
  const Json accepted = stack_.SendAccepted();
  const std::string id = accepted.value("messageId", "");
  ASSERT_FALSE(id.empty());

  const MessageStatusPoll poll = stack_.WaitForStatus(id, "failed", kLoopTimeout);
  ASSERT_TRUE(poll.reached) << stack_.fake().Webhooks().dump();
  const Json& m = poll.last;
  EXPECT_EQ(DeliveryErrorField(m, "code"), "131026") << m.dump();
  EXPECT_NE(DeliveryErrorField(m, "message").find("Message undeliverable"), std::string::npos)
      << m.dump();
  EXPECT_EQ(MetaHistory(m), (std::vector<std::string>{"sent/meta", "failed/meta"})) << m.dump();
}

// ---- 5. Out of order and repeated ------------------------------------------------------------

TEST_F(MetaWebhookTest, StatusesOutOfOrderAndRepeatedEndReadWithEachReportOnce) {
  ASSERT_TRUE(stack_.Start());
  const Json accepted = stack_.SendAccepted();
  const std::string id = accepted.value("messageId", "");
  const std::string wamid = accepted.value("providerMessageId", "");
  ASSERT_FALSE(id.empty());
  const std::int64_t t = NowSeconds();

  ASSERT_TRUE(stack_.PostSigned(Event(wamid, "read", t + 20)));
  ASSERT_TRUE(stack_.WaitForStatus(id, "read", kApplyTimeout).reached);
  ASSERT_TRUE(stack_.PostSigned(Event(wamid, "delivered", t + 10)));
  ASSERT_TRUE(stack_.PostSigned(Event(wamid, "delivered", t + 10)));
  ASSERT_TRUE(stack_.PostSigned(Event(wamid, "sent", t)));

  // Events are applied in the order they came: once `sent` is in, all are.
  const MessageStatusPoll poll = stack_.WaitForMessage(
      id, [](const Json& m) { return CountOf(MetaHistory(m), "sent/meta") > 0; }, kApplyTimeout);
  ASSERT_TRUE(poll.reached);
  const Json& m = poll.last;
  EXPECT_EQ(m.value("status", ""), "read") << m.dump();
  const std::vector<std::string> reports = MetaHistory(m);
  EXPECT_EQ(reports.size(), 3u) << m.dump();
  EXPECT_EQ(CountOf(reports, "read/meta"), 1u) << m.dump();
  EXPECT_EQ(CountOf(reports, "delivered/meta"), 1u) << m.dump();
  EXPECT_EQ(CountOf(reports, "sent/meta"), 1u) << m.dump();
}

// ---- 6. A status that comes before the send's answer -----------------------------------------

TEST_F(MetaWebhookTest, AStatusBeforeTheSendsAnswerIsAppliedWhenTheAnswerComes) {
  StackOptions options;
  options.ack = "stored";
  options.timeout_ms = 10'000;
  ASSERT_TRUE(stack_.Start(options));
  // The send is answered 3 s late (then accepted): its sent status beats it.
  ASSERT_TRUE(stack_.fake().SetFaults(
      {{{"path", "messages"}, {"action", "slow"}, {"delay_ms", 3000}, {"count", 1}}}));
  const HttpResponse r = stack_.Send(SeedBody());
  ASSERT_EQ(r.status, 202) << r.Describe();
  const std::string id = r.Json().value("messageId", "");
  ASSERT_FALSE(id.empty()) << r.Describe();

  // The fake has the send (and has picked its wamid) while its answer waits.
  Json sends;
  WaitUntil(
      [&] {
        sends = stack_.fake().SendsFor(id);
        return !sends.empty();
      },
      kApplyTimeout);
  ASSERT_EQ(sends.size(), 1u) << sends.dump();
  const std::string wamid = sends[0]["outcome"].value("id", "");
  ASSERT_EQ(wamid.rfind("wamid.", 0), 0u) << sends.dump();
  Json m = stack_.GetMessage(id);
  ASSERT_EQ(m.value("status", ""), "sending") << "the send is not in flight: " << m.dump();

  StatusEvent early = Event(wamid, "sent", NowSeconds(), id);
  early.pricing = true;
  ASSERT_TRUE(stack_.PostSigned(early));
  m = stack_.GetMessage(id);
  EXPECT_EQ(m.value("status", ""), "sending") << "the answer came too early: " << m.dump();

  const MessageStatusPoll poll = stack_.WaitForStatus(id, "sent", seconds(10));
  ASSERT_TRUE(poll.reached);
  EXPECT_EQ(poll.last.value("providerMessageId", ""), wamid) << poll.last.dump();
  EXPECT_EQ(HistoryFromAccepted(poll.last), (std::vector<std::string>{"accepted/", "sent/meta"}))
      << poll.last.dump();
  EXPECT_TRUE(poll.last["pricing"].is_object()) << poll.last.dump();
}

// ---- 7. A status for a wamid not known yet ---------------------------------------------------

TEST_F(MetaWebhookTest, AStatusForAnUnknownWamidIsHeldAndAppliedWhenASendGetsIt) {
  ASSERT_TRUE(stack_.Start());
  const std::string wamid = "wamid.later";
  ASSERT_TRUE(stack_.PostSigned(Event(wamid, "delivered", NowSeconds())));

  // The next send is answered with that wamid (Meta's success shape, from a rule).
  const Json body = SeedBody();
  const std::string customer = body.value("customerPhoneNumber", "");
  const Json answer = {{"messaging_product", "whatsapp"},
                       {"contacts", {{{"input", "+" + customer}, {"wa_id", customer}}}},
                       {"messages", {{{"id", wamid}}}}};
  ASSERT_TRUE(stack_.fake().SetFaults({{{"path", "messages"},
                                        {"action", "http"},
                                        {"http_status", 200},
                                        {"content_type", "application/json"},
                                        {"body", answer.dump()},
                                        {"accept", true},
                                        {"count", 1}}}));
  const HttpResponse r = stack_.Send(body);
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.Json().value("providerMessageId", ""), wamid) << r.Describe();
  const std::string id = r.Json().value("messageId", "");
  ASSERT_FALSE(id.empty()) << r.Describe();

  const MessageStatusPoll poll = stack_.WaitForStatus(id, "delivered", kApplyTimeout);
  ASSERT_TRUE(poll.reached);
  EXPECT_EQ(MetaHistory(poll.last), (std::vector<std::string>{"delivered/meta"}))
      << poll.last.dump();
}

// ---- 8. A number the gateway does not have ---------------------------------------------------

TEST_F(MetaWebhookTest, AStatusForAnUnknownPhoneNumberIdIsTakenLoggedAndNotApplied) {
  ASSERT_TRUE(stack_.Start());
  const Json accepted = stack_.SendAccepted();
  const std::string id = accepted.value("messageId", "");
  const std::string wamid = accepted.value("providerMessageId", "");
  ASSERT_FALSE(id.empty());

  StatusEvent elsewhere = Event(wamid, "read", NowSeconds(), id);
  elsewhere.phone_number_id = "999";
  ASSERT_TRUE(stack_.PostSigned(elsewhere));
  EXPECT_TRUE(stack_.gateway().WaitForStderr(
      "phone_number_id 999, which is no business number of this gateway", kApplyTimeout))
      << stack_.gateway().ReadStderrLog();

  // The event is applied (logged) before any later one: a signed status of the right number
  // posted after it shows the first one changed nothing.
  ASSERT_TRUE(stack_.PostSigned(Event(wamid, "sent", NowSeconds())));
  const MessageStatusPoll poll = stack_.WaitForStatus(id, "sent", kApplyTimeout);
  ASSERT_TRUE(poll.reached);
  EXPECT_EQ(MetaHistory(poll.last), (std::vector<std::string>{"sent/meta"})) << poll.last.dump();
}

// ---- 9. Statuses posted while the gateway is down --------------------------------------------

// The gateway stops (SIGTERM) right after a send is accepted; fake-graph's POSTs meet a closed
// port and wait for their retries (1, 2, 4, 8 s). The gateway starts again on the same database
// (on another port: GatewayProcess listens on port 0, and a port given back to the system may be
// taken meanwhile), and the fake is pointed at its new address, as a load balancer would: the
// retries bring every status in.
TEST_P(MetaWebhookEngineTest, StatusesPostedWhileTheGatewayIsDownAreRetriedAndApplied) {
  StackOptions options;
  options.storage_url = database_.url();
  ASSERT_TRUE(stack_.Start(options));
  ASSERT_TRUE(stack_.FakePostsToGateway());
  const Json accepted = stack_.SendAccepted();
  const std::string id = accepted.value("messageId", "");
  ASSERT_FALSE(id.empty());
  const ExitStatus stopped = stack_.gateway().Stop();
  ASSERT_TRUE(stopped.ExitedWith(0)) << stopped.ToString();

  // At least one POST met the closed port (the first status may have come in before the stop).
  Json hooks;
  WaitUntil(
      [&] {
        hooks = stack_.fake().Webhooks();
        return hooks.value("unanswered", 0) + hooks.value("refused", 0) > 0;
      },
      seconds(5));
  ASSERT_GT(hooks.value("unanswered", 0) + hooks.value("refused", 0), 0) << hooks.dump();
  EXPECT_GT(hooks.value("retried", 0), 0) << hooks.dump();

  ASSERT_TRUE(stack_.gateway().Start());
  ASSERT_TRUE(stack_.FakePostsToGateway());
  // The last retry comes 15 s after a status's first POST. The retries may come in another
  // order than the statuses (a later status's retry can succeed before an earlier one's).
  const MessageStatusPoll poll = stack_.WaitForMessage(
      id,
      [](const Json& m) {
        const std::vector<std::string> reports = MetaHistory(m);
        return CountOf(reports, "sent/meta") > 0 && CountOf(reports, "delivered/meta") > 0 &&
               CountOf(reports, "read/meta") > 0;
      },
      seconds(20));
  ASSERT_TRUE(poll.reached) << stack_.fake().Webhooks().dump();
  EXPECT_EQ(poll.last.value("status", ""), "read") << poll.last.dump();
  EXPECT_EQ(MetaHistory(poll.last).size(), 3u) << poll.last.dump();
  // Each status was taken once: answered 2xx once, none given up.
  EXPECT_TRUE(WaitUntil([&] { return stack_.fake().Webhooks().value("answered_2xx", 0) >= 3; },
                        kApplyTimeout));
  hooks = stack_.fake().Webhooks();
  EXPECT_EQ(hooks.value("answered_2xx", -1), 3) << hooks.dump();
  EXPECT_EQ(hooks.value("failed", -1), 0) << hooks.dump();
}

}  // namespace
}  // namespace socialgate::testing
