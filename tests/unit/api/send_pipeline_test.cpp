// The send pipeline's stages that decide alone: the Idempotency-Key, validation against the
// domain, the user's authorization, and the answers (first and repeated).
#include "api/send_pipeline.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/send_endpoints.hpp"
#include "util/sha256.hpp"

namespace socialgate::api {
namespace {

std::string_view HeaderOf(const http::HttpResponse& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return {};
}

TEST(SendPipelineTest, NoIdempotencyKeyIsNoKey) {
  http::HttpRequest request;
  request.body = "{}";
  const auto read = SendPipeline::ReadIdempotencyKey(request);
  EXPECT_FALSE(read.key);
  EXPECT_FALSE(read.refusal);
}

TEST(SendPipelineTest, TheKeyCarriesTheBodysHash) {
  http::HttpRequest request;
  request.headers.emplace_back("idempotency-key", "order-17");
  request.body = R"({"a":1})";
  const auto read = SendPipeline::ReadIdempotencyKey(request);
  ASSERT_TRUE(read.key);
  EXPECT_FALSE(read.refusal);
  EXPECT_EQ(read.key->key, "order-17");
  EXPECT_EQ(read.key->request_hash, util::Sha256Hex(R"({"a":1})"));
}

TEST(SendPipelineTest, AKeyTooLongOrNotPrintableIs400) {
  for (const std::string& key : {std::string(256, 'k'), std::string("a\tb"), std::string("\x80")}) {
    http::HttpRequest request;
    request.headers.emplace_back("idempotency-key", key);
    const auto read = SendPipeline::ReadIdempotencyKey(request);
    EXPECT_FALSE(read.key);
    ASSERT_TRUE(read.refusal);
    EXPECT_EQ(read.refusal->status, 400u);
    EXPECT_NE(read.refusal->body.find("Idempotency-Key"), std::string::npos);
  }
  http::HttpRequest longest;
  longest.headers.emplace_back("idempotency-key", std::string(255, 'k'));
  EXPECT_TRUE(SendPipeline::ReadIdempotencyKey(longest).key);
}

TEST(SendPipelineTest, ARepeatWithTheSameBodyReplaysTheFirstAnswer) {
  store::IdempotencyRecord record{"m1", "hash", 200, R"({"result":true})"};
  const auto r = SendPipeline::RepeatAnswer(record, "hash");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, R"({"result":true})");
  EXPECT_EQ(HeaderOf(r, "Idempotent-Replayed"), "true");
}

TEST(SendPipelineTest, ARepeatBeforeTheFirstAnswerIsQueued) {
  store::IdempotencyRecord record{"m1", "hash", std::nullopt, ""};
  const auto r = SendPipeline::RepeatAnswer(record, "hash");
  EXPECT_EQ(r.status, 202u);
  const auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["messageId"], "m1");
  EXPECT_EQ(body["status"], "queued");
  EXPECT_EQ(HeaderOf(r, "Idempotent-Replayed"), "true");
}

TEST(SendPipelineTest, ARepeatWithAnotherBodyIs422) {
  store::IdempotencyRecord record{"m1", "hash", 200, "{}"};
  const auto r = SendPipeline::RepeatAnswer(record, "other");
  EXPECT_EQ(r.status, 422u);
  EXPECT_TRUE(HeaderOf(r, "Idempotent-Replayed").empty());
}

config::Config TwoDomains() {
  config::Config c;
  config::Domain acme;
  acme.name = "acme";
  config::BusinessNumber number;
  number.phone = "111";
  acme.numbers.push_back(number);
  config::Domain other;
  other.name = "other";
  number.phone = "222";
  other.numbers.push_back(number);
  c.domains = {acme, other};
  return c;
}

core::OutboundMessage From(std::string service_phone) {
  core::OutboundMessage m;
  m.service_phone = std::move(service_phone);
  m.customer_phone = "393403603062";
  return m;
}

TEST(SendPipelineTest, ValidateTheNumberAgainstTheDomain) {
  const auto config = TwoDomains();
  const auto& acme = config.domains[0];
  EXPECT_FALSE(SendPipeline::Validate(config, acme, From("111")));
  const auto others = SendPipeline::Validate(config, acme, From("222"));
  ASSERT_TRUE(others);
  EXPECT_EQ(others->status, 403u);
  const auto nobodys = SendPipeline::Validate(config, acme, From("333"));
  ASSERT_TRUE(nobodys);
  EXPECT_EQ(nobodys->status, 422u);
}

TEST(SendPipelineTest, AuthorizeTheUsersNumbers) {
  auth::Principal anyone{"acme", "bob", auth::Mechanism::kBasic, {}};
  EXPECT_FALSE(SendPipeline::Authorize(anyone, From("111")));
  auth::Principal limited{"acme", "eve", auth::Mechanism::kBasic, {"112"}};
  EXPECT_FALSE(SendPipeline::Authorize(limited, From("112")));
  const auto refused = SendPipeline::Authorize(limited, From("111"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403u);
  EXPECT_NE(refused->body.find("'eve'"), std::string::npos) << refused->body;
}

TEST(SendPipelineTest, TheAckSaysTheFirstAttemptsOutcome) {
  auto r = SendPipeline::SendAnswer("m1", {core::MessageStatus::kAccepted, "wamid.1", "", ""});
  EXPECT_EQ(r.status, 200u);
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["result"], true);
  EXPECT_EQ(body["providerMessageId"], "wamid.1");

  r = SendPipeline::SendAnswer("m1", {core::MessageStatus::kFailed, "", "131026", "undeliverable"});
  EXPECT_EQ(r.status, 422u);
  body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["result"], false);
  EXPECT_EQ(body["error"], "the provider rejected the message (code 131026): undeliverable");
  EXPECT_FALSE(body.contains("providerMessageId"));

  r = SendPipeline::SendAnswer("m1", {core::MessageStatus::kQueued, "", "", ""});
  EXPECT_EQ(r.status, 202u);
  body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["status"], "queued");
  EXPECT_EQ(body["error"], nullptr);
}

// The seed's two members first, in this order, then the additive ones: callers built against
// CTLive may read the body as text.
TEST(SendPipelineTest, TheAckIsWrittenMemberForMemberInItsOrder) {
  EXPECT_EQ(
      SendPipeline::SendAnswer("m1", {core::MessageStatus::kQueued, "", "", ""}, "CHAT_DEFAULT_c1")
          .body,
      R"({"result":true,"error":null,"messageId":"m1","status":"queued",)"
      R"("chatId":"CHAT_DEFAULT_c1"})");
  EXPECT_EQ(
      SendPipeline::SendAnswer("m1", {core::MessageStatus::kAccepted, "wamid.1", "", ""}).body,
      R"({"result":true,"error":null,"messageId":"m1","status":"accepted",)"
      R"("providerMessageId":"wamid.1"})");
  EXPECT_EQ(
      SendPipeline::SendAnswer("m1", {core::MessageStatus::kFailed, "", "", "say \"no\""}).body,
      R"({"result":false,"error":"the provider rejected the message: say \"no\"",)"
      R"("messageId":"m1","status":"failed"})");
}

TEST(SendPipelineTest, TheTemplateDecoderDecodesThenValidates) {
  const auto languages = core::LanguageCatalog::Default();
  core::ValidationContext rules;
  rules.languages = &languages;
  auto malformed = SendEndpoints::DecodeTemplate("{", rules);
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, core::ErrorCode::kMalformed);
  auto ok = SendEndpoints::DecodeTemplate(
      R"({"customerPhoneNumber":"393403603062","servicePhoneNumber":"3902124122690",)"
      R"("templateName":"shipping_confirmation","language":"en_GB","header":null,)"
      R"("headerData":[],"bodyData":["5"],"dynamicUrl":[]})",
      rules);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->service_phone, "3902124122690");
  EXPECT_EQ(std::get<core::TemplateContent>(ok->content).template_name, "shipping_confirmation");
}

TEST(SendPipelineTest, TheTextAndMediaDecodersDecodeThenValidate) {
  const core::ValidationContext rules;  // no languages: neither kind reads them
  auto text = SendEndpoints::DecodeText(
      R"({"customerPhoneNumber":"393403603062","servicePhoneNumber":"3902124122690",)"
      R"("text":"Messaggio da external ws"})",
      rules);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(std::get<core::TextContent>(text->content).text, "Messaggio da external ws");
  auto empty = SendEndpoints::DecodeText(
      R"({"customerPhoneNumber":"393403603062","servicePhoneNumber":"3902124122690","text":""})",
      rules);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, core::ErrorCode::kInvalidArgument);

  auto media = SendEndpoints::DecodeMedia(
      R"({"customerPhoneNumber":"393403603062","servicePhoneNumber":"3902124122690",)"
      R"("document":"JVBERi0xLjQKMSAwIG9iago8PCAvVHlwZSAvQ2F0YWxvZyA+PgplbmRvYmoKdHJhaWxlcgo8PCAvUm9vdCAxIDAgUiA+PgolJUVPRgo=",)"
      R"("messageType":"DOCUMENT","fileName":"a.pdf"})",
      rules);
  ASSERT_TRUE(media) << media.error().message;
  EXPECT_EQ(std::get<core::MediaContent>(media->content).media.mime_type, "application/pdf");
  auto malformed = SendEndpoints::DecodeMedia(R"({"document":1})", rules);
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, core::ErrorCode::kMalformed);
}

TEST(SendPipelineTest, FreeFormMessagesNeedTheCustomersWindowTemplatesDoNot) {
  core::OutboundMessage text;
  text.customer_phone = "393403603062";
  text.service_phone = "3902124122690";
  text.content = core::TextContent{"ciao"};
  constexpr std::int64_t kNow = 1'800'000'000'000;
  constexpr std::int64_t kDay = 24LL * 3600 * 1000;
  // Never written: refused, and the sentence says so.
  auto never = SendPipeline::CheckWindow(text, std::nullopt, kNow);
  ASSERT_TRUE(never);
  EXPECT_EQ(never->status, 422u);
  const auto body = nlohmann::json::parse(never->body);
  EXPECT_EQ(body["error"],
            "customerPhoneNumber: no message from 393403603062 in the last 24 h (the customer has "
            "never written to 3902124122690): a free-form message may only answer a customer "
            "within 24 hours of their last message; send a template");
  // Written a moment ago, or 24 h less a millisecond ago: open.
  EXPECT_FALSE(SendPipeline::CheckWindow(text, kNow - 1000, kNow));
  EXPECT_FALSE(SendPipeline::CheckWindow(text, kNow - kDay + 1, kNow));
  // Exactly 24 h ago, or more: closed, with the time it closed.
  auto closed = SendPipeline::CheckWindow(text, kNow - kDay - 5000, kNow);
  ASSERT_TRUE(closed);
  EXPECT_NE(closed->body.find("(the window closed at 2027-01-15T07:59:55.000Z)"), std::string::npos)
      << closed->body;
  EXPECT_TRUE(SendPipeline::CheckWindow(text, kNow - kDay, kNow));
  // A media message is free-form too; a template is always allowed.
  core::OutboundMessage media = text;
  media.content = core::MediaContent{};
  EXPECT_TRUE(SendPipeline::CheckWindow(media, std::nullopt, kNow));
  core::OutboundMessage tmpl = text;
  tmpl.content = core::TemplateContent{};
  EXPECT_FALSE(SendPipeline::CheckWindow(tmpl, std::nullopt, kNow));
}

TEST(SendPipelineTest, ASendIntoAChatNeedsTheDomainsActiveChatOfItsNumbers) {
  core::OutboundMessage m;
  m.customer_phone = "393393790817";
  m.service_phone = "447491163403";
  m.content = core::TextContent{"hi"};
  m.chat_id = "CHAT_DEFAULT_1";
  const SendFieldNames names{"userid", "serviceid"};
  store::ChatRecord chat;
  chat.id = "CHAT_DEFAULT_1";
  chat.domain = "default";
  chat.service_phone = "447491163403";
  chat.customer_phone = "393393790817";
  EXPECT_FALSE(SendPipeline::CheckChat(m, chat, names));
  auto missing = SendPipeline::CheckChat(m, std::nullopt, names);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404u);
  EXPECT_EQ(nlohmann::json::parse(missing->body)["error"],
            "chatid: there is no chat 'CHAT_DEFAULT_1' in this domain");
  store::ChatRecord another = chat;
  another.customer_phone = "393403603062";
  auto theirs = SendPipeline::CheckChat(m, another, names);
  ASSERT_TRUE(theirs);
  EXPECT_EQ(theirs->status, 422u);
  EXPECT_EQ(nlohmann::json::parse(theirs->body)["error"],
            "chatid: chat 'CHAT_DEFAULT_1' is between 447491163403 and 393403603062, not "
            "447491163403 (serviceid) and 393393790817 (userid)");
  store::ChatRecord ended = chat;
  ended.ended_at_ms = 1'800'000'000'000;
  ended.end_reason = "idle";
  auto over = SendPipeline::CheckChat(m, ended, names);
  ASSERT_TRUE(over);
  EXPECT_EQ(over->status, 409u);
  EXPECT_EQ(nlohmann::json::parse(over->body)["error"],
            "chatid: chat 'CHAT_DEFAULT_1' ended at 2027-01-15T08:00:00.000Z ('idle'); a new "
            "message to the customer opens a new chat");
}

}  // namespace
}  // namespace socialgate::api
