// A chat as CTLive's Transcript: both ways in time order (the customer first at the same
// moment), each inbound type's messageType and content, each outbound kind's, and the delivery
// outcome of an outbound message.
#include "api/transcript_json.hpp"

#include <gtest/gtest.h>

namespace socialgate::api {
namespace {

store::ChatRecord Chat() {
  store::ChatRecord c;
  c.id = "CHAT_DEFAULT_1";
  c.domain = "default";
  c.service_phone = "3902124122690";
  c.customer_phone = "393403603062";
  c.opened_at_ms = 1000;
  c.last_message_at_ms = 5000;
  return c;
}

store::InboundRecord In(std::string id, std::int64_t at, std::string type) {
  store::InboundRecord m;
  m.id = std::move(id);
  m.customer_phone = "393403603062";
  m.customer_name = "Mario";
  m.at_ms = at;
  m.type = std::move(type);
  return m;
}

store::StoredMessage Out(std::string id, std::int64_t at, core::MessageStatus status) {
  store::StoredMessage m;
  m.id = std::move(id);
  m.created_at_ms = at;
  m.status = status;
  m.message.service_phone = "3902124122690";
  m.message.customer_phone = "393403603062";
  m.message.content = core::TextContent{"ok"};
  return m;
}

TEST(TranscriptJsonTest, BothWaysInTimeOrderWithEachTypesContent) {
  store::InboundRecord text = In("wamid.1", 2000, "text");
  text.text = "hello";
  text.context_id = "wamid.0";
  store::InboundRecord image = In("wamid.2", 3000, "image");
  image.text = "my receipt";
  image.media_id = "m1";
  image.mime_type = "image/jpeg";
  store::InboundRecord button = In("wamid.3", 4000, "button");
  button.text = "Yes";
  button.payload = R"({"payload":"YES","text":"Yes"})";
  store::StoredMessage failed = Out("out.1", 2000, core::MessageStatus::kFailed);
  failed.error_message = "the customer is not on WhatsApp";
  store::StoredMessage read = Out("out.2", 4500, core::MessageStatus::kRead);
  const auto t = TranscriptJson(Chat(), {text, image, button}, {failed, read}, false);
  EXPECT_EQ(t["_id"], "CHAT_DEFAULT_1");
  EXPECT_EQ(t["isChatActive"], true);
  EXPECT_TRUE(t["endedAt"].is_null());
  const auto& m = t["messages"];
  ASSERT_EQ(m.size(), 5u);
  // At 2000 both ways: the customer's first.
  EXPECT_EQ(m[0]["_id"], "wamid.1");
  EXPECT_EQ(m[0]["data"]["replyTo"], "wamid.0");
  EXPECT_EQ(m[0]["data"]["content"]["text"], "hello");
  EXPECT_EQ(m[0]["data"]["content"]["user"]["nickname"], "Mario");
  EXPECT_EQ(m[1]["_id"], "out.1");
  EXPECT_EQ(m[1]["data"]["deliverySuccess"], false);
  EXPECT_EQ(m[1]["data"]["deliveryErrorReason"], "the customer is not on WhatsApp");
  EXPECT_EQ(m[1]["data"]["status"], "failed");
  EXPECT_EQ(m[2]["data"]["messageType"], "IMAGE");
  EXPECT_EQ(m[2]["data"]["content"]["caption"], "my receipt");
  EXPECT_EQ(m[2]["data"]["content"]["documentType"], "jpeg");
  EXPECT_FALSE(m[2]["data"]["content"].contains("text"));
  EXPECT_EQ(m[3]["data"]["messageType"], "QUICK_REPLY");
  EXPECT_EQ(m[3]["data"]["content"]["payload"]["payload"], "YES");
  EXPECT_EQ(m[4]["data"]["deliverySuccess"], true);
  EXPECT_EQ(m[4]["data"]["content"]["user"]["isAgent"], true);
}

TEST(TranscriptJsonTest, AnEndedChatSaysWhenAndWhy) {
  store::ChatRecord chat = Chat();
  chat.ended_at_ms = 1'800'000'000'000;
  chat.end_reason = "idle";
  const auto t = TranscriptJson(chat, {}, {}, true);
  EXPECT_EQ(t["isChatActive"], false);
  EXPECT_EQ(t["endedAt"], "2027-01-15T08:00:00.000Z");
  EXPECT_EQ(t["endReason"], "idle");
  EXPECT_EQ(t["truncated"], true);
  EXPECT_TRUE(t["messages"].empty());
}

}  // namespace
}  // namespace socialgate::api
