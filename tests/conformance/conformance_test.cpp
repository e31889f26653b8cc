// Conformance with Meta's published API: every kind of template message the gateway can
// produce is sent through the Meta provider to Prism serving Meta's OpenAPI spec
// (tests/conformance/meta-openapi), and must pass its validation. Prism runs with --errors,
// so a request that breaks the spec gets a 422, which the gateway reports as a failed
// message; the suite also reads Prism's log for any validation complaint. The customer's
// 24-hour window, which the free-form kinds need, is opened first by a signed inbound message
// posted to the gateway's webhook path as Meta would.
#include <chrono>
#include <ctime>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include "core/sample_media.hpp"
#include "gateway_process.hpp"
#include "http_client.hpp"
#include "meta_signing.hpp"
#include "meta_test_config.hpp"
#include "providers/meta/meta_payload.hpp"
#include "server_process.hpp"
#include "templates/catalog_json.hpp"
#include "webhooks/inbound_notification.hpp"

namespace socialgate::testing {
namespace {

using nlohmann::json;

const Credentials kDemo{"demo", std::string(kTestPassword)};
constexpr std::string_view kAppSecret = "conformance-app-secret";

// A port nobody listens on right now (Prism cannot be told to pick one itself).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

class ConformanceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string port = std::to_string(FreePort());
    prism_ = std::make_unique<ServerProcess>(
        ServerSpec{.name = "prism",
                   .binary = PRISM_BINARY,
                   .args = {"mock", "--errors", "-h", "127.0.0.1", "-p", port, META_SPEC},
                   .ready_prefix = "Prism is listening on ",
                   .start_timeout = std::chrono::seconds(120)});
    ASSERT_TRUE(prism_->Start());
    MetaTestDomain domain;
    domain.base_url = prism_->base_url();
    domain.timeout_ms = 10'000;  // Prism answers slowly at first
    MetaTestDispatch dispatch;
    dispatch.max_attempts = 1;  // a rejection must show, not be retried away
    gateway_ = std::make_unique<GatewayProcess>(
        MetaTestConfig(domain, dispatch) +
        "\n[webhooks.meta]\nverify_token_file = \"verify_token.txt\"\n"
        "app_secret_file = \"app_secret.txt\"\n");
    ASSERT_TRUE(WriteTokenFile(*gateway_, "conformance-token"));
    ASSERT_TRUE(WriteTokenFile(*gateway_, "verify", "verify_token.txt"));
    ASSERT_TRUE(WriteTokenFile(*gateway_, kAppSecret, "app_secret.txt"));
    ASSERT_TRUE(gateway_->Start());
    OpenCustomerWindow();
  }

  // The customer writes to the business number (a signed `messages` webhook), and the window
  // is open once a text is no longer refused for it: polled with a text, which is sent (to
  // Prism, another conformant payload) once it opens; each refusal stores and sends nothing.
  static void OpenCustomerWindow() {
    webhooks::InboundNotice notice;
    notice.waba_id = "102290129340398";
    notice.phone_number_id = std::string(kTestPhoneNumberId);
    notice.display_phone_number = "3902124122690";
    notice.message_id = "wamid.conformance-inbound";
    notice.from = "393403603062";
    notice.name = "Mario";
    notice.at_unix_seconds = std::time(nullptr);
    notice.text = "Ciao";
    const std::string body = webhooks::BuildInboundNotification(notice);
    HttpClient client;
    HttpRequest post;
    post.method = "POST";
    post.url = gateway_->base_url() + "/webhooks/meta";
    post.headers = {{"Content-Type", "application/json"},
                    {"X-Hub-Signature-256", HubSignature(kAppSecret, body)}};
    post.body = body;
    const HttpResponse posted = client.Send(post);
    ASSERT_EQ(posted.status, 200) << posted.Describe();
    const json probe = {{"customerPhoneNumber", "393403603062"},
                        {"servicePhoneNumber", "3902124122690"},
                        {"text", "Ciao Mario, come possiamo aiutarla?"}};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::string last;
    while (std::chrono::steady_clock::now() < deadline) {
      const HttpResponse r = client.PostJson(
          gateway_->base_url() + "/livechat/default/sendExternalMessageToCtlivesocial",
          probe.dump(), kDemo);
      last = r.Describe();
      if (r.status != 422) {
        EXPECT_EQ(r.status, 200) << last;
        return;
      }
      EXPECT_NE(r.body.find("last 24 h"), std::string::npos) << last;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "the customer's window did not open: " << last;
  }

  static void TearDownTestSuite() {
    gateway_.reset();
    prism_.reset();
  }

  void SetUp() override {
    if (!prism_ || !prism_->running() || !gateway_ || !gateway_->running()) {
      GTEST_SKIP() << "Prism or the gateway did not start (see SetUpTestSuite)";
    }
  }

  // Sends `body` through the gateway (to `method`, the template send by default) and expects
  // Prism (as Meta) to have accepted it.
  void ExpectAccepted(const json& body,
                      std::string_view method = "sendExternalTemplateMessageToCtlivesocial") {
    const HttpResponse r = client_.PostJson(
        gateway_->base_url() + "/livechat/default/" + std::string(method), body.dump(), kDemo);
    EXPECT_EQ(r.status, 200) << r.Describe() << "\nPrism log:\n" << PrismValidationLines();
    const json answer = r.Json();
    EXPECT_EQ(answer.value("status", ""), "accepted") << r.Describe();
    EXPECT_EQ(answer.value("providerMessageId", "").rfind("wamid.", 0), 0u) << r.Describe();
  }

  // Lines of Prism's output that report a validation problem.
  static std::string PrismValidationLines() {
    std::string out;
    std::istringstream in(prism_->StdoutText() + prism_->ReadStderrLog());
    for (std::string line; std::getline(in, line);) {
      if (line.find("\u2716") != std::string::npos || line.find("Violation") != std::string::npos ||
          line.find("violation") != std::string::npos) {
        out += line + "\n";
      }
    }
    return out;
  }

  static json WithMedia(const std::string& type, const std::string& bytes,
                        const std::string& extension, const std::string& file_name) {
    json body = SeedRequest();
    body["header"] = {{"type", type},
                      {"data", core::testing::Base64(bytes)},
                      {"documentType", extension},
                      {"fileName", file_name}};
    body["headerData"] = json::array();
    return body;
  }

  // Posts the provider's payload of `message`, built from the template `listing_entry` of Meta's
  // listing as the catalog reads it, to Prism as the provider would, expecting it accepted.
  void ExpectPrismAccepts(const std::string& listing_entry, const core::OutboundMessage& message) {
    auto page = templates::ReadTemplatePage(R"({"data":[)" + listing_entry + "]}");
    ASSERT_TRUE(page) << page.error().message;
    ASSERT_EQ(page->templates.size(), 1u) << listing_entry;
    HttpRequest request;
    request.method = "POST";
    request.url = prism_->base_url() + "/v23.0/106540352242922/messages";
    request.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer t"}};
    const std::string payload =
        providers::meta::BuildPayload(message, "", "msg-shaped", &page->templates[0]);
    request.body = payload;
    const HttpResponse r = client_.Send(request);
    EXPECT_EQ(r.status, 200) << payload << "\n" << r.Describe();
    last_payload_ = json::parse(payload);
  }

  static core::OutboundMessage Message(std::string name, std::vector<std::string> header,
                                       std::vector<std::string> body,
                                       std::vector<std::string> urls) {
    core::OutboundMessage m;
    m.customer_phone = "393403603062";
    m.service_phone = "3902124122690";
    core::TemplateContent t;
    t.template_name = std::move(name);
    t.language = "en_GB";
    t.header_params = std::move(header);
    t.body_params = std::move(body);
    t.url_params = std::move(urls);
    m.content = std::move(t);
    return m;
  }

  static std::unique_ptr<ServerProcess> prism_;
  static std::unique_ptr<GatewayProcess> gateway_;
  HttpClient client_;
  json last_payload_;
};

std::unique_ptr<ServerProcess> ConformanceTest::prism_;
std::unique_ptr<GatewayProcess> ConformanceTest::gateway_;

TEST_F(ConformanceTest, SeedExample) { ExpectAccepted(SeedRequest()); }

TEST_F(ConformanceTest, NoParametersAtAll) {
  json body = SeedRequest();
  body["headerData"] = json::array();
  body["bodyData"] = json::array();
  body["dynamicUrl"] = json::array();
  ExpectAccepted(body);
}

TEST_F(ConformanceTest, BodyOnly) {
  json body = SeedRequest();
  body["headerData"] = json::array();
  body["bodyData"] = {"Priya", "Tue 10:00-12:00", "ORD-9931"};
  body["dynamicUrl"] = json::array();
  ExpectAccepted(body);
}

TEST_F(ConformanceTest, TextHeader) {
  json body = SeedRequest();
  body["dynamicUrl"] = json::array();
  ExpectAccepted(body);
}

TEST_F(ConformanceTest, ImageHeader) {
  ExpectAccepted(WithMedia("image", core::testing::TinyPng(), "png", "logo.png"));
}

TEST_F(ConformanceTest, JpegImageHeader) {
  ExpectAccepted(WithMedia("image", core::testing::TinyJpeg(), "jpg", "photo.jpg"));
}

TEST_F(ConformanceTest, VideoHeader) {
  ExpectAccepted(WithMedia("video", core::testing::TinyMp4(), "mp4", "clip.mp4"));
}

TEST_F(ConformanceTest, DocumentHeader) {
  ExpectAccepted(WithMedia("document", core::testing::TinyPdf(), "pdf", "invoice-42.pdf"));
}

TEST_F(ConformanceTest, SeveralUrlButtons) {
  json body = SeedRequest();
  body["dynamicUrl"] = {"track/ORD-9931", "invoice/ORD-9931"};
  ExpectAccepted(body);
}

TEST_F(ConformanceTest, EverythingTogether) {
  json body = WithMedia("document", core::testing::TinyPdf(), "pdf", "invoice.pdf");
  body["bodyData"] = {"Priya", "5"};
  body["dynamicUrl"] = {"a/1", "b/2"};
  ExpectAccepted(body);
}

// The payloads built from a template's real shape (issue 18), by the provider's own builder
// from the template as the catalog reader reads Meta's listing, posted to Prism as the provider
// posts them: a URL button after two quick replies (index 2), and a NAMED template (each value
// with its parameter_name). Through the gateway these need a catalog synchronised from a Graph
// that Prism is not (tests/integration/templates_test.cpp runs them against fake-graph).

TEST_F(ConformanceTest, ShapedUrlButtonAfterTwoQuickReplies) {
  ExpectPrismAccepts(
      R"({"name":"shipping_confirmation","language":"en_GB","status":"APPROVED","components":[)"
      R"({"type":"HEADER","format":"TEXT","text":"Hello {{1}}"},)"
      R"({"type":"BODY","text":"Your order ships in {{1}} days."},{"type":"BUTTONS","buttons":[)"
      R"({"type":"QUICK_REPLY","text":"Thanks"},{"type":"QUICK_REPLY","text":"Stop"},)"
      R"({"type":"URL","text":"Track","url":"https://example.com/{{1}}"}]}]})",
      Message("shipping_confirmation", {"Griffin"}, {"5"}, {"contact-highway/"}));
  EXPECT_EQ(last_payload_["template"]["components"][2]["index"], "2");
}

TEST_F(ConformanceTest, ShapedNamedTemplate) {
  ExpectPrismAccepts(
      R"({"name":"order_named","language":"en_GB","status":"APPROVED",)"
      R"("parameter_format":"NAMED","components":[)"
      R"({"type":"HEADER","format":"TEXT","text":"Hi {{first_name}}"},)"
      R"({"type":"BODY","text":"Order {{order_id}} ships in {{days}} days."},)"
      R"({"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Thanks"},)"
      R"({"type":"URL","text":"Track","url":"https://example.com/{{order_id}}"}]}]})",
      Message("order_named", {"Griffin"}, {"A-1042", "5"}, {"A-1042"}));
  const json& components = last_payload_["template"]["components"];
  EXPECT_EQ(components[1]["parameters"][1]["parameter_name"], "days");
  EXPECT_EQ(components[2]["index"], "1");
}

// The free-form kinds through the gateway (issue 19): a text, an image and a document, each
// file uploaded to Prism first and sent by the id it answers.

TEST_F(ConformanceTest, FreeText) {
  ExpectAccepted({{"customerPhoneNumber", "393403603062"},
                  {"servicePhoneNumber", "3902124122690"},
                  {"text", "Messaggio da external ws\nhttps://example.com/ordini/42"}},
                 "sendExternalMessageToCtlivesocial");
}

json MediaMessage(const std::string& type, const std::string& bytes, const std::string& file_name) {
  return {{"customerPhoneNumber", "393403603062"},
          {"servicePhoneNumber", "3902124122690"},
          {"document", core::testing::Base64(bytes)},
          {"messageType", type},
          {"fileName", file_name}};
}

TEST_F(ConformanceTest, ImageMessage) {
  ExpectAccepted(MediaMessage("IMAGE", core::testing::TinyPng(), "infobip-logo.png"),
                 "sendExternalMultimediaMessageToCtlivesocial");
}

TEST_F(ConformanceTest, DocumentMessage) {
  ExpectAccepted(MediaMessage("DOCUMENT", core::testing::TinyPdf(), "invoice-42.pdf"),
                 "sendExternalMultimediaMessageToCtlivesocial");
}

// After the sends above (tests run in the order they are defined): none of them drew a
// complaint from Prism.
TEST_F(ConformanceTest, PrismLoggedNoViolations) { EXPECT_EQ(PrismValidationLines(), ""); }

// The control, last so its violation stays out of the check above: Prism does reject what
// breaks Meta's spec (here: no language policy), so the tests above could fail.
TEST_F(ConformanceTest, PrismRejectsAMessageThatBreaksTheSpec) {
  const json bad = {{"messaging_product", "whatsapp"},
                    {"recipient_type", "individual"},
                    {"to", "+393403603062"},
                    {"type", "template"},
                    {"template", {{"name", "x"}, {"language", {{"code", "en"}}}}}};
  HttpRequest request;
  request.method = "POST";
  request.url = prism_->base_url() + "/v23.0/106540352242922/messages";
  request.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer t"}};
  request.body = bad.dump();
  const HttpResponse r = client_.Send(request);
  EXPECT_EQ(r.status, 422) << r.Describe();
  EXPECT_NE(r.body.find("policy"), std::string::npos) << r.Describe();
}

// Likewise for the new kinds: a text whose `text` is a string, not Meta's object, and an image
// given by both id and link, are refused, so FreeText and ImageMessage could fail.
TEST_F(ConformanceTest, PrismRejectsTextAndImageMessagesOfTheWrongShape) {
  const json base = {
      {"messaging_product", "whatsapp"}, {"recipient_type", "individual"}, {"to", "+393403603062"}};
  json text = base;
  text["type"] = "text";
  text["text"] = "hello";
  json image = base;
  image["type"] = "image";
  image["image"] = {{"id", "1"}, {"link", "https://example.com/a.png"}};
  for (const json& bad : {text, image}) {
    HttpRequest request;
    request.method = "POST";
    request.url = prism_->base_url() + "/v23.0/106540352242922/messages";
    request.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer t"}};
    request.body = bad.dump();
    const HttpResponse r = client_.Send(request);
    EXPECT_EQ(r.status, 422) << bad.dump() << "\n" << r.Describe();
  }
}

}  // namespace
}  // namespace socialgate::testing
