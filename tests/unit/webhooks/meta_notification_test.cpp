// What a Meta callback says about delivery: Meta's own examples, every status with what it
// carries, and every way a signed body can still be unusable, each becoming a note, never a
// crash or a status made up.
#include "webhooks/meta_notification.hpp"

#include <string>

#include <gtest/gtest.h>

#include "webhooks/status_notification.hpp"

namespace socialgate::webhooks {
namespace {

using core::MessageStatus;

// Meta's status notification (../shared/reference/meta-cloud-api.md section 5), with `statuses`.
std::string Notification(const std::string& statuses,
                         const std::string& phone_number_id = "106540352242922") {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":")" +
         phone_number_id + R"("},"statuses":[)" + statuses + R"(]},"field":"messages"}]}]})";
}

constexpr const char* kDelivered =
    R"({"id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA","status":"delivered","timestamp":"1750030073","recipient_id":"16505551234","biz_opaque_callback_data":"01a24ab8-8deb-73ca-8054-72b752fea7fc","conversation":{"id":"6ceb9d929c4a1b2b2f0c2a1b3a6e1c2d","expiration_timestamp":"1750116473","origin":{"type":"utility"}},"pricing":{"billable":true,"pricing_model":"PMP","type":"regular","category":"utility"}})";

TEST(MetaNotificationTest, ReadsADeliveredStatusWithPricingAndConversation) {
  const MetaNotification n = ParseMetaNotification(Notification(kDelivered));
  EXPECT_TRUE(n.ignored.empty()) << n.ignored.front();
  ASSERT_EQ(n.statuses.size(), 1u);
  EXPECT_EQ(n.statuses[0].phone_number_id, "106540352242922");
  const store::StatusReport& r = n.statuses[0].report;
  EXPECT_EQ(r.provider_message_id, "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA");
  EXPECT_EQ(r.status, MessageStatus::kDelivered);
  EXPECT_EQ(r.at_ms, 1'750'030'073'000);
  EXPECT_EQ(r.message_id, "01a24ab8-8deb-73ca-8054-72b752fea7fc");
  ASSERT_TRUE(r.pricing);
  EXPECT_EQ(r.pricing->billable, true);
  EXPECT_EQ(r.pricing->pricing_model, "PMP");
  EXPECT_EQ(r.pricing->category, "utility");
  EXPECT_EQ(r.pricing->type, "regular");
  ASSERT_TRUE(r.conversation);
  EXPECT_EQ(r.conversation->id, "6ceb9d929c4a1b2b2f0c2a1b3a6e1c2d");
  EXPECT_EQ(r.conversation->origin_type, "utility");
  EXPECT_EQ(r.conversation->expires_at_ms, 1'750'116'473'000);
  EXPECT_TRUE(r.error_code.empty());
  EXPECT_TRUE(r.service_phone.empty()) << "routing is the caller's";
}

TEST(MetaNotificationTest, ReadsAFailedStatusWithItsError) {
  const MetaNotification n = ParseMetaNotification(Notification(
      R"({"id":"wamid.f","status":"failed","timestamp":1750030073,"recipient_id":"16505551234","errors":[{"code":131026,"title":"Message undeliverable","message":"Message undeliverable","error_data":{"details":"Message Undeliverable."},"href":"https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]})"));
  ASSERT_EQ(n.statuses.size(), 1u);
  const store::StatusReport& r = n.statuses[0].report;
  EXPECT_EQ(r.status, MessageStatus::kFailed);
  EXPECT_EQ(r.at_ms, 1'750'030'073'000) << "an integer timestamp is taken too";
  EXPECT_EQ(r.error_code, "131026");
  EXPECT_EQ(r.detail, "Message undeliverable (Message Undeliverable.)");
  EXPECT_FALSE(r.pricing);
}

TEST(MetaNotificationTest, AFailedStatusWithoutErrorsStillSaysSo) {
  const MetaNotification n = ParseMetaNotification(
      Notification(R"({"id":"wamid.f","status":"failed","timestamp":"1750030073"})"));
  ASSERT_EQ(n.statuses.size(), 1u);
  EXPECT_EQ(n.statuses[0].report.detail,
            "the provider reported the message failed, without a reason");
}

TEST(MetaNotificationTest, ReadsEveryStatusOfEveryChangeOfEveryEntry) {
  const std::string two_changes =
      R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"111"},"statuses":[{"id":"wamid.a","status":"sent","timestamp":"1"},{"id":"wamid.b","status":"read","timestamp":"2"}]}},{"field":"messages","value":{"metadata":{"phone_number_id":"222"},"statuses":[{"id":"wamid.c","status":"delivered","timestamp":"3"}]}}]},{"id":"2","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"333"},"statuses":[{"id":"wamid.d","status":"sent","timestamp":"4"}]}}]}]})";
  const MetaNotification n = ParseMetaNotification(two_changes);
  EXPECT_TRUE(n.ignored.empty());
  ASSERT_EQ(n.statuses.size(), 4u);
  EXPECT_EQ(n.statuses[1].report.status, MessageStatus::kRead);
  EXPECT_EQ(n.statuses[2].phone_number_id, "222");
  EXPECT_EQ(n.statuses[3].phone_number_id, "333");
  EXPECT_EQ(n.statuses[3].report.at_ms, 4000);
}

TEST(MetaNotificationTest, WhatIsNotAStatusTheGatewayTracksIsANoteNotAReport) {
  const MetaNotification n = ParseMetaNotification(Notification(
      R"({"id":"wamid.v","status":"played","timestamp":"1"},)"
      R"({"status":"sent","timestamp":"1"},)"
      R"({"id":"wamid has spaces","status":"sent","timestamp":"1"},)"
      R"({"id":"wamid.t","status":"sent","timestamp":"soon"},)"
      R"({"id":"wamid.t","status":"sent","timestamp":"-5"},)"
      R"("not an object",)"
      R"({"id":"wamid.ok","status":"sent","timestamp":"1","biz_opaque_callback_data":"not ours \u0000"})"));
  ASSERT_EQ(n.statuses.size(), 1u);
  EXPECT_EQ(n.statuses[0].report.provider_message_id, "wamid.ok");
  EXPECT_TRUE(n.statuses[0].report.message_id.empty()) << "opaque data that is no id of ours";
  ASSERT_EQ(n.ignored.size(), 6u);
  EXPECT_EQ(n.ignored[0],
            "entry[0].changes[0].value.statuses[0].status 'played' is not a status the gateway "
            "tracks");
  EXPECT_EQ(n.ignored[1],
            "entry[0].changes[0].value.statuses[1].id is missing or not an id of at most 256 "
            "printable characters");
  EXPECT_EQ(n.ignored[3],
            "entry[0].changes[0].value.statuses[3].timestamp is missing or not Unix seconds");
  EXPECT_EQ(n.ignored[5], "entry[0].changes[0].value.statuses[5] is not an object");
}

TEST(MetaNotificationTest, OtherFieldsAreNotedAndInboundMessagesRead) {
  const MetaNotification n = ParseMetaNotification(
      R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"account_update","value":{"event":"APPROVED"}},{"field":"messages","value":{"metadata":{"phone_number_id":"111"},"contacts":[{"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.in","timestamp":"1","type":"text","text":{"body":"hi"}}]}}]}]})");
  EXPECT_TRUE(n.statuses.empty());
  ASSERT_EQ(n.ignored.size(), 1u);
  EXPECT_EQ(n.ignored[0],
            "entry[0].changes[0].field 'account_update' is not one the gateway takes");
  ASSERT_EQ(n.inbound.size(), 1u) << "meta_inbound_test.cpp reads every type";
  EXPECT_EQ(n.inbound[0].phone_number_id, "111");
  EXPECT_EQ(n.inbound[0].record.id, "wamid.in");
  EXPECT_EQ(n.inbound[0].record.text, "hi");
}

TEST(MetaNotificationTest, AnUnusableBodyIsOneNote) {
  EXPECT_EQ(ParseMetaNotification("").ignored.size(), 1u);
  EXPECT_EQ(ParseMetaNotification("not json").ignored.size(), 1u);
  EXPECT_EQ(ParseMetaNotification("[1,2]").ignored.front(), "the body is not a JSON object");
  EXPECT_EQ(ParseMetaNotification(R"({"object":"page","entry":[]})").ignored.front(),
            "object is not \"whatsapp_business_account\"");
  EXPECT_EQ(ParseMetaNotification(R"({"object":"whatsapp_business_account"})").ignored.front(),
            "entry is missing or not an array");
  const std::string deep = std::string(1000, '[') + std::string(1000, ']');
  const MetaNotification too_deep = ParseMetaNotification(deep);
  ASSERT_EQ(too_deep.ignored.size(), 1u);
  EXPECT_NE(too_deep.ignored[0].find("not JSON within 32 levels"), std::string::npos);
  const std::string big(kMaxNotificationBytes + 1, ' ');
  EXPECT_EQ(ParseMetaNotification(big).ignored.front(),
            "the body is 3145729 bytes, more than 3145728");
  const MetaNotification no_metadata = ParseMetaNotification(
      R"({"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"w","status":"sent","timestamp":"1"}]}}]}]})");
  EXPECT_TRUE(no_metadata.statuses.empty());
  EXPECT_EQ(no_metadata.ignored.front(),
            "entry[0].changes[0].value.metadata.phone_number_id is missing or not an id");
}

TEST(MetaNotificationTest, StatusesAndNotesAreBounded) {
  std::string statuses;
  for (std::size_t i = 0; i < kMaxStatusesPerNotification + 5; ++i) {
    if (i > 0) statuses += ",";
    statuses += R"({"id":"wamid.)" + std::to_string(i) + R"(","status":"sent","timestamp":"1"})";
  }
  const MetaNotification many = ParseMetaNotification(Notification(statuses));
  EXPECT_EQ(many.statuses.size(), kMaxStatusesPerNotification);
  ASSERT_EQ(many.ignored.size(), 1u);
  std::string unusable;
  for (int i = 0; i < 100; ++i) unusable += std::string(i > 0 ? "," : "") + "1";
  const MetaNotification noted = ParseMetaNotification(Notification(unusable));
  ASSERT_EQ(noted.ignored.size(), kMaxIgnoredNotes + 1);
  EXPECT_EQ(noted.ignored.back(), "and 80 more");
  // A long error is cut to one line within its bound.
  const std::string long_details(5000, 'x');
  const MetaNotification cut = ParseMetaNotification(Notification(
      R"({"id":"w","status":"failed","timestamp":"1","errors":[{"code":1,"title":"T\nitle","error_data":{"details":")" +
      long_details + R"("}}]})"));
  ASSERT_EQ(cut.statuses.size(), 1u);
  EXPECT_LE(cut.statuses[0].report.detail.size(), kMaxDetailBytes);
  EXPECT_EQ(cut.statuses[0].report.detail.find('\n'), std::string::npos);
}

TEST(MetaNotificationTest, TheSandboxsBodiesReadBackAsTheyWereMade) {
  StatusNotice notice;
  notice.waba_id = "sandbox";
  notice.phone_number_id = "3902124122690";
  notice.display_phone_number = "3902124122690";
  notice.provider_message_id = "sandbox.01a24ab8";
  notice.status = MessageStatus::kSent;
  notice.at_unix_seconds = 1'750'030'073;
  notice.recipient_id = "393403603062";
  notice.message_id = "01a24ab8-8deb-73ca-8054-72b752fea7fc";
  notice.pricing = store::Pricing{true, "utility", "PMP", "regular"};
  notice.conversation = store::Conversation{"c1", "utility", 1'750'116'473'000};
  MetaNotification n = ParseMetaNotification(BuildStatusNotification(notice));
  EXPECT_TRUE(n.ignored.empty());
  ASSERT_EQ(n.statuses.size(), 1u);
  const store::StatusReport& r = n.statuses[0].report;
  EXPECT_EQ(n.statuses[0].phone_number_id, notice.phone_number_id);
  EXPECT_EQ(r.provider_message_id, notice.provider_message_id);
  EXPECT_EQ(r.status, MessageStatus::kSent);
  EXPECT_EQ(r.at_ms, 1'750'030'073'000);
  EXPECT_EQ(r.message_id, notice.message_id);
  EXPECT_EQ(r.pricing, notice.pricing);
  EXPECT_EQ(r.conversation, notice.conversation);

  notice.status = MessageStatus::kFailed;
  notice.pricing.reset();
  notice.conversation.reset();
  notice.error_code = 131026;
  notice.error_title = "Message undeliverable";
  notice.error_details = "not on WhatsApp";
  n = ParseMetaNotification(BuildStatusNotification(notice));
  ASSERT_EQ(n.statuses.size(), 1u);
  EXPECT_EQ(n.statuses[0].report.error_code, "131026");
  EXPECT_EQ(n.statuses[0].report.detail, "Message undeliverable (not on WhatsApp)");
}

TEST(MetaNotificationTest, ReadsTemplateStatusUpdatesWithTheirAccount) {
  const MetaNotification n = ParseMetaNotification(
      R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","time":1,)"
      R"("changes":[{"field":"message_template_status_update","value":{"event":"PAUSED",)"
      R"("message_template_id":594425479261596,"message_template_name":"email_signup",)"
      R"("message_template_language":"en-US","reason":"FIRST_PAUSE"}},)"
      R"({"field":"message_template_status_update","value":{"event":"APPROVED",)"
      R"("message_template_name":"welcome","message_template_language":"en_GB","reason":"NONE"}},)"
      R"({"field":"message_template_status_update","value":{"event":"APPROVED"}},)"
      R"({"field":"message_template_status_update","value":{"event":"FLAGGED",)"
      R"("message_template_id":7}},)"
      R"({"field":"message_template_status_update","value":{"event":"REINSTATED",)"
      R"("message_template_id":8}},)"
      R"({"field":"message_template_status_update","value":{"message_template_id":1}}]}]})");
  ASSERT_EQ(n.template_statuses.size(), 3u);
  EXPECT_EQ(n.template_statuses[2].template_id, "8");
  EXPECT_EQ(n.template_statuses[2].status, "APPROVED") << "reinstated";
  const TemplateStatusUpdate& paused = n.template_statuses[0];
  EXPECT_EQ(paused.account, "102290129340398");
  EXPECT_EQ(paused.template_id, "594425479261596");
  EXPECT_EQ(paused.name, "email_signup");
  EXPECT_EQ(paused.language, "en_US") << "Meta's en-US is the catalog's en_US";
  EXPECT_EQ(paused.status, "PAUSED");
  EXPECT_EQ(paused.reason, "FIRST_PAUSE");
  EXPECT_EQ(n.template_statuses[1].template_id, "");
  EXPECT_EQ(n.template_statuses[1].reason, "") << "NONE is no reason";
  ASSERT_EQ(n.ignored.size(), 3u);
  EXPECT_EQ(n.ignored[0],
            "entry[0].changes[2].value names no template (no message_template_id, name or "
            "language)");
  EXPECT_EQ(n.ignored[1],
            "entry[0].changes[3]: FLAGGED (the template's quality dropped) leaves its status as "
            "it is");
  EXPECT_EQ(n.ignored[2], "entry[0].changes[5].value.event is missing or not a status");
  EXPECT_TRUE(n.statuses.empty());
}

}  // namespace
}  // namespace socialgate::webhooks
