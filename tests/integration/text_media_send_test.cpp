// The free-text and media send endpoints (sendExternalMessageToCtlivesocial and
// sendExternalMultimediaMessageToCtlivesocial) against the real binary: CTLive's examples on
// every path form and both ack modes with the sandbox, read back with their kind's fields;
// Idempotency-Key; one refusal per rule, each with its status and sentence; and, with the Meta
// provider against tools/fake-graph, the exact JSON Meta receives (a text; an image and a
// document uploaded first and sent by their media id).
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/sample_media.hpp"
#include "customer_window.hpp"
#include "fake_graph_process.hpp"
#include "gateway_process.hpp"
#include "http_client.hpp"
#include "meta_test_config.hpp"

namespace socialgate::testing {
namespace {

using core::testing::Base64;
using core::testing::TinyJpeg;
using core::testing::TinyPdf;
using core::testing::TinyPng;
using Json = nlohmann::json;

constexpr std::string_view kTextMethod = "sendExternalMessageToCtlivesocial";
constexpr std::string_view kMediaMethod = "sendExternalMultimediaMessageToCtlivesocial";
constexpr std::string_view kNumber = "3902124122690";
const Credentials kDemo{"demo", std::string(kTestPassword)};
const Credentials kAcme{"acme", std::string(kTestPassword)};

std::string Url(const std::string& base, std::string_view domain, std::string_view method) {
  return base + "/livechat/" + (domain.empty() ? "" : std::string(domain) + "/") +
         std::string(method);
}

// CTLive's examples (reference sections 2.2 and 2.3), on `number`.
Json TextBody(std::string text = "Messaggio da external ws", std::string_view number = kNumber) {
  return {{"customerPhoneNumber", "393403603062"},
          {"servicePhoneNumber", number},
          {"text", std::move(text)}};
}
Json MediaBody(std::string_view type, std::string_view bytes, std::string_view file_name,
               std::string_view number = kNumber) {
  return {{"customerPhoneNumber", "393403603062"},
          {"servicePhoneNumber", number},
          {"document", Base64(bytes)},
          {"messageType", type},
          {"fileName", file_name}};
}

// ---- With the sandbox ------------------------------------------------------------------------

class TextMediaSendTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    gateway_ = new GatewayProcess(TestConfig({
        {.name = "default", .user = "demo", .number = std::string(kNumber), .ack = "provider"},
        {.name = "acme", .user = "acme", .number = "3902124122691", .ack = "stored"},
    }));
    ASSERT_TRUE(gateway_->Start());
    // The customer writes first to both numbers: free-form messages answer a customer within
    // 24 hours of their last message.
    HttpClient client;
    ASSERT_EQ(PostSandboxCustomerMessage(client, Base(), "default", kDemo, kNumber, "393403603062")
                  .status,
              202);
    ASSERT_EQ(
        PostSandboxCustomerMessage(client, Base(), "acme", kAcme, "3902124122691", "393403603062")
            .status,
        202);
  }
  static void TearDownTestSuite() {
    delete gateway_;
    gateway_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(gateway_ != nullptr && gateway_->running()); }

  static std::string Base() { return gateway_->base_url(); }

  HttpResponse Post(std::string_view method, const Json& body, std::string_view key = "",
                    std::string_view domain = "default", const Credentials& who = kDemo) {
    HttpRequest request;
    request.method = "POST";
    request.url = Url(Base(), domain, method);
    request.headers.emplace_back("Content-Type", "application/json");
    if (!key.empty()) request.headers.emplace_back("Idempotency-Key", std::string(key));
    request.body = body.dump();
    request.basic = who;
    return client_.Send(request);
  }

  // Expects 200 accepted (the sandbox, ack "provider") and the envelope; returns the messageId.
  std::string ExpectAccepted(const HttpResponse& r) {
    EXPECT_EQ(r.status, 200) << r.Describe();
    const Json j = r.Json();
    if (!j.is_object()) return "";
    EXPECT_EQ(j.value("result", false), true) << r.Describe();
    EXPECT_TRUE(j.contains("error") && j["error"].is_null()) << r.Describe();
    EXPECT_EQ(j.value("status", ""), "accepted") << r.Describe();
    EXPECT_FALSE(j.value("providerMessageId", "").empty()) << r.Describe();
    return j.value("messageId", "");
  }

  // The message once read, its whole history checked.
  Json ExpectReachesRead(const std::string& id, std::string_view domain = "default",
                         const Credentials& who = kDemo) {
    MessageStatusPoll poll = WaitForMessageStatus(client_, Base(), domain, id, who, "read");
    EXPECT_TRUE(poll.reached);
    EXPECT_EQ(HistoryStatuses(poll.last), (std::vector<std::string>{"queued", "sending", "accepted",
                                                                    "sent", "delivered", "read"}))
        << poll.last.dump();
    return poll.last;
  }

  static GatewayProcess* gateway_;
  HttpClient client_;
};

GatewayProcess* TextMediaSendTest::gateway_ = nullptr;

TEST_F(TextMediaSendTest, CtlivesTextExampleIsAcceptedAndReadBackAsText) {
  const std::string id = ExpectAccepted(Post(kTextMethod, TextBody()));
  ASSERT_FALSE(id.empty());
  const Json m = ExpectReachesRead(id);
  EXPECT_EQ(m.value("messageType", ""), "TEXT") << m.dump();
  EXPECT_EQ(m.value("text", ""), "Messaggio da external ws");
  EXPECT_EQ(m.value("customerPhoneNumber", ""), "393403603062");
  EXPECT_EQ(m.value("servicePhoneNumber", ""), kNumber);
  EXPECT_FALSE(m.contains("templateName")) << m.dump();
}

TEST_F(TextMediaSendTest, TheDomainlessAndUpperCasePathsAreTheDefaultDomain) {
  for (const std::string_view domain : {"", "DEFAULT"}) {
    const std::string text_id = ExpectAccepted(Post(kTextMethod, TextBody("hi"), "", domain));
    const std::string image_id =
        ExpectAccepted(Post(kMediaMethod, MediaBody("IMAGE", TinyPng(), "logo.png"), "", domain));
    ASSERT_FALSE(text_id.empty() || image_id.empty()) << domain;
    ExpectReachesRead(text_id);
    ExpectReachesRead(image_id);
  }
}

TEST_F(TextMediaSendTest, AMultilineUnicodeTextOfTheLongestLengthKeepsEveryCharacter) {
  // 23 characters (the euro sign and the emoji one each), then accented letters up to 4,096.
  std::string text = "Riga 1\n\tRiga 2 \xE2\x82\xAC \xF0\x9F\x98\x80 \"ok\"";
  for (int i = 23; i < 4096; ++i) text += "\xC3\xA9";
  const std::string id = ExpectAccepted(Post(kTextMethod, TextBody(text)));
  ASSERT_FALSE(id.empty());
  const HttpResponse r = client_.Get(MessageUrl(Base(), "default", id), kDemo);
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.Json().value("text", ""), text);
  // One more character is one too many.
  EXPECT_TRUE(IsError(Post(kTextMethod, TextBody(text + "!")), 422,
                      "text: is 4097 characters long; a text message may have at most 4096"));
}

TEST_F(TextMediaSendTest, AnImageAndADocumentAreAcceptedAndReadBackWithTheirFiles) {
  struct Case {
    std::string type, bytes, file_name, mime;
  };
  for (const Case& c : {Case{"IMAGE", TinyPng(), "infobip-logo.png", "image/png"},
                        Case{"image", TinyJpeg(), "photo.jpeg", "image/jpeg"},
                        Case{"DOCUMENT", TinyPdf(), "Fattura 42.pdf", "application/pdf"}}) {
    const std::string id =
        ExpectAccepted(Post(kMediaMethod, MediaBody(c.type, c.bytes, c.file_name)));
    ASSERT_FALSE(id.empty()) << c.type;
    const Json m = ExpectReachesRead(id);
    const bool image = c.mime != "application/pdf";
    EXPECT_EQ(m.value("messageType", ""), image ? "IMAGE" : "DOCUMENT") << m.dump();
    EXPECT_EQ(m.value("fileName", ""), c.file_name) << m.dump();
    EXPECT_EQ(m.value("mimeType", ""), c.mime) << m.dump();
    EXPECT_FALSE(m.contains("document")) << "the bytes are never echoed: " << m.dump();
  }
}

TEST_F(TextMediaSendTest, TheListShowsEachKindsFields) {
  const std::string text_id = ExpectAccepted(Post(kTextMethod, TextBody("listed")));
  const std::string doc_id =
      ExpectAccepted(Post(kMediaMethod, MediaBody("DOCUMENT", TinyPdf(), "listed.pdf")));
  const HttpResponse r = client_.Get(Base() + "/livechat/default/messages?limit=1000", kDemo);
  ASSERT_EQ(r.status, 200) << r.Describe();
  int seen = 0;
  for (const Json& m : r.Json().value("messages", Json::array())) {
    if (m.value("messageId", "") == text_id) {
      EXPECT_EQ(m.value("messageType", ""), "TEXT");
      EXPECT_EQ(m.value("text", ""), "listed");
      ++seen;
    } else if (m.value("messageId", "") == doc_id) {
      EXPECT_EQ(m.value("messageType", ""), "DOCUMENT");
      EXPECT_EQ(m.value("fileName", ""), "listed.pdf");
      ++seen;
    } else if (m.contains("templateName")) {
      EXPECT_EQ(m.value("messageType", ""), "TEMPLATE");
    }
  }
  EXPECT_EQ(seen, 2) << r.Describe();
}

TEST_F(TextMediaSendTest, StoredAckAnswers202QueuedForBothKinds) {
  for (const Json& body : {TextBody("queued", "3902124122691"),
                           MediaBody("IMAGE", TinyPng(), "q.png", "3902124122691")}) {
    const std::string_view method = body.contains("text") ? kTextMethod : kMediaMethod;
    const HttpResponse r = Post(method, body, "", "acme", kAcme);
    ASSERT_EQ(r.status, 202) << r.Describe();
    const Json j = r.Json();
    EXPECT_EQ(j.value("result", false), true);
    EXPECT_EQ(j.value("status", ""), "queued");
    ExpectReachesRead(j.value("messageId", ""), "acme", kAcme);
  }
}

TEST_F(TextMediaSendTest, AnIdempotencyKeyRepeatsTheFirstAnswerAndSendsNothingAgain) {
  for (const bool media : {false, true}) {
    const std::string_view method = media ? kMediaMethod : kTextMethod;
    const Json body = media ? MediaBody("IMAGE", TinyPng(), "once.png") : TextBody("once");
    const std::string key = media ? "kinds-media-1" : "kinds-text-1";
    const HttpResponse first = Post(method, body, key);
    const std::string id = ExpectAccepted(first);
    ASSERT_FALSE(id.empty());
    const HttpResponse again = Post(method, body, key);
    EXPECT_EQ(again.status, first.status) << again.Describe();
    EXPECT_EQ(again.Header("idempotent-replayed"), "true") << again.Describe();
    EXPECT_EQ(again.Json().value("messageId", ""), id) << again.Describe();
    // The same key with another body is refused, and sends nothing.
    const Json other = media ? MediaBody("IMAGE", TinyJpeg(), "other.jpg") : TextBody("other");
    EXPECT_TRUE(IsError(Post(method, other, key), 422, "Idempotency-Key"));
    ExpectReachesRead(id);
    const Json m = client_.Get(MessageUrl(Base(), "default", id), kDemo).Json();
    EXPECT_EQ(m.value("attempts", 0), 1) << m.dump();
  }
}

struct Refusal {
  const char* name;
  bool media;
  Json body;
  long status;
  std::string sentence;  // a part of the error
};

class TextMediaRefusalTest : public TextMediaSendTest,
                             public ::testing::WithParamInterface<Refusal> {};

TEST_P(TextMediaRefusalTest, IsRefusedWithItsStatusAndSentence) {
  const Refusal& c = GetParam();
  const HttpResponse r = Post(c.media ? kMediaMethod : kTextMethod, c.body);
  EXPECT_TRUE(IsError(r, c.status, c.sentence)) << r.Describe();
  EXPECT_TRUE(r.Json().value("messageId", "").empty()) << "nothing stored: " << r.Describe();
}

Json With(Json body, const char* field, Json value) {
  if (value.is_discarded()) {
    body.erase(field);
  } else {
    body[field] = std::move(value);
  }
  return body;
}
const Json kRemove = Json(Json::value_t::discarded);

INSTANTIATE_TEST_SUITE_P(
    Rules, TextMediaRefusalTest,
    ::testing::Values(
        Refusal{"TextMissing", false, With(TextBody(), "text", kRemove), 400, "text: is required"},
        Refusal{"TextNotAString", false, With(TextBody(), "text", 7), 400,
                "text: must be a string, not a number"},
        Refusal{"TextEmpty", false, TextBody(""), 422, "text: must not be empty"},
        Refusal{"TextNul", false, TextBody(std::string("a\0b", 3)), 422,
                "text: must not contain control characters other than newline and tab (U+0000 "
                "at character 2)"},
        Refusal{"TextCarriageReturn", false, TextBody("a\r\nb"), 422, "(U+000D at character 2)"},
        Refusal{"TextOnlyWhitespace", false, TextBody(" \n\t "), 422,
                "text: must not be only spaces, newlines and tabs"},
        Refusal{"TextTooLong", false, TextBody(std::string(4097, 'x')), 422,
                "text: is 4097 characters long; a text message may have at most 4096"},
        Refusal{"CustomerNumber", false, With(TextBody(), "customerPhoneNumber", "12"), 422,
                "customerPhoneNumber:"},
        Refusal{"AnotherDomainsNumber", false, TextBody("x", "3902124122691"), 403,
                "servicePhoneNumber: 3902124122691 is not a business number of domain 'default'"},
        Refusal{"MediaBodyNotAnObject", true, Json::array(), 400,
                "body: must be a JSON object, not an array"},
        Refusal{"MediaMissingDocument", true,
                With(MediaBody("IMAGE", TinyPng(), "a.png"), "document", kRemove), 400,
                "document: is required"},
        Refusal{"MediaTypeNotAString", true,
                With(MediaBody("IMAGE", TinyPng(), "a.png"), "messageType", Json()), 400,
                "messageType: must be a string, not null"},
        Refusal{"MediaVideo", true, MediaBody("VIDEO", TinyPng(), "a.png"), 422,
                "messageType: must be IMAGE or DOCUMENT (got 'VIDEO')"},
        Refusal{"MediaNotBase64", true,
                With(MediaBody("IMAGE", TinyPng(), "a.png"), "document", "not base64!"), 422,
                "document: is not valid base64"},
        Refusal{"MediaEmptyDocument", true,
                With(MediaBody("IMAGE", TinyPng(), "a.png"), "document", ""), 422,
                "document: must not be empty"},
        Refusal{"MediaFileNamePath", true, MediaBody("IMAGE", TinyPng(), "../a.png"), 422,
                "fileName: must not contain '/', '\\' or control characters"},
        Refusal{"MediaExtensionOfAnotherKind", true, MediaBody("IMAGE", TinyPng(), "a.pdf"), 422,
                "fileName: must end in .jpg, .jpeg or .png for an IMAGE message (got 'a.pdf')"},
        Refusal{"MediaBytesOfAnotherKind", true, MediaBody("IMAGE", TinyPdf(), "a.png"), 422,
                "document: the bytes are application/pdf, but messageType IMAGE needs image/jpeg "
                "or image/png"},
        Refusal{"MediaBytesOfAnotherExtension", true, MediaBody("IMAGE", TinyPng(), "a.jpg"), 422,
                "document: the bytes are image/png, but fileName's extension 'jpg' needs "
                "image/jpeg"},
        Refusal{"MediaDocumentOfAnImage", true, MediaBody("DOCUMENT", TinyPng(), "a.pdf"), 422,
                "document: the bytes are image/png, but messageType DOCUMENT needs "
                "application/pdf"}),
    [](const ::testing::TestParamInfo<Refusal>& p) { return std::string(p.param.name); });

TEST_F(TextMediaSendTest, MalformedJsonIs400) {
  HttpRequest request;
  request.method = "POST";
  request.url = Url(Base(), "default", kTextMethod);
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = R"({"text": "unterminated)";
  request.basic = kDemo;
  EXPECT_TRUE(IsError(client_.Send(request), 400, "body: is not valid JSON"));
  request.url = Url(Base(), "default", kMediaMethod);
  EXPECT_TRUE(IsError(client_.Send(request), 400, "body: is not valid JSON"));
}

// ---- With the Meta provider, against tools/fake-graph ---------------------------------------

class TextMediaMetaTest : public ::testing::Test {
 protected:
  static constexpr std::string_view kToken = "kinds-meta-token";
  static constexpr std::string_view kAppSecret = "kinds-meta-app-secret";

  static void SetUpTestSuite() {
    fake_ = new FakeGraphProcess(std::string(kToken));
    ASSERT_TRUE(fake_->Start());
    MetaTestDomain domain;
    domain.number = std::string(kNumber);
    domain.base_url = fake_->base_url();
    domain.timeout_ms = 3000;
    gateway_ = new GatewayProcess(MetaTestConfig(domain) +
                                  "\n[webhooks.meta]\nverify_token_file = \"verify_token.txt\"\n"
                                  "app_secret_file = \"app_secret.txt\"\n");
    ASSERT_TRUE(WriteTokenFile(*gateway_, kToken));
    ASSERT_TRUE(WriteTokenFile(*gateway_, "verify", "verify_token.txt"));
    ASSERT_TRUE(WriteTokenFile(*gateway_, kAppSecret, "app_secret.txt"));
    ASSERT_TRUE(gateway_->Start());
    // The customers' messages reach the gateway as Meta's would: signed webhooks.
    ASSERT_TRUE(fake_->SetWebhookTarget(gateway_->base_url() + "/webhooks/meta", kAppSecret));
  }
  static void TearDownTestSuite() {
    delete gateway_;  // it stops sending before the fake goes away
    gateway_ = nullptr;
    delete fake_;
    fake_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(fake_ != nullptr && fake_->running() && gateway_ != nullptr && gateway_->running());
    ASSERT_TRUE(fake_->ClearRequests());
  }

  // The customer writes to the business number (fake-graph posts Meta's signed webhook).
  static void CustomerWrites(const std::string& customer) {
    const Json answer = fake_->PostInbound({{"phone_number_id", std::string(kTestPhoneNumberId)},
                                            {"from", customer},
                                            {"type", "text"},
                                            {"text", "Buongiorno"}});
    EXPECT_TRUE(answer.is_object() && answer.value("webhook_queued", false)) << answer.dump();
  }

  // Sends `body` with a fresh customer (the pair rate limit), who writes first, expects 200
  // accepted, and returns the one send fake-graph recorded for it, its biz_opaque_callback_data
  // replaced by "MESSAGE_ID".
  Json SentJson(std::string_view method, Json body) {
    static int next = 0;
    const std::string customer = "39340" + std::to_string(2'000'000 + next++);
    body["customerPhoneNumber"] = customer;
    CustomerWrites(customer);
    const HttpResponse r =
        PostOnceWindowOpens(client_, Url(gateway_->base_url(), "default", method), body, kDemo);
    EXPECT_EQ(r.status, 200) << r.Describe();
    const std::string id = r.Json().value("messageId", "");
    const Json sends = fake_->SendsFor(id);
    EXPECT_EQ(sends.size(), 1u) << sends.dump();
    if (sends.size() != 1) return Json();
    EXPECT_EQ(sends[0]["outcome"].value("id", ""), r.Json().value("providerMessageId", "?"));
    Json sent = sends[0].value("json", Json());
    EXPECT_EQ(sent.value("biz_opaque_callback_data", ""), id) << sent.dump();
    sent["biz_opaque_callback_data"] = "MESSAGE_ID";
    sent["to"] = "+CUSTOMER";
    return sent;
  }

  // The one upload recorded since SetUp: its media id ("" when there is not exactly one).
  std::string UploadedId(std::string_view mime, std::string_view file_name) {
    const Json uploads = fake_->Requests("media");
    EXPECT_EQ(uploads.size(), 1u) << uploads.dump();
    if (uploads.size() != 1) return "";
    EXPECT_EQ(uploads[0].value("fields", Json()),
              (Json{{"messaging_product", "whatsapp"}, {"type", mime}}))
        << uploads[0].dump();
    const Json files = uploads[0].value("files", Json::array());
    EXPECT_EQ(files.size() == 1 ? files[0].value("filename", "") : "", file_name);
    return uploads[0]["outcome"].value("id", "");
  }

  static FakeGraphProcess* fake_;
  static GatewayProcess* gateway_;
  HttpClient client_;
};

FakeGraphProcess* TextMediaMetaTest::fake_ = nullptr;
GatewayProcess* TextMediaMetaTest::gateway_ = nullptr;

TEST_F(TextMediaMetaTest, ATextIsSentAsMetasTextMessage) {
  const Json expected = {
      {"messaging_product", "whatsapp"},
      {"recipient_type", "individual"},
      {"to", "+CUSTOMER"},
      {"type", "text"},
      {"text", {{"preview_url", false}, {"body", "Riga 1\nRiga 2 \xE2\x82\xAC"}}},
      {"biz_opaque_callback_data", "MESSAGE_ID"}};
  EXPECT_EQ(SentJson(kTextMethod, TextBody("Riga 1\nRiga 2 \xE2\x82\xAC")), expected);
  EXPECT_TRUE(fake_->Requests("media").empty());
}

TEST_F(TextMediaMetaTest, AnImageIsUploadedThenSentByItsMediaId) {
  const Json sent = SentJson(kMediaMethod, MediaBody("IMAGE", TinyPng(), "infobip-logo.png"));
  const std::string media_id = UploadedId("image/png", "infobip-logo.png");
  ASSERT_FALSE(media_id.empty());
  const Json expected = {{"messaging_product", "whatsapp"},
                         {"recipient_type", "individual"},
                         {"to", "+CUSTOMER"},
                         {"type", "image"},
                         {"image", {{"id", media_id}}},
                         {"biz_opaque_callback_data", "MESSAGE_ID"}};
  EXPECT_EQ(sent, expected);
}

TEST_F(TextMediaMetaTest, ADocumentIsUploadedThenSentByItsMediaIdWithItsFileName) {
  const Json sent = SentJson(kMediaMethod, MediaBody("DOCUMENT", TinyPdf(), "Fattura 42.pdf"));
  const std::string media_id = UploadedId("application/pdf", "Fattura 42.pdf");
  ASSERT_FALSE(media_id.empty());
  const Json expected = {{"messaging_product", "whatsapp"},
                         {"recipient_type", "individual"},
                         {"to", "+CUSTOMER"},
                         {"type", "document"},
                         {"document", {{"id", media_id}, {"filename", "Fattura 42.pdf"}}},
                         {"biz_opaque_callback_data", "MESSAGE_ID"}};
  EXPECT_EQ(sent, expected);
}

TEST_F(TextMediaMetaTest, ARepeatedIdempotencyKeyReachesMetaOnce) {
  HttpRequest request;
  request.method = "POST";
  request.url = Url(gateway_->base_url(), "default", kTextMethod);
  request.headers = {{"Content-Type", "application/json"}, {"Idempotency-Key", "kinds-meta-1"}};
  request.body = TextBody("only once").dump();
  request.basic = kDemo;
  CustomerWrites("393403603062");
  // A refusal for the window records nothing for the key: sent again until the window opens.
  HttpResponse first = client_.Send(request);
  for (int i = 0; i < 500 && first.status == 422; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    first = client_.Send(request);
  }
  ASSERT_EQ(first.status, 200) << first.Describe();
  const HttpResponse again = client_.Send(request);
  EXPECT_EQ(again.status, 200) << again.Describe();
  EXPECT_EQ(again.Header("idempotent-replayed"), "true");
  const std::string id = first.Json().value("messageId", "");
  EXPECT_EQ(again.Json().value("messageId", ""), id);
  EXPECT_EQ(fake_->SendsFor(id).size(), 1u);
}

}  // namespace
}  // namespace socialgate::testing
