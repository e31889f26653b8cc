// The two-way conversation against the real binary (issue 19): the customer-service window a
// customer's message opens (free-form sends refused outside it, with when it closed; templates
// always allowed), reopened by the next message; chats that the messages of both ways share;
// and the sandbox's simulated customers. With the sandbox, and with the Meta provider whose
// customers write through tools/fake-graph's signed webhooks.
#include <chrono>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/sample_media.hpp"
#include "customer_window.hpp"
#include "fake_graph_process.hpp"
#include "gateway_process.hpp"
#include "http_client.hpp"
#include "meta_test_config.hpp"
#include "util/ids.hpp"

namespace socialgate::testing {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kNumber = "3902124122690";
const Credentials kDemo{"demo", std::string(kTestPassword)};

Json TextTo(std::string_view customer, std::string text = "Grazie, arriva domani") {
  return {{"customerPhoneNumber", customer},
          {"servicePhoneNumber", kNumber},
          {"text", std::move(text)}};
}

std::string NeverWrote(std::string_view customer) {
  return "customerPhoneNumber: no message from " + std::string(customer) +
         " in the last 24 h (the customer has never written to " + std::string(kNumber) +
         "): a free-form message may only answer a customer within 24 hours of their last "
         "message; send a template";
}

// ---- With the sandbox ------------------------------------------------------------------------

class ConversationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    gateway_ = new GatewayProcess(TestConfig({
        {.name = "default", .user = "demo", .number = std::string(kNumber), .ack = "stored"},
        {.name = "acme", .user = "acme", .number = "3902124122691", .ack = "stored"},
    }));
    ASSERT_TRUE(gateway_->Start());
  }
  static void TearDownTestSuite() {
    delete gateway_;
    gateway_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(gateway_ != nullptr && gateway_->running()); }

  static std::string Url(std::string_view method) {
    return gateway_->base_url() + "/livechat/default/" + std::string(method);
  }
  HttpResponse SendText(const Json& body) {
    return client_.PostJson(Url("sendExternalMessageToCtlivesocial"), body.dump(), kDemo);
  }
  // The chat of a message the gateway answered for.
  std::string ChatOf(const HttpResponse& answer) {
    const std::string id = answer.Json().value("messageId", "");
    const HttpResponse r = client_.Get(Url("messages/" + id), kDemo);
    EXPECT_EQ(r.status, 200) << r.Describe();
    const Json j = r.Json();
    return j.is_object() && j["chatId"].is_string() ? j["chatId"].get<std::string>() : "";
  }

  static GatewayProcess* gateway_;
  HttpClient client_;
};

GatewayProcess* ConversationTest::gateway_ = nullptr;

TEST_F(ConversationTest, AFreeFormSendToACustomerWhoNeverWroteIsRefusedATemplateIsNot) {
  const std::string customer = "393403600001";
  EXPECT_TRUE(IsError(SendText(TextTo(customer)), 422, NeverWrote(customer)));
  const Json image = {{"customerPhoneNumber", customer},
                      {"servicePhoneNumber", kNumber},
                      {"document", core::testing::Base64(core::testing::TinyPng())},
                      {"messageType", "IMAGE"},
                      {"fileName", "a.png"}};
  EXPECT_TRUE(IsError(
      client_.PostJson(Url("sendExternalMultimediaMessageToCtlivesocial"), image.dump(), kDemo),
      422, NeverWrote(customer)));
  Json seed = SeedRequest(kNumber);
  seed["customerPhoneNumber"] = customer;
  const HttpResponse tmpl =
      client_.PostJson(Url("sendExternalTemplateMessageToCtlivesocial"), seed.dump(), kDemo);
  EXPECT_EQ(tmpl.status, 202) << tmpl.Describe();
}

TEST_F(ConversationTest, TheCustomersMessageOpensTheWindowAndTheRepliesJoinItsChat) {
  const std::string customer = "393403600002";
  // A template first (always allowed): it opens the chat.
  Json seed = SeedRequest(kNumber);
  seed["customerPhoneNumber"] = customer;
  const HttpResponse tmpl =
      client_.PostJson(Url("sendExternalTemplateMessageToCtlivesocial"), seed.dump(), kDemo);
  ASSERT_EQ(tmpl.status, 202) << tmpl.Describe();
  const std::string chat = ChatOf(tmpl);
  EXPECT_EQ(chat.rfind("CHAT_DEFAULT_", 0), 0u) << chat;
  EXPECT_TRUE(IsError(SendText(TextTo(customer)), 422, NeverWrote(customer)));

  // The customer answers; once that is answered, the window is open.
  const HttpResponse wrote = PostSandboxCustomerMessage(client_, gateway_->base_url(), "default",
                                                        kDemo, kNumber, customer, "Quando?");
  EXPECT_EQ(wrote.Json().value("messageId", "").rfind("sandbox.in.", 0), 0u) << wrote.Describe();
  const HttpResponse reply = SendText(TextTo(customer));
  ASSERT_EQ(reply.status, 202) << reply.Describe();
  EXPECT_EQ(ChatOf(reply), chat) << "the template, the customer's message and the reply";
  const HttpResponse again = SendText(TextTo(customer, "Domani mattina"));
  ASSERT_EQ(again.status, 202) << again.Describe();
  EXPECT_EQ(ChatOf(again), chat);

  // Another customer's window is theirs.
  EXPECT_TRUE(IsError(SendText(TextTo("393403600003")), 422, NeverWrote("393403600003")));
}

TEST_F(ConversationTest, TheSandboxCustomerEndpointRefusesWhatASendWouldAndMore) {
  const std::string url = gateway_->base_url() + "/livechat/default/sandbox/inboundMessage";
  const auto post = [&](const Json& body) { return client_.PostJson(url, body.dump(), kDemo); };
  EXPECT_TRUE(
      IsError(post({{"customerPhoneNumber", "393403600004"}, {"servicePhoneNumber", kNumber}}), 400,
              "text: is required"));
  EXPECT_TRUE(IsError(post(TextTo("12")), 422, "customerPhoneNumber:"));
  EXPECT_TRUE(IsError(post(TextTo("393403600004", "")), 422, "text: must not be empty"));
  Json other = TextTo("393403600004");
  other["servicePhoneNumber"] = "3902124122691";
  EXPECT_TRUE(IsError(post(other), 403,
                      "servicePhoneNumber: 3902124122691 is not a business number of domain "
                      "'default'"));
  EXPECT_TRUE(IsError(
      client_.PostJson(url, TextTo("393403600004").dump(), Credentials{"demo", "wrong-password"}),
      401, ""));
  // None of them opened a window.
  EXPECT_TRUE(IsError(SendText(TextTo("393403600004")), 422, NeverWrote("393403600004")));
}

TEST_F(ConversationTest, AnActiveChatTakesTextsUntilItIsEndedAndTheNextMessageOpensAnother) {
  const std::string customer = "393403600020";
  PostSandboxCustomerMessage(client_, gateway_->base_url(), "default", kDemo, kNumber, customer);
  const HttpResponse first = SendText(TextTo(customer));
  ASSERT_EQ(first.status, 202) << first.Describe();
  const std::string chat = first.Json().value("chatId", "");
  ASSERT_EQ(chat.rfind("CHAT_DEFAULT_", 0), 0u) << first.Describe();
  EXPECT_EQ(ChatOf(first), chat);

  // CTLive's example shape, into that chat.
  const Json into = {{"userid", customer},
                     {"serviceid", kNumber},
                     {"chatid", chat},
                     {"text", "message from external web service"}};
  const std::string chat_url = Url("sendExternalTextMessageToActiveChat");
  const HttpResponse sent = client_.PostJson(chat_url, into.dump(), kDemo);
  ASSERT_EQ(sent.status, 202) << sent.Describe();
  EXPECT_EQ(sent.Json().value("chatId", ""), chat);
  const HttpResponse read =
      client_.Get(Url("messages/" + sent.Json().value("messageId", "")), kDemo);
  EXPECT_EQ(read.Json().value("messageType", ""), "TEXT") << read.Describe();
  EXPECT_EQ(read.Json().value("text", ""), "message from external web service");

  // Refusals name CTLive's fields.
  Json unknown = into;
  unknown["chatid"] = "CHAT_DEFAULT_00000000-0000-0000-0000-000000000000";
  EXPECT_TRUE(IsError(client_.PostJson(chat_url, unknown.dump(), kDemo), 404,
                      "chatid: there is no chat 'CHAT_DEFAULT_00000000-0000-0000-0000-"
                      "000000000000' in this domain"));
  Json other_customer = into;
  other_customer["userid"] = "393403600021";
  EXPECT_TRUE(IsError(client_.PostJson(chat_url, other_customer.dump(), kDemo), 422,
                      "chatid: chat '" + chat + "' is between " + std::string(kNumber) + " and " +
                          customer + ", not " + std::string(kNumber) +
                          " (serviceid) and 393403600021 (userid)"));
  Json bad_user = into;
  bad_user["userid"] = "12";
  EXPECT_TRUE(IsError(client_.PostJson(chat_url, bad_user.dump(), kDemo), 422, "userid:"));
  Json no_chat = into;
  no_chat.erase("chatid");
  EXPECT_TRUE(
      IsError(client_.PostJson(chat_url, no_chat.dump(), kDemo), 400, "chatid: is required"));
  Json spaced = into;
  spaced["chatid"] = "CHAT DEFAULT";
  EXPECT_TRUE(IsError(client_.PostJson(chat_url, spaced.dump(), kDemo), 422, "chatid: must be"));

  // The agent ends the contact.
  const std::string end_url = Url("endContactByChatID");
  const Json end = {{"chatID", chat}, {"reason", "success"}};
  const HttpResponse ended = client_.PostJson(end_url, end.dump(), kDemo);
  ASSERT_EQ(ended.status, 200) << ended.Describe();
  EXPECT_EQ(ended.Json().value("chatId", ""), chat);
  EXPECT_EQ(ended.Json().value("reason", ""), "success");
  EXPECT_FALSE(ended.Json().value("endedAt", "").empty());
  EXPECT_TRUE(IsError(client_.PostJson(end_url, end.dump(), kDemo), 409,
                      "chatID: chat '" + chat + "' had already ended at "));
  EXPECT_TRUE(IsError(client_.PostJson(chat_url, into.dump(), kDemo), 409,
                      "chatid: chat '" + chat + "' ended at "));
  EXPECT_TRUE(
      IsError(client_.PostJson(end_url, unknown.dump(), kDemo), 400, "chatID: is required"));
  EXPECT_TRUE(
      IsError(client_.PostJson(
                  end_url, Json{{"chatID", "CHAT_DEFAULT_nope"}, {"reason", "x"}}.dump(), kDemo),
              404, "chatID: there is no chat"));
  // Another domain's user does not find it.
  EXPECT_TRUE(IsError(client_.PostJson(gateway_->base_url() + "/livechat/acme/endContactByChatID",
                                       end.dump(), Credentials{"acme", std::string(kTestPassword)}),
                      404, "chatID: there is no chat"));

  // The customer's window is still open: the next message opens a new chat.
  const HttpResponse next = SendText(TextTo(customer, "Ci sentiamo"));
  ASSERT_EQ(next.status, 202) << next.Describe();
  const std::string new_chat = next.Json().value("chatId", "");
  EXPECT_EQ(new_chat.rfind("CHAT_DEFAULT_", 0), 0u);
  EXPECT_NE(new_chat, chat);
}

TEST_F(ConversationTest, TranscriptsShowBothWaysInOrderWithTheirOutcome) {
  const std::string customer = "393403600030";
  PostSandboxCustomerMessage(client_, gateway_->base_url(), "default", kDemo, kNumber, customer,
                             "Dov'\xC3\xA8 il mio ordine?");
  const HttpResponse text = SendText(TextTo(customer, "In consegna oggi"));
  ASSERT_EQ(text.status, 202) << text.Describe();
  const std::string chat = text.Json().value("chatId", "");
  const Json image_body = {{"customerPhoneNumber", customer},
                           {"servicePhoneNumber", kNumber},
                           {"document", core::testing::Base64(core::testing::TinyPng())},
                           {"messageType", "IMAGE"},
                           {"fileName", "ricevuta.png"}};
  const HttpResponse image = client_.PostJson(Url("sendExternalMultimediaMessageToCtlivesocial"),
                                              image_body.dump(), kDemo);
  ASSERT_EQ(image.status, 202) << image.Describe();
  const std::string image_id = image.Json().value("messageId", "");
  for (const std::string& id : {text.Json().value("messageId", ""), image_id}) {
    EXPECT_TRUE(
        WaitForMessageStatus(client_, gateway_->base_url(), "default", id, kDemo, "read").reached);
  }

  // The latest chat of the customer and number, as CTLive's Transcript.
  const HttpResponse last =
      client_.PostJson(gateway_->base_url() + "/livechat/default/getLastTranscript",
                       Json{{"userid", customer}, {"serviceid", kNumber}}.dump(), kDemo);
  ASSERT_EQ(last.status, 200) << last.Describe();
  const Json transcript = last.Json()["chatTranscript"];
  EXPECT_EQ(transcript["_id"], chat);
  EXPECT_EQ(transcript["room"], chat);
  EXPECT_EQ(transcript["ctlive_type"], "chat");
  EXPECT_EQ(transcript["isChatActive"], true);
  const Json& messages = transcript["messages"];
  ASSERT_EQ(messages.size(), 3u) << transcript.dump();
  EXPECT_EQ(messages[0]["data"]["messageType"], "TEXT");
  EXPECT_EQ(messages[0]["data"]["content"]["text"], "Dov'\xC3\xA8 il mio ordine?");
  EXPECT_EQ(messages[0]["data"]["content"]["user"]["isAgent"], false);
  EXPECT_EQ(messages[0]["data"]["content"]["user"]["id"], customer);
  EXPECT_EQ(messages[0]["data"]["deliverySuccess"], true);
  EXPECT_EQ(messages[1]["_id"], text.Json()["messageId"]);
  EXPECT_EQ(messages[1]["room"], chat);
  EXPECT_EQ(messages[1]["data"]["messageType"], "TEXT");
  EXPECT_EQ(messages[1]["data"]["content"]["text"], "In consegna oggi");
  EXPECT_EQ(messages[1]["data"]["content"]["user"]["isAgent"], true);
  EXPECT_EQ(messages[1]["data"]["deliverySuccess"], true);
  EXPECT_EQ(messages[1]["data"]["deliveryErrorReason"], "");
  EXPECT_EQ(messages[1]["data"]["status"], "read");
  EXPECT_EQ(messages[2]["data"]["messageType"], "IMAGE");
  EXPECT_EQ(messages[2]["data"]["content"]["fileName"], "ricevuta.png");
  EXPECT_LE(messages[0]["data"]["ts"].get<std::int64_t>(),
            messages[1]["data"]["ts"].get<std::int64_t>());
  EXPECT_LE(messages[1]["data"]["ts"].get<std::int64_t>(),
            messages[2]["data"]["ts"].get<std::int64_t>());

  // The image's file, by its id; a text has none.
  const HttpResponse file = client_.Get(Url("getMultimediaMessageByMessageID/" + image_id), kDemo);
  ASSERT_EQ(file.status, 200) << file.Describe();
  EXPECT_EQ(file.Json()["message"]["content"]["document"],
            core::testing::Base64(core::testing::TinyPng()));
  EXPECT_EQ(file.Json()["message"]["chatID"], chat);
  EXPECT_EQ(file.Json()["message"]["domain"], "DEFAULT");
  const HttpResponse no_file = client_.Get(
      Url("getMultimediaMessageByMessageID/" + text.Json().value("messageId", "")), kDemo);
  EXPECT_EQ(no_file.status, 404) << no_file.Describe();
  EXPECT_TRUE(no_file.Json().contains("message") && no_file.Json()["message"].is_null());

  // By chat: the contact's transcript while active; the chat's once it has ended.
  const HttpResponse contact = client_.Get(Url("getContactTranscriptByChatID/" + chat), kDemo);
  ASSERT_EQ(contact.status, 200) << contact.Describe();
  EXPECT_EQ(contact.Json()["isChatActive"], true);
  EXPECT_EQ(contact.Json()["chatTranscript"][0]["messages"].size(), 3u);
  EXPECT_TRUE(IsError(client_.Get(Url("getChatTranscriptByChatID/" + chat), kDemo), 409,
                      "is still active"));
  ASSERT_EQ(client_
                .PostJson(Url("endContactByChatID"),
                          Json{{"chatID", chat}, {"reason", "success"}}.dump(), kDemo)
                .status,
            200);
  const HttpResponse ended = client_.Get(Url("getChatTranscriptByChatID/" + chat), kDemo);
  ASSERT_EQ(ended.status, 200) << ended.Describe();
  EXPECT_EQ(ended.Json()["chatTranscripts"]["result"], true);
  EXPECT_EQ(ended.Json()["chatTranscripts"]["transcript"]["isChatActive"], false);
  EXPECT_EQ(ended.Json()["chatTranscripts"]["transcript"]["endReason"], "success");
  EXPECT_TRUE(IsError(client_.Get(Url("getChatTranscriptByChatID/CHAT_DEFAULT_none"), kDemo), 404,
                      "chatId: there is no chat"));

  // By user: a new chat after the end, newest first.
  const HttpResponse again = SendText(TextTo(customer, "Tutto bene?"));
  ASSERT_EQ(again.status, 202) << again.Describe();
  const HttpResponse by_user =
      client_.Get(Url("getChatTranscriptByUserID/" + customer + "?days=1"), kDemo);
  ASSERT_EQ(by_user.status, 200) << by_user.Describe();
  const Json chats = by_user.Json()["chatTranscript"];
  ASSERT_EQ(chats.size(), 2u) << chats.dump();
  EXPECT_EQ(chats[0]["_id"], again.Json()["chatId"]);
  EXPECT_EQ(chats[1]["_id"], chat);
  EXPECT_TRUE(IsError(client_.Get(Url("getChatTranscriptByUserID/" + customer + "?days=0"), kDemo),
                      422, "days: must be a whole number of days from 1 to 3650"));
  EXPECT_TRUE(IsError(client_.Get(Url("getChatTranscriptByUserID/" + customer + "?weeks=1"), kDemo),
                      400, "query: unknown parameter"));
  EXPECT_TRUE(IsError(client_.Get(Url("getChatTranscriptByUserID/12"), kDemo), 422, "userId:"));
  // Another domain sees none of it.
  const HttpResponse other =
      client_.Get(gateway_->base_url() + "/livechat/acme/getChatTranscriptByUserID/" + customer,
                  Credentials{"acme", std::string(kTestPassword)});
  ASSERT_EQ(other.status, 200) << other.Describe();
  EXPECT_TRUE(other.Json()["chatTranscript"].empty());
}

TEST_F(ConversationTest, ACustomerIsErasedOnRequestWhileTheGatewayServes) {
  const std::string customer = "393403600050";
  PostSandboxCustomerMessage(client_, gateway_->base_url(), "default", kDemo, kNumber, customer,
                             "Cancellate i miei dati");
  const HttpResponse reply = SendText(TextTo(customer, "Certo"));
  ASSERT_EQ(reply.status, 202) << reply.Describe();
  const std::string id = reply.Json().value("messageId", "");
  EXPECT_TRUE(
      WaitForMessageStatus(client_, gateway_->base_url(), "default", id, kDemo, "read").reached);
  // Someone else's conversation stays.
  const std::string other = "393403600051";
  PostSandboxCustomerMessage(client_, gateway_->base_url(), "default", kDemo, kNumber, other);

  std::string out;
  ASSERT_EQ(RunCommand(*gateway_,
                       "customers erase --domain default --phone +" + customer + " --json", out),
            0)
      << out;
  const Json erased = Json::parse(out, nullptr, false);
  ASSERT_TRUE(erased.is_object()) << out;
  EXPECT_EQ(erased["customerPhoneNumber"], customer);
  EXPECT_EQ(erased["messages"], 1);
  EXPECT_EQ(erased["inboundMessages"], 1);
  EXPECT_EQ(erased["chats"], 1);

  EXPECT_EQ(client_.Get(Url("messages/" + id), kDemo).status, 404);
  EXPECT_TRUE(
      IsError(client_.PostJson(gateway_->base_url() + "/livechat/default/getLastTranscript",
                               Json{{"userid", customer}, {"serviceid", kNumber}}.dump(), kDemo),
              404, "userid: there is no chat"));
  // The window went with the customer's messages.
  EXPECT_TRUE(IsError(SendText(TextTo(customer)), 422, NeverWrote(customer)));
  EXPECT_EQ(client_
                .PostJson(gateway_->base_url() + "/livechat/default/getLastTranscript",
                          Json{{"userid", other}, {"serviceid", kNumber}}.dump(), kDemo)
                .status,
            200);
  // Refusals name the option.
  EXPECT_EQ(RunCommand(*gateway_, "customers erase --domain nowhere --phone " + customer, out), 2);
  EXPECT_EQ(RunCommand(*gateway_, "customers erase --domain default --phone 12", out), 2);
}

// A domain whose messages' content is kept a second (content_retention_ms), emptied by a
// retention that runs every 200 ms.
TEST(ConversationRetentionTest, OldMessagesAreEmptiedAndTheirMetadataKept) {
  std::string config = TestConfig(
      {{.name = "default", .user = "demo", .number = std::string(kNumber), .ack = "stored"}});
  const std::string domain_line = "name = \"default\"\n";
  config.replace(config.find(domain_line), domain_line.size(),
                 domain_line + "content_retention_ms = 1000\n");
  config += "\n[conversations]\nretention_interval_ms = 200\n";
  GatewayProcess gateway(config);
  ASSERT_TRUE(gateway.Start());
  HttpClient client;
  const std::string customer = "393403600060";
  PostSandboxCustomerMessage(client, gateway.base_url(), "default", kDemo, kNumber, customer,
                             "Il mio indirizzo e' via Roma 1");
  const Json image = {{"customerPhoneNumber", customer},
                      {"servicePhoneNumber", kNumber},
                      {"document", core::testing::Base64(core::testing::TinyPng())},
                      {"messageType", "IMAGE"},
                      {"fileName", "documento.png"}};
  const HttpResponse sent = client.PostJson(
      gateway.base_url() + "/livechat/default/sendExternalMultimediaMessageToCtlivesocial",
      image.dump(), kDemo);
  ASSERT_EQ(sent.status, 202) << sent.Describe();
  const std::string id = sent.Json().value("messageId", "");
  const std::string file_url =
      gateway.base_url() + "/livechat/default/getMultimediaMessageByMessageID/" + id;
  // Within the second, the file is there; after it, it is deleted and the message stays.
  HttpResponse r;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  do {
    r = client.Get(file_url, kDemo);
    if (r.status == 404) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_TRUE(IsError(r, 404, "was deleted after the domain's content retention"));
  const HttpResponse message =
      client.Get(gateway.base_url() + "/livechat/default/messages/" + id, kDemo);
  ASSERT_EQ(message.status, 200) << message.Describe();
  EXPECT_EQ(message.Json()["fileName"], "documento.png");
  const HttpResponse last =
      client.PostJson(gateway.base_url() + "/livechat/default/getLastTranscript",
                      Json{{"userid", customer}, {"serviceid", kNumber}}.dump(), kDemo);
  ASSERT_EQ(last.status, 200) << last.Describe();
  const Json transcript = last.Json();
  const Json first = transcript["chatTranscript"]["messages"][0]["data"];
  EXPECT_EQ(first["content"].value("text", ""), "") << first.dump();
  EXPECT_EQ(first["content"]["user"]["id"], customer);
}

// ---- With the Meta provider, against tools/fake-graph ---------------------------------------

class ConversationMetaTest : public ::testing::Test {
 protected:
  static constexpr std::string_view kToken = "conversation-meta-token";
  static constexpr std::string_view kAppSecret = "conversation-meta-app-secret";

  static void SetUpTestSuite() {
    fake_ = new FakeGraphProcess(std::string(kToken));
    ASSERT_TRUE(fake_->Start());
    MetaTestDomain domain;
    domain.number = std::string(kNumber);
    domain.base_url = fake_->base_url();
    domain.timeout_ms = 3000;
    gateway_ =
        new GatewayProcess(MetaTestConfig(domain) +
                           "\n[webhooks.meta]\nverify_token_file = \"verify_token.txt\"\n"
                           "app_secret_file = \"app_secret.txt\"\n"
                           "\n[conversations]\nmedia_retry_ms = 200\nmedia_max_bytes = 65536\n");
    ASSERT_TRUE(WriteTokenFile(*gateway_, kToken));
    ASSERT_TRUE(WriteTokenFile(*gateway_, "verify", "verify_token.txt"));
    ASSERT_TRUE(WriteTokenFile(*gateway_, kAppSecret, "app_secret.txt"));
    ASSERT_TRUE(gateway_->Start());
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
  }

  static std::string TextUrl() {
    return gateway_->base_url() + "/livechat/default/sendExternalMessageToCtlivesocial";
  }
  // The customer writes to the number at `at_unix_seconds` (Meta's timestamp).
  static void CustomerWrites(const std::string& customer, std::int64_t at_unix_seconds) {
    const Json answer = fake_->PostInbound({{"phone_number_id", std::string(kTestPhoneNumberId)},
                                            {"from", customer},
                                            {"name", "Mario"},
                                            {"type", "text"},
                                            {"text", "Il pacco?"},
                                            {"timestamp", at_unix_seconds}});
    EXPECT_TRUE(answer.is_object() && answer.value("webhook_queued", false)) << answer.dump();
  }

  static FakeGraphProcess* fake_;
  static GatewayProcess* gateway_;
  HttpClient client_;
};

FakeGraphProcess* ConversationMetaTest::fake_ = nullptr;
GatewayProcess* ConversationMetaTest::gateway_ = nullptr;

TEST_F(ConversationMetaTest, AWindowThatClosedIsRefusedWithItsTimeAndTheNextMessageReopensIt) {
  const std::string customer = "393403600010";
  const std::int64_t now_s = std::time(nullptr);
  const std::int64_t wrote_s = now_s - 25 * 3600;  // a day and an hour ago
  CustomerWrites(customer, wrote_s);
  // Once the webhook is applied, the refusal says when the window closed: a day after.
  const std::string closed =
      "(the window closed at " + util::FormatUtcMillis((wrote_s + 24 * 3600) * 1000) + ")";
  HttpResponse r;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    r = client_.PostJson(TextUrl(), TextTo(customer).dump(), kDemo);
    if (r.body.find(closed) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_TRUE(IsError(r, 422,
                      "customerPhoneNumber: no message from " + customer + " in the last 24 h " +
                          closed +
                          ": a free-form message may only answer a customer within 24 "
                          "hours of their last message; send a template"));
  EXPECT_EQ(fake_->Requests("messages").size(), 0u) << "nothing was sent";

  // The customer writes again: the window reopens, and the text goes to Meta.
  CustomerWrites(customer, now_s);
  r = PostOnceWindowOpens(client_, TextUrl(), TextTo(customer), kDemo);
  ASSERT_EQ(r.status, 200) << r.Describe();
  const Json sends = fake_->SendsFor(r.Json().value("messageId", ""));
  ASSERT_EQ(sends.size(), 1u) << sends.dump();
  EXPECT_EQ(sends[0]["json"]["text"]["body"], "Grazie, arriva domani");
}

TEST_F(ConversationMetaTest, ACustomersImageIsFetchedAfterAFailedAttemptAndServedByItsId) {
  const std::string customer = "393403600040";
  // Meta's media endpoint fails once: the fetch is tried again, the webhook long answered.
  ASSERT_TRUE(fake_->SetFaults(
      {{{"path", "media_info"}, {"count", 1}, {"action", "http"}, {"http_status", 503}}}));
  const std::string jpeg = core::testing::TinyJpeg();
  const Json posted = fake_->PostInbound(
      {{"phone_number_id", std::string(kTestPhoneNumberId)},
       {"from", customer},
       {"type", "image"},
       {"text", "lo scontrino"},
       {"media", {{"mime_type", "image/jpeg"}, {"bytes_base64", core::testing::Base64(jpeg)}}}});
  ASSERT_TRUE(posted.is_object()) << posted.dump();
  const std::string wamid = posted.value("wamid", "");
  const std::string url =
      gateway_->base_url() + "/livechat/default/getMultimediaMessageByMessageID/" + wamid;
  HttpResponse r;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  do {
    r = client_.Get(url, kDemo);
    if (r.status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(r.status, 200) << r.Describe();
  const Json message = r.Json()["message"];
  EXPECT_EQ(message["messageID"], wamid);
  EXPECT_EQ(message["messageType"], "IMAGE");
  EXPECT_EQ(message["content"]["mimeType"], "image/jpeg");
  EXPECT_EQ(message["content"]["document"], core::testing::Base64(jpeg));
  EXPECT_EQ(fake_->Requests("media_info").size(), 2u) << "the first attempt failed";
  ASSERT_TRUE(fake_->ClearFaults());

  // In the transcript: the customer's image with its caption.
  const HttpResponse last =
      client_.PostJson(gateway_->base_url() + "/livechat/default/getLastTranscript",
                       Json{{"userid", customer}, {"serviceid", kNumber}}.dump(), kDemo);
  ASSERT_EQ(last.status, 200) << last.Describe();
  const Json transcript = last.Json();
  const Json data = transcript["chatTranscript"]["messages"][0]["data"];
  EXPECT_EQ(data["id"], wamid);
  EXPECT_EQ(data["messageType"], "IMAGE");
  EXPECT_EQ(data["content"]["caption"], "lo scontrino");
  EXPECT_EQ(data["content"]["user"]["nickname"], "Fake Customer");  // fake-graph's default
}

TEST_F(ConversationMetaTest, MediaLargerThanTheLimitIsGivenUpWithTheReason) {
  const Json posted =
      fake_->PostInbound({{"phone_number_id", std::string(kTestPhoneNumberId)},
                          {"from", "393403600041"},
                          {"type", "document"},
                          {"media",
                           {{"mime_type", "application/pdf"},
                            {"file_name", "grande.pdf"},
                            {"bytes_base64", core::testing::Base64(std::string(70'000, 'x'))}}}});
  const std::string url = gateway_->base_url() +
                          "/livechat/default/getMultimediaMessageByMessageID/" +
                          posted.value("wamid", "");
  HttpResponse r;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  do {
    r = client_.Get(url, kDemo);
    if (r.status == 404 && r.body.find("could not be fetched") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_TRUE(IsError(r, 404, "is 70000 bytes, more than the 65536 kept (media_max_bytes)"));
}

}  // namespace
}  // namespace socialgate::testing
