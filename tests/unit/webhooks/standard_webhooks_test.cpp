// Callbacks to callers: the Standard Webhooks signature checked against an independent
// computation (OpenSSL's HMAC and base64, not the gateway's libsodium), and the callback body.
#include "webhooks/standard_webhooks.hpp"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include "webhooks/callback_body.hpp"

namespace socialgate::webhooks {
namespace {

// What a receiver computes, per the specification: base64(HMAC-SHA256(key, id.ts.body)).
std::string ReceiverSignature(const std::string& key, const std::string& signed_content) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(signed_content.data()), signed_content.size(), mac,
       &length);
  std::string base64(4 * ((length + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(base64.data()), mac,
                                      static_cast<int>(length));
  base64.resize(static_cast<std::size_t>(written));
  return "v1," + base64;
}

TEST(StandardWebhooksTest, SignsIdTimestampAndBodyAsAReceiverChecksThem) {
  ASSERT_GE(sodium_init(), 0);
  const std::string key("\x01\x02\x03 secret bytes\x00\xff of 32 bytes!", 32);
  const std::string body = R"({"type":"message.status.updated","data":{"status":"read"}})";
  const std::string signature = StandardWebhookSignature(key, "cb_1", 1'796'553'600, body);
  EXPECT_EQ(signature, ReceiverSignature(key, "cb_1.1796553600." + body));
  EXPECT_NE(signature, StandardWebhookSignature(key, "cb_2", 1'796'553'600, body));
  EXPECT_NE(signature, StandardWebhookSignature(key, "cb_1", 1'796'553'601, body));
  EXPECT_NE(signature, StandardWebhookSignature(key, "cb_1", 1'796'553'600, body + " "));
  EXPECT_EQ(signature.size(), 3u + 44u);  // "v1," and 32 bytes in padded base64
}

TEST(StandardWebhooksTest, TheBodySaysWhatChangedAndNothingThatMayChangeLater) {
  store::CallbackDelivery c;
  c.id = "cb_1";
  c.domain = "default";
  c.message_id = "01a24ab8-8deb-73ca-8054-72b752fea7fc";
  c.status = core::MessageStatus::kFailed;
  c.at_ms = 1'796'553'600'123;
  c.source = "meta";
  c.error_code = "131026";
  c.error_message = "Message undeliverable";
  c.service_phone = "3902124122690";
  c.customer_phone = "393403603062";
  c.provider_message_id = "wamid.1";
  const auto body = nlohmann::json::parse(BuildCallbackBody(c));
  EXPECT_EQ(body["type"], "message.status.updated");
  EXPECT_EQ(body["timestamp"], "2026-12-06T10:40:00.123Z");
  const auto& data = body["data"];
  EXPECT_EQ(data["domain"], "default");
  EXPECT_EQ(data["messageId"], c.message_id);
  EXPECT_EQ(data["status"], "failed");
  EXPECT_EQ(data["at"], "2026-12-06T10:40:00.123Z");
  EXPECT_EQ(data["source"], "meta");
  EXPECT_EQ(data["servicePhoneNumber"], "3902124122690");
  EXPECT_EQ(data["customerPhoneNumber"], "393403603062");
  EXPECT_EQ(data["providerMessageId"], "wamid.1");
  EXPECT_EQ(data["deliveryError"]["code"], "131026");
  EXPECT_EQ(data["deliveryError"]["message"], "Message undeliverable");
  EXPECT_EQ(BuildCallbackBody(c), BuildCallbackBody(c)) << "the same bytes on every attempt";

  c.status = core::MessageStatus::kAccepted;
  c.source.clear();
  c.error_code.clear();
  c.error_message.clear();
  c.provider_message_id.clear();
  const auto accepted = nlohmann::json::parse(BuildCallbackBody(c));
  EXPECT_EQ(accepted["data"]["source"], "gateway");
  EXPECT_TRUE(accepted["data"]["providerMessageId"].is_null());
  EXPECT_TRUE(accepted["data"]["deliveryError"].is_null());
}

}  // namespace
}  // namespace socialgate::webhooks
