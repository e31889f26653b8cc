// The seed endpoint's happy paths against the real binary: the seed's example on every path
// form, both ack modes, media headers, and reading messages back (and not across domains).
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/sample_media.hpp"
#include "gateway_process.hpp"
#include "http_client.hpp"

namespace socialgate::testing {
namespace {

using core::testing::Base64;
using core::testing::TinyPdf;
using core::testing::TinyPng;

const Credentials kDemo{"demo", std::string(kTestPassword)};
const Credentials kAcme{"acme", std::string(kTestPassword)};
const std::vector<std::string> kFullHistory = {"queued", "sending",   "accepted",
                                               "sent",   "delivered", "read"};

class SendTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    gateway_ = new GatewayProcess(TestConfig({
        {.name = "default", .user = "demo", .number = "3902124122690", .ack = "provider"},
        {.name = "acme", .user = "acme", .number = "3902124122691", .ack = "stored"},
    }));
    ASSERT_TRUE(gateway_->Start());
  }
  static void TearDownTestSuite() {
    delete gateway_;
    gateway_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(gateway_ != nullptr && gateway_->running()); }

  static std::string Base() { return gateway_->base_url(); }

  // Posts `body` to `url` as demo and expects the provider-ack answer: 200 accepted, with ids.
  // Returns the messageId ("" on failure).
  std::string ExpectAccepted(const std::string& url, const nlohmann::json& body) {
    const HttpResponse r = client_.PostJson(url, body.dump(), kDemo);
    EXPECT_EQ(r.status, 200) << r.Describe();
    const nlohmann::json j = r.Json();
    EXPECT_TRUE(j.is_object()) << r.Describe();
    if (!j.is_object()) return "";
    EXPECT_EQ(j.value("result", false), true) << r.Describe();
    EXPECT_TRUE(j.contains("error") && j["error"].is_null()) << r.Describe();
    EXPECT_EQ(j.value("status", ""), "accepted") << r.Describe();
    EXPECT_FALSE(j.value("messageId", "").empty()) << r.Describe();
    EXPECT_FALSE(j.value("providerMessageId", "").empty()) << r.Describe();
    EXPECT_EQ(r.Header("content-type").rfind("application/json", 0), 0u) << r.Describe();
    return j.value("messageId", "");
  }

  // Polls until `id` is read and checks the whole history. Returns the final GET body.
  nlohmann::json ExpectReachesRead(std::string_view domain, const std::string& id,
                                   const Credentials& credentials) {
    MessageStatusPoll poll = WaitForMessageStatus(client_, Base(), domain, id, credentials, "read");
    EXPECT_TRUE(poll.reached);
    EXPECT_EQ(HistoryStatuses(poll.last), kFullHistory) << poll.last.dump();
    return poll.last;
  }

  static GatewayProcess* gateway_;
  HttpClient client_;
};

GatewayProcess* SendTest::gateway_ = nullptr;

TEST_F(SendTest, SeedExampleIsAcceptedAndReachesRead) {
  const std::string id = ExpectAccepted(SendUrl(Base(), "default"), SeedRequest());
  ASSERT_FALSE(id.empty());

  const nlohmann::json m = ExpectReachesRead("default", id, kDemo);
  EXPECT_EQ(m.value("messageId", ""), id);
  EXPECT_EQ(m.value("result", false), true);
  EXPECT_EQ(m.value("customerPhoneNumber", ""), "393403603062");
  EXPECT_EQ(m.value("servicePhoneNumber", ""), "3902124122690");
  EXPECT_EQ(m.value("templateName", ""), "shipping_confirmation");
  EXPECT_EQ(m.value("language", ""), "en_GB");
  EXPECT_TRUE(m.contains("providerMessageId") && m["providerMessageId"].is_string()) << m.dump();
  EXPECT_TRUE(m.contains("deliveryError") && m["deliveryError"].is_null()) << m.dump();
}

TEST_F(SendTest, SeedExampleAnswerCarriesTheProviderMessageIdOfTheStoredMessage) {
  const HttpResponse r = client_.PostJson(SendUrl(Base(), "default"), SeedRequest().dump(), kDemo);
  ASSERT_EQ(r.status, 200) << r.Describe();
  const nlohmann::json answer = r.Json();
  const std::string id = answer.value("messageId", "");
  ASSERT_FALSE(id.empty()) << r.Describe();
  const nlohmann::json m = ExpectReachesRead("default", id, kDemo);
  EXPECT_EQ(m.value("providerMessageId", ""), answer.value("providerMessageId", "?")) << m.dump();
}

TEST_F(SendTest, SeedExampleOnDomainlessPathUsesDefaultDomain) {
  const std::string id =
      ExpectAccepted(Base() + "/livechat/" + std::string(kSendMethod), SeedRequest());
  ASSERT_FALSE(id.empty());
  ExpectReachesRead("default", id, kDemo);
}

TEST_F(SendTest, SeedExampleWithUpperCaseDomain) {
  const std::string id = ExpectAccepted(SendUrl(Base(), "DEFAULT"), SeedRequest());
  ASSERT_FALSE(id.empty());
  ExpectReachesRead("default", id, kDemo);
  // The message is readable through the upper-case path as well.
  const HttpResponse r = client_.Get(MessageUrl(Base(), "DEFAULT", id), kDemo);
  EXPECT_EQ(r.status, 200) << r.Describe();
}

TEST_F(SendTest, StoredAckAnswers202QueuedThenReachesRead) {
  const HttpResponse r =
      client_.PostJson(SendUrl(Base(), "acme"), SeedRequest("3902124122691").dump(), kAcme);
  ASSERT_EQ(r.status, 202) << r.Describe();
  const nlohmann::json j = r.Json();
  EXPECT_EQ(j.value("result", false), true) << r.Describe();
  EXPECT_TRUE(j.contains("error") && j["error"].is_null()) << r.Describe();
  EXPECT_EQ(j.value("status", ""), "queued") << r.Describe();
  const std::string id = j.value("messageId", "");
  ASSERT_FALSE(id.empty()) << r.Describe();
  ExpectReachesRead("acme", id, kAcme);
}

TEST_F(SendTest, DocumentHeaderWithPdfIsAccepted) {
  nlohmann::json body = SeedRequest();
  body["header"] = {{"type", "document"},
                    {"data", Base64("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")},
                    {"documentType", "pdf"},
                    {"fileName", "invoice.pdf"}};
  body["headerData"] = nlohmann::json::array();  // a media header takes no text parameter
  const std::string id = ExpectAccepted(SendUrl(Base(), "default"), body);
  ASSERT_FALSE(id.empty());
  ExpectReachesRead("default", id, kDemo);
}

TEST_F(SendTest, DocumentHeaderWithSamplePdfAndUpperCaseTypeIsAccepted) {
  nlohmann::json body = SeedRequest();
  body["header"] = {{"type", "DOCUMENT"},
                    {"data", Base64(TinyPdf())},
                    {"documentType", "pdf"},
                    {"fileName", "invoice.pdf"}};
  body["headerData"] = nlohmann::json::array();
  EXPECT_FALSE(ExpectAccepted(SendUrl(Base(), "default"), body).empty());
}

TEST_F(SendTest, PngImageHeaderIsAccepted) {
  nlohmann::json body = SeedRequest();
  body["header"] = {{"type", "image"},
                    {"data", Base64(TinyPng())},
                    {"documentType", "png"},
                    {"fileName", "parcel.png"}};
  body["headerData"] = nlohmann::json::array();
  const std::string id = ExpectAccepted(SendUrl(Base(), "default"), body);
  ASSERT_FALSE(id.empty());
  ExpectReachesRead("default", id, kDemo);
}

TEST_F(SendTest, UnknownExtraFieldsAreIgnored) {
  nlohmann::json body = SeedRequest();
  body["campaign"] = "spring";
  body["priority"] = 3;
  body["meta"] = {{"nested", {1, 2, 3}}, {"flag", true}};
  EXPECT_FALSE(ExpectAccepted(SendUrl(Base(), "default"), body).empty());
}

TEST_F(SendTest, GetOfUnknownMessageIdIs404) {
  const HttpResponse r = client_.Get(MessageUrl(Base(), "default", "no-such-message-id"), kDemo);
  EXPECT_EQ(r.status, 404) << r.Describe();
  const nlohmann::json j = r.Json();
  EXPECT_EQ(j.value("result", true), false) << r.Describe();
  EXPECT_NE(j.value("error", "").find("messageId"), std::string::npos) << r.Describe();
}

TEST_F(SendTest, MessageIsNotVisibleToAnotherDomain) {
  const std::string id = ExpectAccepted(SendUrl(Base(), "default"), SeedRequest());
  ASSERT_FALSE(id.empty());

  // acme's credentials on acme's path: the id is not in acme's domain.
  const HttpResponse other_domain = client_.Get(MessageUrl(Base(), "acme", id), kAcme);
  EXPECT_EQ(other_domain.status, 404) << other_domain.Describe();
  EXPECT_EQ(other_domain.Json().value("result", true), false) << other_domain.Describe();
  EXPECT_EQ(other_domain.body.find("393403603062"), std::string::npos) << other_domain.Describe();

  // acme's credentials on default's path: not authenticated there.
  const HttpResponse wrong_user = client_.Get(MessageUrl(Base(), "default", id), kAcme);
  EXPECT_EQ(wrong_user.status, 401) << wrong_user.Describe();
  EXPECT_EQ(wrong_user.body.find("393403603062"), std::string::npos) << wrong_user.Describe();

  // demo's credentials on acme's path: not authenticated there either.
  const HttpResponse demo_on_acme = client_.Get(MessageUrl(Base(), "acme", id), kDemo);
  EXPECT_EQ(demo_on_acme.status, 401) << demo_on_acme.Describe();

  // And the owner still sees it.
  EXPECT_EQ(client_.Get(MessageUrl(Base(), "default", id), kDemo).status, 200);
}

TEST_F(SendTest, HealthzAnswersWithoutCredentials) {
  const HttpResponse r = client_.Get(Base() + "/healthz");
  EXPECT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.Json().value("result", false), true) << r.Describe();
}

}  // namespace
}  // namespace socialgate::testing
