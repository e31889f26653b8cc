// The status webhook bodies (Meta's shape per status), their X-Hub-Signature-256 checked
// against RFC 4231's HMAC-SHA256 vectors and libsodium, and the status_failed fault rule.
#include "fake-graph/webhook_body.hpp"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include "fake-graph/faults.hpp"

namespace socialgate::fake_graph {
namespace {

using nlohmann::json;

StatusEvent Event(StatusKind status) {
  StatusEvent e;
  e.waba_id = "102290129340398";
  e.phone_number_id = "106540352242922";
  e.wamid = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA";
  e.status = status;
  e.timestamp = 1'750'030'073;
  e.recipient_id = "447700900123";
  e.biz_opaque_callback_data = "gw-msg-1";
  e.conversation_id = ConversationId(e.phone_number_id, e.recipient_id);
  if (status == StatusKind::kFailed) e.error = DefaultStatusError(131026, "not on WhatsApp");
  return e;
}

// The value of the one change of the one entry, checking the envelope on the way.
json StatusOf(const std::string& body) {
  const json j = json::parse(body);
  EXPECT_EQ(j["object"], "whatsapp_business_account");
  EXPECT_EQ(j["entry"].size(), 1u);
  EXPECT_EQ(j["entry"][0]["id"], "102290129340398");
  EXPECT_EQ(j["entry"][0]["changes"].size(), 1u);
  const json& change = j["entry"][0]["changes"][0];
  EXPECT_EQ(change["field"], "messages");
  EXPECT_EQ(change["value"]["messaging_product"], "whatsapp");
  EXPECT_EQ(change["value"]["metadata"]["phone_number_id"], "106540352242922");
  EXPECT_EQ(change["value"]["metadata"]["display_phone_number"], "15552242922");
  EXPECT_EQ(change["value"]["statuses"].size(), 1u);
  return change["value"]["statuses"][0];
}

TEST(WebhookBodyTest, SentIsMetasShapeCompactAndInMetasOrder) {
  const StatusEvent e = Event(StatusKind::kSent);
  const std::string expected =
      R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{)"
      R"("value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":)"
      R"("15552242922","phone_number_id":"106540352242922"},"statuses":[{"id":")" +
      e.wamid +
      R"(","status":"sent","timestamp":"1750030073","recipient_id":"447700900123",)"
      R"("biz_opaque_callback_data":"gw-msg-1","conversation":{"id":")" +
      e.conversation_id +
      R"(","expiration_timestamp":"1750116473","origin":{"type":"utility"}},"pricing":{)"
      R"("billable":true,"pricing_model":"PMP","category":"utility","type":"regular"}}]},)"
      R"("field":"messages"}]}]})";
  EXPECT_EQ(StatusWebhookBody(e), expected);
}

TEST(WebhookBodyTest, DeliveredCarriesConversationWithoutExpiryAndPricing) {
  const json s = StatusOf(StatusWebhookBody(Event(StatusKind::kDelivered)));
  EXPECT_EQ(s["status"], "delivered");
  EXPECT_EQ(s["timestamp"], "1750030073");
  EXPECT_EQ(s["recipient_id"], "447700900123");
  EXPECT_EQ(s["biz_opaque_callback_data"], "gw-msg-1");
  ASSERT_TRUE(s.contains("conversation"));
  EXPECT_FALSE(s["conversation"].contains("expiration_timestamp"));
  EXPECT_EQ(s["conversation"]["origin"]["type"], "utility");
  EXPECT_EQ(s["pricing"]["billable"], true);
  EXPECT_EQ(s["pricing"]["pricing_model"], "PMP");
  EXPECT_FALSE(s.contains("errors"));
}

TEST(WebhookBodyTest, ReadCarriesNeitherConversationNorPricing) {
  const json s = StatusOf(StatusWebhookBody(Event(StatusKind::kRead)));
  EXPECT_EQ(s["status"], "read");
  EXPECT_FALSE(s.contains("conversation"));
  EXPECT_FALSE(s.contains("pricing"));
  EXPECT_FALSE(s.contains("errors"));
  EXPECT_EQ(s["biz_opaque_callback_data"], "gw-msg-1");
}

TEST(WebhookBodyTest, FailedCarriesErrorsAndNoPricing) {
  const json s = StatusOf(StatusWebhookBody(Event(StatusKind::kFailed)));
  EXPECT_EQ(s["status"], "failed");
  EXPECT_FALSE(s.contains("pricing"));
  EXPECT_FALSE(s.contains("conversation"));
  ASSERT_EQ(s["errors"].size(), 1u);
  const json& e = s["errors"][0];
  EXPECT_EQ(e["code"], 131026);
  EXPECT_EQ(e["title"], "Message undeliverable");
  EXPECT_EQ(e["message"], "Message undeliverable");
  EXPECT_EQ(e["error_data"]["details"], "not on WhatsApp");
  EXPECT_EQ(e["href"],
            "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/");
}

TEST(WebhookBodyTest, CallbackDataOnlyWhenTheSendCarriedIt) {
  StatusEvent e = Event(StatusKind::kSent);
  e.biz_opaque_callback_data.clear();
  EXPECT_FALSE(StatusOf(StatusWebhookBody(e)).contains("biz_opaque_callback_data"));
  // Whatever the client sent: invalid UTF-8 is replaced, never thrown.
  e.biz_opaque_callback_data = "bad \xff byte";
  EXPECT_TRUE(json::accept(StatusWebhookBody(e)));
}

TEST(WebhookBodyTest, DisplayNumberAndConversationIds) {
  EXPECT_EQ(DisplayPhoneNumber("106540352242922"), "15552242922");
  EXPECT_EQ(DisplayPhoneNumber("42"), "15550000042");
  const std::string a = ConversationId("1065", "447700900123");
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(a, ConversationId("1065", "447700900123"));
  EXPECT_NE(a, ConversationId("1065", "447700900124"));
  EXPECT_NE(a, ConversationId("1066", "447700900123"));
}

// RFC 4231 section 4: test cases 1, 2 and 6 (a key longer than the block).
TEST(WebhookSignatureTest, HmacSha256MatchesRfc4231) {
  EXPECT_EQ(HmacSha256Hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HmacSha256Hex(std::string(131, '\xaa'),
                          "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(HubSignature256("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// libsodium's HMAC-SHA256 (the gateway's library), with no code shared with the fake's OpenSSL.
std::string SodiumSignature(const std::string& key, const std::string& body) {
  EXPECT_GE(sodium_init(), 0);
  unsigned char digest[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  crypto_auth_hmacsha256_final(&state, digest);
  char hex[2 * sizeof digest + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string("sha256=") + hex;
}

TEST(WebhookSignatureTest, SignsTheExactBodyBytes) {
  const std::string secret = "an app secret";
  const std::string body = StatusWebhookBody(Event(StatusKind::kDelivered));
  EXPECT_EQ(HubSignature256(secret, body), SodiumSignature(secret, body));
  EXPECT_NE(HubSignature256(secret, body), HubSignature256(secret, body + " "));
  EXPECT_NE(HubSignature256(secret, body), HubSignature256("another secret", body));
}

TEST(StatusFailedRuleTest, ParsesWithDefaultsAndOnlyForSends) {
  auto rules = ParseFaultRules(json::parse(R"({"rules":[{"action":"status_failed"}]})"));
  ASSERT_TRUE(rules) << rules.error();
  const FaultRule& rule = (*rules)[0];
  EXPECT_EQ(rule.action, FaultAction::kStatusFailed);
  EXPECT_EQ(rule.code, 131026);
  EXPECT_EQ(rule.path, PathKind::kMessages);
  EXPECT_TRUE(rule.accept);  // the send is accepted, then fails

  rules = ParseFaultRules(json::parse(
      R"({"rules":[{"action":"status_failed","code":131049,"title":"Meta chose not to deliver",)"
      R"("message":"m","details":"d","match_to":"+44 7700 900999","count":1}]})"));
  ASSERT_TRUE(rules) << rules.error();
  const auto shown = FaultRuleToJson((*rules)[0]);
  EXPECT_EQ(shown["action"], "status_failed");
  EXPECT_EQ(shown["code"], 131049);
  EXPECT_EQ(shown["title"], "Meta chose not to deliver");
  EXPECT_EQ(shown["message"], "m");
  EXPECT_EQ(shown["details"], "d");
  EXPECT_EQ(shown["match_to"], "447700900999");

  const auto refused = [](const char* body) {
    auto r = ParseFaultRules(json::parse(body));
    return r ? std::string() : r.error();
  };
  EXPECT_NE(refused(R"({"rules":[{"action":"status_failed","path":"media"}]})"), "");
  EXPECT_NE(refused(R"({"rules":[{"action":"error","code":100,"title":"x"}]})").find("title"),
            std::string::npos);
  EXPECT_NE(refused(R"({"rules":[{"action":"status_failed","titel":"x"}]})"), "");
}

}  // namespace
}  // namespace socialgate::fake_graph
