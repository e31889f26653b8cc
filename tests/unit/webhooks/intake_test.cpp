// The webhook intake over a real store (SQLite in memory): an event is stored and applied to
// the message its status names in one write, or stored and applied after when that write fails; an
// event for a number the gateway does not know is kept, not applied; events a previous run left,
// and applications the store refused, are applied later; the gateway's own events are stored again
// when refused.
#include "webhooks/intake.hpp"

#include <future>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "support/eventually.hpp"
#include "support/failing_storage.hpp"
#include "support/sample_message.hpp"
#include "support/sync_store.hpp"
#include "util/ids.hpp"
#include "webhooks/inbound_notification.hpp"

namespace socialgate::webhooks {
namespace {

using core::MessageStatus;
using support::Eventually;
using testing::FailingStorage;

constexpr std::int64_t kNow = 1'800'000'000'000;
constexpr const char* kPhoneNumberId = "106540352242922";
constexpr const char* kServicePhone = "3902124122690";  // the sample message's

std::string StatusBody(const std::string& wamid, const std::string& status,
                       const std::string& phone_number_id = kPhoneNumberId) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":")" +
         phone_number_id + R"("},"statuses":[{"id":")" + wamid + R"(","status":")" + status +
         R"(","timestamp":"1800000001"}]}}]}]})";
}

class IntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenStorage("sqlite::memory:");
    ASSERT_TRUE(opened) << opened.error().detail;
    storage_ = std::make_unique<FailingStorage>(std::move(*opened));
    ASSERT_TRUE(testing::Insert(storage_->outbox(), testing::SampleMessage("m1", kNow)));
    ASSERT_EQ(testing::ClaimDue(storage_->outbox(), kNow, "w", 60'000, 1)->size(), 1u);
    ASSERT_TRUE(
        testing::MarkAccepted(storage_->outbox(), "m1", "w", "wamid.1", "393403603062", kNow));
  }
  void TearDown() override {
    if (intake_) intake_->Stop();
    timers_.Stop();
    storage_->Drain();
    intake_.reset();
  }
  void Start(IntakeOptions options = {}) {
    intake_ = std::make_unique<WebhookIntake>(
        storage_->delivery_statuses(),
        std::vector<Route>{{"meta", kPhoneNumberId, kServicePhone, "default"},
                           {"sandbox", kServicePhone, kServicePhone, "default"}},
        options, timers_);
    intake_->Start();
  }
  MessageStatus Status() { return (*storage_->outbox().Get("default", "m1"))->status; }
  core::Result<void> Receive(const std::string& source, const std::string& body) {
    std::promise<core::Result<void>> answered;
    intake_->Receive(source, body, [&](core::Result<void> r) { answered.set_value(r); });
    return answered.get_future().get();
  }

  util::TimerQueue timers_;
  std::unique_ptr<FailingStorage> storage_;
  std::unique_ptr<WebhookIntake> intake_;
};

TEST_F(IntakeTest, AStoredEventIsAppliedToTheMessageItsStatusNames) {
  Start();
  ASSERT_TRUE(Receive("meta", StatusBody("wamid.1", "delivered")));
  EXPECT_TRUE(Eventually([&] { return Status() == MessageStatus::kDelivered; }));
  EXPECT_TRUE(Eventually([&] { return intake_->applied() == 1; }));
  const auto m = *storage_->outbox().Get("default", "m1");
  EXPECT_EQ(m->history.back().source, "meta");
  EXPECT_TRUE(storage_->delivery_statuses().UnappliedWebhooks(kNow * 2, 10)->empty());
}

TEST_F(IntakeTest, AnEventIsStoredAndAppliedInOneWrite) {
  Start();
  ASSERT_TRUE(Receive("meta", StatusBody("wamid.1", "read")));
  // Answered once applied: nothing to wait for.
  EXPECT_EQ(Status(), MessageStatus::kRead);
  EXPECT_EQ(intake_->applied(), 1u);
  EXPECT_EQ(storage_->Calls(FailingStorage::Kind::kReceiveAndApplyWebhook), 1);
  EXPECT_EQ(storage_->Calls(FailingStorage::Kind::kReceiveWebhook), 0);
  EXPECT_EQ(storage_->Calls(FailingStorage::Kind::kApplyWebhook), 0);
  EXPECT_TRUE(storage_->delivery_statuses().UnappliedWebhooks(kNow * 2, 10)->empty());
}

TEST_F(IntakeTest, ASourceRoutesOnlyItsOwnIds) {
  Start();
  // The sandbox's id of the number is not Meta's: a Meta event naming it is no number of ours.
  ASSERT_TRUE(Receive("meta", StatusBody("wamid.1", "read", kServicePhone)));
  EXPECT_TRUE(Eventually([&] { return intake_->applied() == 1; }));
  EXPECT_EQ(Status(), MessageStatus::kAccepted);
  ASSERT_TRUE(Receive("sandbox", StatusBody("wamid.1", "read", kServicePhone)));
  EXPECT_TRUE(Eventually([&] { return Status() == MessageStatus::kRead; }));
  EXPECT_EQ((*storage_->outbox().Get("default", "m1"))->history.back().source, "sandbox");
}

TEST_F(IntakeTest, EventsAPreviousRunLeftAreAppliedAtStart) {
  ASSERT_TRUE(testing::ReceiveWebhook(
      storage_->delivery_statuses(),
      {"left", "meta", util::NowUnixMillis() - 1000, StatusBody("wamid.1", "read")}));
  Start();
  EXPECT_TRUE(Eventually([&] { return Status() == MessageStatus::kRead; }));
}

TEST_F(IntakeTest, ABacklogLargerThanOneRecoveryIsReadBackBatchAfterBatch) {
  // 2.5 recoveries' worth left by a previous run; the next periodic recovery is an hour away,
  // so only reading batch after batch at start applies them all.
  const std::int64_t received = util::NowUnixMillis() - 1000;
  for (int i = 0; i < 2500; ++i) {
    storage_->delivery_statuses().ReceiveWebhookAsync(
        {"left-" + std::to_string(i), "meta", received, StatusBody("wamid.1", "read")},
        [](core::Result<void>) {});
  }
  storage_->Drain();
  IntakeOptions options;
  options.recover_every = std::chrono::hours(1);
  Start(options);
  // Exactly: an event read back while its application commits is not applied twice.
  EXPECT_TRUE(Eventually([&] { return intake_->applied() >= 2500; }));
  EXPECT_EQ(intake_->applied(), 2500u);
  EXPECT_TRUE(storage_->delivery_statuses().UnappliedWebhooks(received + 1, 10)->empty());
  EXPECT_EQ(Status(), MessageStatus::kRead);
}

TEST_F(IntakeTest, AnApplicationTheStoreRefusedIsAppliedLater) {
  // The one write is refused: the event is stored alone; its application is refused too.
  storage_->FailNext(FailingStorage::Kind::kReceiveAndApplyWebhook, 1);
  storage_->FailNext(FailingStorage::Kind::kApplyWebhook, 1);
  IntakeOptions options;
  options.recover_after = std::chrono::milliseconds(0);
  options.recover_every = std::chrono::milliseconds(20);
  Start(options);
  ASSERT_TRUE(Receive("meta", StatusBody("wamid.1", "delivered")));
  EXPECT_TRUE(Eventually([&] { return Status() == MessageStatus::kDelivered; }));
  EXPECT_GE(storage_->Calls(FailingStorage::Kind::kApplyWebhook), 2);
}

TEST_F(IntakeTest, AnEventTheStoreRefusesIsAnsweredUnavailable) {
  Start();
  storage_->FailNext(FailingStorage::Kind::kReceiveAndApplyWebhook, 1);
  storage_->FailNext(FailingStorage::Kind::kReceiveWebhook, 1);
  auto refused = Receive("meta", StatusBody("wamid.1", "delivered"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(Status(), MessageStatus::kAccepted);
}

TEST_F(IntakeTest, TheGatewaysOwnEventsAreStoredAgainWhenRefused) {
  Start();
  storage_->FailNext(FailingStorage::Kind::kReceiveAndApplyWebhook, 1);
  storage_->FailNext(FailingStorage::Kind::kReceiveWebhook, 1);
  intake_->ReceiveOwn("sandbox", StatusBody("wamid.1", "delivered", kServicePhone));
  EXPECT_TRUE(Eventually([&] { return Status() == MessageStatus::kDelivered; }));
  // Refused both ways, then stored and applied in one write a second later.
  EXPECT_EQ(storage_->Calls(FailingStorage::Kind::kReceiveAndApplyWebhook), 2);
  EXPECT_EQ(storage_->Calls(FailingStorage::Kind::kReceiveWebhook), 1);
}

TEST_F(IntakeTest, InboundMessagesAreRoutedToTheirNumbersDomainAndStoredOnce) {
  Start();
  webhooks::InboundNotice notice;
  notice.waba_id = "1";
  notice.phone_number_id = kPhoneNumberId;
  notice.display_phone_number = kServicePhone;
  notice.message_id = "wamid.in.1";
  notice.from = "393403603062";
  notice.name = "Mario";
  notice.at_unix_seconds = 1'800'000'100;
  notice.text = "Buongiorno";
  const std::string body = BuildInboundNotification(notice);
  ASSERT_TRUE(Receive("meta", body));
  ASSERT_TRUE(Receive("meta", body));  // Meta posts it again: stored once
  EXPECT_TRUE(Eventually([&] { return intake_->applied() == 2; }));
  auto& conversations = storage_->conversations();
  EXPECT_EQ(*conversations.LastInboundAt(kServicePhone, "393403603062"), 1'800'000'100'000);
  auto chat = conversations.ActiveChat(kServicePhone, "393403603062", 1'800'000'200'000);
  ASSERT_TRUE(chat && *chat);
  EXPECT_EQ((*chat)->domain, "default");
  auto inbound = conversations.InboundMessages((*chat)->id, 10);
  ASSERT_TRUE(inbound);
  ASSERT_EQ(inbound->size(), 1u);
  EXPECT_EQ((*inbound)[0].id, "wamid.in.1");
  EXPECT_EQ((*inbound)[0].source, "meta");
  EXPECT_EQ((*inbound)[0].customer_name, "Mario");
  EXPECT_EQ((*inbound)[0].text, "Buongiorno");
  // For a phone_number_id of no number of this gateway, nothing is stored.
  notice.phone_number_id = "999";
  notice.message_id = "wamid.in.2";
  notice.from = "447700900123";
  ASSERT_TRUE(Receive("meta", BuildInboundNotification(notice)));
  EXPECT_TRUE(Eventually([&] { return intake_->applied() == 3; }));
  EXPECT_FALSE(*conversations.LastInboundAt(kServicePhone, "447700900123"));
}

TEST_F(IntakeTest, ReceiveAndApplyAnswersOnceTheEventIsApplied) {
  Start();
  webhooks::InboundNotice notice;
  notice.phone_number_id = kServicePhone;  // the sandbox's id of the number is the number
  notice.message_id = "sandbox.in.1";
  notice.from = "393403603062";
  notice.at_unix_seconds = 1'800'000'100;
  notice.text = "hi";
  std::promise<bool> applied;
  std::promise<core::Result<void>> stored;
  intake_->ReceiveAndApply(
      "sandbox", BuildInboundNotification(notice),
      [&](core::Result<void> r) { stored.set_value(r); }, [&](bool a) { applied.set_value(a); });
  EXPECT_TRUE(stored.get_future().get());
  EXPECT_TRUE(applied.get_future().get());
  // Applied means in the store, when the answer comes.
  EXPECT_EQ(*storage_->conversations().LastInboundAt(kServicePhone, "393403603062"),
            1'800'000'100'000);
}

}  // namespace
}  // namespace socialgate::webhooks
