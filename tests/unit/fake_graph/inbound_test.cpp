// POST /_fake/inbound: a customer's message posted as Meta's signed `messages` webhook, in
// Meta's exact shape for each type, which the gateway's own parser reads back; and every way
// the control body can be refused.
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "capturing_poster.hpp"
#include "fake-graph/fake_graph.hpp"
#include "fake-graph/inbound_message.hpp"
#include "fake-graph/text_util.hpp"
#include "fake-graph/webhook_body.hpp"
#include "support/eventually.hpp"
#include "test_support.hpp"
#include "webhooks/meta_notification.hpp"

namespace socialgate::fake_graph {
namespace {

using namespace test_support;  // NOLINT: the test helpers
using nlohmann::json;

Options InboundOptions(bool with_target) {
  auto options = TestOptions();
  WebhookOptions hooks;
  if (with_target) {
    hooks.url = "http://127.0.0.1:9/webhooks/meta";
    hooks.app_secret = "test-app-secret";
  }
  options.webhooks = std::move(hooks);
  return options;
}

http::HttpResponse PostInbound(FakeGraph& graph, const json& body) {
  return Call(graph, Request("POST", "/_fake/inbound", body.dump(), "application/json"));
}

// `j` with the members of `extra` set.
json With(json j, const json& extra) {
  j.update(extra);
  return j;
}

json Mario(const std::string& type) {
  return {{"phone_number_id", "106540352242922"},
          {"from", "393403603062"},
          {"name", "Mario"},
          {"type", type},
          {"timestamp", 1750030073}};
}

TEST(InboundTest, TheWebhookBodyIsMetasShape) {
  InboundMessage message;
  message.phone_number_id = "106540352242922";
  message.from = "393403603062";
  message.name = "Mario";
  message.type = "text";
  message.text = "hello";
  message.context_id = "wamid.OUT1";
  InboundEvent event{"102290129340398", "wamid.IN1", 1750030073, "", ""};
  EXPECT_EQ(InboundWebhookBody(message, event),
            R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398",)"
            R"("changes":[{"value":{"messaging_product":"whatsapp","metadata":{)"
            R"("display_phone_number":"15552242922","phone_number_id":"106540352242922"},)"
            R"("contacts":[{"profile":{"name":"Mario"},"wa_id":"393403603062"}],)"
            R"("messages":[{"from":"393403603062","id":"wamid.IN1","timestamp":"1750030073",)"
            R"("type":"text","text":{"body":"hello"},)"
            R"("context":{"from":"15552242922","id":"wamid.OUT1"}}]},"field":"messages"}]}]})");

  message.type = "image";
  message.text = "a cat";
  message.context_id.clear();
  message.media = InboundMedia{"image/jpeg", "", "abc"};
  event.media_id = "1000000000000001";
  event.media_sha256 = Sha256Base64("abc");
  const json image = json::parse(InboundWebhookBody(message, event));
  EXPECT_EQ(image["entry"][0]["changes"][0]["value"]["messages"][0]["image"],
            json::parse(R"({"caption":"a cat","mime_type":"image/jpeg",)"
                        R"("sha256":"ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=",)"
                        R"("id":"1000000000000001"})"));
  EXPECT_FALSE(image["entry"][0]["changes"][0]["value"]["messages"][0].contains("context"));
}

TEST(InboundTest, PostsOneSignedWebhookAndAnswersItsWamid) {
  auto log = std::make_shared<PostLog>();
  auto options = InboundOptions(true);
  options.waba_id = "555";
  FakeGraph graph(options, std::make_unique<CapturingPoster>(log));
  auto body = Mario("text");
  body["text"] = "hello";
  body["context_id"] = "wamid.OUT1";
  const auto r = PostInbound(graph, body);
  ASSERT_EQ(r.status, 200u) << r.body;
  const json answer = Json(r);
  const std::string wamid = answer["wamid"];
  EXPECT_EQ(wamid.rfind("wamid.", 0), 0u);
  EXPECT_EQ(answer["timestamp"], 1750030073);
  EXPECT_EQ(answer["webhook_queued"], true);
  EXPECT_FALSE(answer.contains("media_id"));

  ASSERT_TRUE(support::Eventually([&] { return log->size() == 1; }));
  const auto post = log->Copy()[0].post;
  EXPECT_EQ(post.url, "http://127.0.0.1:9/webhooks/meta");
  EXPECT_EQ(post.signature, HubSignature256("test-app-secret", post.body));
  EXPECT_EQ(json::parse(post.body)["entry"][0]["id"], "555");
  // The gateway's reader takes it as the message it is.
  const auto n = webhooks::ParseMetaNotification(post.body);
  EXPECT_TRUE(n.ignored.empty());
  ASSERT_EQ(n.inbound.size(), 1u);
  EXPECT_EQ(n.inbound[0].phone_number_id, "106540352242922");
  const store::InboundRecord& record = n.inbound[0].record;
  EXPECT_EQ(record.id, wamid);
  EXPECT_EQ(record.customer_phone, "393403603062");
  EXPECT_EQ(record.customer_name, "Mario");
  EXPECT_EQ(record.at_ms, 1'750'030'073'000);
  EXPECT_EQ(record.text, "hello");
  EXPECT_EQ(record.context_id, "wamid.OUT1");
  EXPECT_TRUE(support::Eventually(
      [&] { return Json(Call(graph, Request("GET", "/_fake/webhooks")))["answered_2xx"] == 1; }));
}

TEST(InboundTest, EachTypeReadsBackAsItWasMade) {
  auto log = std::make_shared<PostLog>();
  FakeGraph graph(InboundOptions(true), std::make_unique<CapturingPoster>(log));
  const json media = {{"mime_type", "application/pdf"},
                      {"file_name", "receipt.pdf"},
                      {"bytes_base64", "JVBERi0xLjQK"}};
  struct Case {
    std::string type;
    json extra;
    std::string text;     // what the gateway reads as its text
    std::string context;  // and as its context id
  };
  const Case cases[] = {
      {"text", {{"text", "ciao"}}, "ciao", ""},
      {"image",
       {{"text", "a cat"}, {"media", {{"mime_type", "image/jpeg"}, {"bytes_base64", "/9j/"}}}},
       "a cat",
       ""},
      {"video", {{"media", {{"mime_type", "video/mp4"}, {"bytes_base64", "AAAA"}}}}, "", ""},
      {"audio",
       {{"media", {{"mime_type", "audio/ogg; codecs=opus"}, {"bytes_base64", "T2dn"}}}},
       "",
       ""},
      {"document", {{"text", "the receipt"}, {"media", media}}, "the receipt", ""},
      {"sticker", {{"media", {{"mime_type", "image/webp"}, {"bytes_base64", "UklG"}}}}, "", ""},
      {"location",
       {{"latitude", 45.4642},
        {"longitude", 9.19},
        {"text", "Duomo"},
        {"address", "Piazza del Duomo, Milano"}},
       "Duomo, Piazza del Duomo, Milano",
       ""},
      {"button",
       {{"text", "Stop"}, {"payload", "STOP"}, {"context_id", "wamid.T"}},
       "Stop",
       "wamid.T"},
      {"interactive",
       {{"text", "Cancel"}, {"reply_id", "cancel"}, {"context_id", "wamid.Q"}},
       "Cancel",
       "wamid.Q"},
      {"interactive", {{"text", "Express"}, {"interactive_type", "list_reply"}}, "Express", ""},
      {"reaction",
       {{"text", "\xF0\x9F\x91\x8D"}, {"context_id", "wamid.R"}},
       "\xF0\x9F\x91\x8D",
       "wamid.R"},
      {"unsupported", json::object(), "Message type unknown", ""},
  };
  std::size_t posted = 0;
  for (const Case& c : cases) {
    json body = Mario(c.type);
    body.update(c.extra);
    const auto r = PostInbound(graph, body);
    ASSERT_EQ(r.status, 200u) << c.type << ": " << r.body;
    ASSERT_TRUE(support::Eventually([&] { return log->size() == posted + 1; })) << c.type;
    const auto post = log->Copy()[posted++].post;
    const auto n = webhooks::ParseMetaNotification(post.body);
    EXPECT_TRUE(n.ignored.empty()) << c.type << ": " << n.ignored.front();
    ASSERT_EQ(n.inbound.size(), 1u) << c.type;
    const store::InboundRecord& record = n.inbound[0].record;
    EXPECT_EQ(record.type, c.type);
    EXPECT_EQ(record.text, c.text) << c.type;
    EXPECT_EQ(record.context_id, c.context) << c.type;
    if (IsMediaType(c.type)) {
      EXPECT_EQ(record.media_id, Json(r)["media_id"]) << c.type;
      EXPECT_FALSE(record.mime_type.empty()) << c.type;
    }
    if (c.type == "document") {
      EXPECT_EQ(record.file_name, "receipt.pdf");
    }
    if (c.type == "button") {
      EXPECT_NE(record.payload.find("\"payload\":\"STOP\""), std::string::npos);
    }
    if (c.type == "interactive" && c.context == "wamid.Q") {
      EXPECT_NE(record.payload.find(R"("button_reply":{"id":"cancel")"), std::string::npos);
    }
  }
}

TEST(InboundTest, WithoutATargetNothingIsPostedAndTheAnswerSaysWhy) {
  FakeGraph no_target(InboundOptions(false),
                      std::make_unique<CapturingPoster>(std::make_shared<PostLog>()));
  auto body = Mario("text");
  body["text"] = "hello";
  auto r = PostInbound(no_target, body);
  EXPECT_EQ(r.status, 409u);
  EXPECT_EQ(Json(r)["error"],
            "no webhook target to post the message to: set one with --webhook-url or PUT "
            "/_fake/webhooks first");
  FakeGraph no_webhooks(TestOptions());
  EXPECT_EQ(PostInbound(no_webhooks, body).status, 409u);
  EXPECT_EQ(Call(no_webhooks, Request("GET", "/_fake/inbound")).status, 405u);
}

TEST(InboundTest, ABadBodyIsRefusedWithASentence) {
  FakeGraph graph(InboundOptions(true),
                  std::make_unique<CapturingPoster>(std::make_shared<PostLog>()));
  const auto refused = [&](json body) {
    const auto r = PostInbound(graph, body);
    EXPECT_EQ(r.status, 400u) << body.dump();
    return r.status == 400u ? Json(r)["error"].get<std::string>() : std::string();
  };
  json text = Mario("text");
  text["text"] = "hi";
  EXPECT_EQ(refused(With(text, {{"colour", "red"}})), "unknown field 'colour'");
  EXPECT_EQ(refused(With(text, {{"from", "+39 340"}})),
            "from must be 7 to 15 digits, country code first (393403603062)");
  EXPECT_EQ(refused(With(text, {{"type", "poll"}})),
            "type must be text, image, video, audio, document, sticker, location, button, "
            "interactive, reaction or unsupported");
  EXPECT_EQ(refused(Mario("text")), "text is required for a text");
  EXPECT_EQ(refused(With(Mario("reaction"), {{"text", "x"}})),
            "context_id (the wamid reacted to) is required for a reaction");
  EXPECT_EQ(refused(Mario("image")),
            "media {\"mime_type\",\"file_name\",\"bytes_base64\"} is required for a image");
  EXPECT_EQ(refused(With(text, {{"media", {{"mime_type", "a/b"}}}})),
            "media is for image, video, audio, document and sticker");
  EXPECT_EQ(
      refused(With(Mario("image"),
                   {{"media", {{"mime_type", "image/png"}, {"bytes_base64", "not base64!"}}}})),
      "media.bytes_base64 must be standard base64 of at least one byte");
  EXPECT_EQ(refused(With(Mario("location"), {{"latitude", 100}, {"longitude", 0}})),
            "latitude must be within -90..90 and longitude within -180..180");
  EXPECT_EQ(refused(With(text, {{"payload", "P"}})), "payload is for a button only");
  EXPECT_EQ(refused(With(text, {{"timestamp", -1}})),
            "timestamp must be Unix seconds (an integer from 0)");
  const auto r = Call(graph, Request("POST", "/_fake/inbound", "[1]", "application/json"));
  EXPECT_EQ(Json(r)["error"], "the body must be a JSON object");
}

TEST(InboundTest, Base64DecodesWithAndWithoutPadding) {
  EXPECT_EQ(Base64Decode("aGVsbG8="), "hello");
  EXPECT_EQ(Base64Decode("aGVsbG8"), "hello");
  EXPECT_EQ(Base64Decode("aGk="), "hi");
  EXPECT_EQ(Base64Decode("+/8="), std::string("\xFB\xFF"));
  EXPECT_EQ(Base64Decode(""), "");
  EXPECT_FALSE(Base64Decode("a"));
  EXPECT_FALSE(Base64Decode("aGk-"));
  EXPECT_FALSE(Base64Decode("aG k="));
}

}  // namespace
}  // namespace socialgate::fake_graph
