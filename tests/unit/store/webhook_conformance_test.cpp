// The conformance suite's part on webhook events and delivery statuses
// (store/delivery_statuses.hpp), on every engine: events stored as received and applied once,
// reports matched by provider id or by the gateway's id they carry, statuses that move forward
// only, repeats that change nothing, reports held for a message not recorded yet.
#include <string>
#include <vector>

#include "store/status_report_table.hpp"
#include "store/storage_conformance.hpp"

namespace socialgate::store {
namespace {

using core::MessageStatus;
using testing::ApplyWebhook;
using testing::ClaimDue;
using testing::Insert;
using testing::MarkAccepted;
using testing::ReceiveAndApplyWebhook;
using testing::ReceiveWebhook;
using testing::RecordDeliveryStatus;
using testing::Report;
using testing::Reschedule;

// m's history as "status/source" strings.
std::vector<std::string> History(const StoredMessage& m) {
  std::vector<std::string> out;
  for (const auto& e : m.history) {
    out.push_back(std::string(core::MessageStatusName(e.status)) +
                  (e.source.empty() ? "" : "/" + e.source));
  }
  return out;
}

class WebhookConformance : public StorageConformanceTest {
 protected:
  // Stores `id` and has it accepted by the provider as `provider_id`.
  void Accepted(const std::string& id, const std::string& provider_id) {
    ASSERT_TRUE(Insert(outbox(), Sample(id)));
    ASSERT_EQ(ClaimDue(outbox(), kNow, "w", kLease, 1, {})->size(), 1u);
    ASSERT_TRUE(MarkAccepted(outbox(), id, "w", provider_id, "393403603062", kNow + 1));
  }
  StoredMessage Get(const std::string& id) { return **outbox().Get("default", id); }
};

TEST_P(StorageConformanceTest, WebhookEventsAreKeptAsReceivedUntilApplied) {
  const std::string raw("{\"object\":\"x\"}\0\xff tail", 20);
  ASSERT_TRUE(ReceiveWebhook(delivery_statuses(), {"e1", "meta", kNow, raw}));
  ASSERT_TRUE(ReceiveWebhook(delivery_statuses(), {"e2", "sandbox", kNow + 5, "{}"}));
  auto early = delivery_statuses().UnappliedWebhooks(kNow + 1, 10);
  ASSERT_TRUE(early);
  ASSERT_EQ(early->size(), 1u);
  EXPECT_EQ((*early)[0].id, "e1");
  EXPECT_EQ((*early)[0].source, "meta");
  EXPECT_EQ((*early)[0].received_at_ms, kNow);
  EXPECT_EQ((*early)[0].body, raw) << "the body's bytes, as received";
  WebhookApplication nothing;
  nothing.event_id = "e1";
  nothing.now_ms = kNow + 6;
  nothing.outcome = "0 statuses to apply; entry is missing";
  auto applied = ApplyWebhook(delivery_statuses(), nothing);
  ASSERT_TRUE(applied);
  EXPECT_EQ(applied->applied, 0);
  auto left = delivery_statuses().UnappliedWebhooks(kNow + 10, 10);
  ASSERT_TRUE(left);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].id, "e2");
  EXPECT_EQ(delivery_statuses().UnappliedWebhooks(kNow + 10, 0)->size(), 0u);
}

TEST_P(StorageConformanceTest, AnEventIsRefusedWhenItsIdIsTaken) {
  ASSERT_TRUE(ReceiveWebhook(delivery_statuses(), {"e1", "meta", kNow, "{}"}));
  EXPECT_FALSE(ReceiveWebhook(delivery_statuses(), {"e1", "meta", kNow, "{}"}));
}

TEST_P(WebhookConformance, StatusesMoveForwardOnlyAndARepeatChangesNothing) {
  Accepted("m1", "wamid.1");
  for (const auto& [status, at] :
       std::vector<std::pair<MessageStatus, std::int64_t>>{{MessageStatus::kSent, kNow + 2},
                                                           {MessageStatus::kRead, kNow + 4},
                                                           {MessageStatus::kRead, kNow + 4},
                                                           {MessageStatus::kDelivered, kNow + 3},
                                                           {MessageStatus::kSent, kNow + 2}}) {
    auto applied = RecordDeliveryStatus(delivery_statuses(), Report("wamid.1", status, at));
    ASSERT_TRUE(applied) << applied.error().detail;
    EXPECT_EQ(applied->applied, 1);
  }
  const StoredMessage m = Get("m1");
  EXPECT_EQ(m.status, MessageStatus::kRead);
  EXPECT_EQ(History(m), (std::vector<std::string>{"queued", "sending", "accepted", "sent/meta",
                                                  "read/meta", "delivered/meta"}));
  EXPECT_EQ(m.history[3].at_ms, kNow + 2);
  EXPECT_EQ(m.updated_at_ms, kNow + 4) << "a late report does not move updated_at back";
}

TEST_P(WebhookConformance, AFailedReportCarriesItsErrorAndNothingReplacesIt) {
  Accepted("m1", "wamid.1");
  StatusReport failed = Report("wamid.1", MessageStatus::kFailed, kNow + 2);
  failed.error_code = "131026";
  failed.detail = "Message undeliverable (the number is not on WhatsApp)";
  ASSERT_TRUE(RecordDeliveryStatus(delivery_statuses(), failed));
  ASSERT_TRUE(
      RecordDeliveryStatus(delivery_statuses(), Report("wamid.1", MessageStatus::kRead, kNow + 3)));
  const StoredMessage m = Get("m1");
  EXPECT_EQ(m.status, MessageStatus::kFailed);
  EXPECT_EQ(m.error_code, "131026");
  EXPECT_EQ(m.error_message, failed.detail);
  EXPECT_EQ(m.history[3].detail, failed.detail);
  EXPECT_EQ(History(m).back(), "read/meta") << "kept in the history all the same";
}

TEST_P(WebhookConformance, PricingAndConversationAreKeptUntilAReportSaysOtherwise) {
  Accepted("m1", "wamid.1");
  StatusReport sent = Report("wamid.1", MessageStatus::kSent, kNow + 2);
  sent.pricing = Pricing{true, "utility", "PMP", "regular"};
  sent.conversation = Conversation{"conv-1", "utility", kNow + 86'400'000};
  ASSERT_TRUE(RecordDeliveryStatus(delivery_statuses(), sent));
  ASSERT_TRUE(
      RecordDeliveryStatus(delivery_statuses(), Report("wamid.1", MessageStatus::kRead, kNow + 3)));
  StoredMessage m = Get("m1");
  ASSERT_TRUE(m.pricing);
  EXPECT_EQ(*m.pricing, *sent.pricing);
  ASSERT_TRUE(m.conversation);
  EXPECT_EQ(*m.conversation, *sent.conversation);
  StatusReport delivered = Report("wamid.1", MessageStatus::kDelivered, kNow + 2);
  delivered.pricing = Pricing{std::nullopt, "marketing", "PMP", "free_entry_point"};
  ASSERT_TRUE(RecordDeliveryStatus(delivery_statuses(), delivered));
  m = Get("m1");
  EXPECT_EQ(*m.pricing, *delivered.pricing);
  EXPECT_EQ(*m.conversation, *sent.conversation) << "not said again, not changed";
  // Meta says when a conversation expires on `sent` only: a later report keeps it.
  StatusReport read = Report("wamid.1", MessageStatus::kRead, kNow + 5);
  read.conversation = Conversation{"conv-1", "utility", 0};
  ASSERT_TRUE(RecordDeliveryStatus(delivery_statuses(), read));
  EXPECT_EQ(Get("m1").conversation->expires_at_ms, kNow + 86'400'000);
  Accepted("m2", "wamid.2");
  EXPECT_FALSE(Get("m2").pricing);
  EXPECT_FALSE(Get("m2").conversation);
}

TEST_P(WebhookConformance, AReportBeforeTheSendsAnswerWaitsForIt) {
  ASSERT_TRUE(Insert(outbox(), Sample("m1")));
  ASSERT_EQ(ClaimDue(outbox(), kNow, "w", kLease, 1, {})->size(), 1u);
  // The webhook is faster than the send's answer: the message is still being sent.
  auto held = RecordDeliveryStatus(delivery_statuses(), Report("wamid.x", MessageStatus::kSent,
                                                               kNow + 1, "3902124122690", "m1"));
  ASSERT_TRUE(held);
  EXPECT_EQ(held->held, 1);
  EXPECT_EQ(Get("m1").status, MessageStatus::kSending);
  ASSERT_TRUE(MarkAccepted(outbox(), "m1", "w", "wamid.x", "393403603062", kNow + 2));
  const StoredMessage m = Get("m1");
  EXPECT_EQ(m.status, MessageStatus::kSent);
  EXPECT_EQ(History(m), (std::vector<std::string>{"queued", "sending", "accepted", "sent/meta"}));
  EXPECT_EQ(*outbox().PendingCount(), 0);
}

TEST_P(WebhookConformance, AReportOfAnUnknownIdIsAppliedWhenTheIdAppears) {
  ASSERT_TRUE(RecordDeliveryStatus(delivery_statuses(),
                                   Report("wamid.late", MessageStatus::kDelivered, kNow)));
  ASSERT_TRUE(
      RecordDeliveryStatus(delivery_statuses(), Report("wamid.late", MessageStatus::kSent, kNow)));
  Accepted("m1", "wamid.late");
  const StoredMessage m = Get("m1");
  EXPECT_EQ(m.status, MessageStatus::kDelivered);
  EXPECT_EQ(History(m), (std::vector<std::string>{"queued", "sending", "accepted", "delivered/meta",
                                                  "sent/meta"}));
  // Taken once: another message with the same id later finds nothing held.
  Accepted("m2", "wamid.late");
  EXPECT_EQ(Get("m2").status, MessageStatus::kAccepted);
}

TEST_P(WebhookConformance, TheGatewaysIdFindsAMessageWhoseSendAnswerWasLost) {
  ASSERT_TRUE(Insert(outbox(), Sample("m1")));
  ASSERT_EQ(ClaimDue(outbox(), kNow, "w", kLease, 1, {})->size(), 1u);
  // No answer came (a timeout): the attempt is to be made again...
  ASSERT_TRUE(Reschedule(outbox(), "m1", "w", kNow + 5000, "timeout", "no answer", kNow + 1));
  EXPECT_EQ(*outbox().PendingCount(), 1);
  // ...but Meta had it, and says so with the id it was sent with.
  auto applied = RecordDeliveryStatus(
      delivery_statuses(),
      Report("wamid.y", MessageStatus::kDelivered, kNow + 2, "3902124122690", "m1"));
  ASSERT_TRUE(applied);
  EXPECT_EQ(applied->applied, 1);
  const StoredMessage m = Get("m1");
  EXPECT_EQ(m.status, MessageStatus::kDelivered);
  EXPECT_EQ(m.provider_message_id, "wamid.y");
  EXPECT_EQ(*outbox().PendingCount(), 0);
  EXPECT_TRUE(ClaimDue(outbox(), kNow + 5000, "w", kLease, 10, {})->empty()) << "not sent again";
  // The next report finds it by the provider id alone.
  ASSERT_TRUE(
      RecordDeliveryStatus(delivery_statuses(), Report("wamid.y", MessageStatus::kRead, kNow + 3)));
  EXPECT_EQ(Get("m1").status, MessageStatus::kRead);
}

TEST_P(WebhookConformance, TheGatewaysIdIsNotTakenFromAnotherNumberOrAnotherProviderId) {
  Accepted("m1", "wamid.1");
  auto other_number = RecordDeliveryStatus(
      delivery_statuses(), Report("wamid.z", MessageStatus::kRead, kNow + 2, "441234567890", "m1"));
  ASSERT_TRUE(other_number);
  EXPECT_EQ(other_number->held, 1);
  auto other_id = RecordDeliveryStatus(
      delivery_statuses(),
      Report("wamid.z", MessageStatus::kRead, kNow + 2, "3902124122690", "m1"));
  ASSERT_TRUE(other_id);
  EXPECT_EQ(other_id->held, 1);
  EXPECT_EQ(Get("m1").status, MessageStatus::kAccepted);
}

TEST_P(WebhookConformance, HeldReportsAreForgottenAfterTheirTime) {
  WebhookApplication early;
  early.event_id = "early";
  early.now_ms = kNow;
  early.hold_until_ms = kNow + 10;
  early.reports.push_back(Report("wamid.gone", MessageStatus::kRead, kNow));
  ASSERT_TRUE(ApplyWebhook(delivery_statuses(), early));
  // The purge runs with every kPurgeEvery-th application: these run past their time.
  for (std::uint64_t i = 0; i < kPurgeEvery; ++i) {
    WebhookApplication later;
    later.event_id = "later-" + std::to_string(i);
    later.now_ms = kNow + 1000;
    delivery_statuses().ApplyWebhookAsync(later, [](core::Result<WebhookApplied>) {});
  }
  storage_->Drain();
  Accepted("m1", "wamid.gone");
  EXPECT_EQ(Get("m1").status, MessageStatus::kAccepted);
}

TEST_P(WebhookConformance, AnEventsReportsApplyTogether) {
  Accepted("m1", "wamid.1");
  Accepted("m2", "wamid.2");
  WebhookApplication both;
  both.event_id = "both";
  both.now_ms = kNow + 5;
  both.hold_until_ms = kNow + 3'600'000;
  both.reports = {Report("wamid.1", MessageStatus::kDelivered, kNow + 2),
                  Report("wamid.2", MessageStatus::kRead, kNow + 3),
                  Report("wamid.3", MessageStatus::kSent, kNow + 4)};
  auto applied = ApplyWebhook(delivery_statuses(), both);
  ASSERT_TRUE(applied);
  EXPECT_EQ(applied->applied, 2);
  EXPECT_EQ(applied->held, 1);
  EXPECT_EQ(Get("m1").status, MessageStatus::kDelivered);
  EXPECT_EQ(Get("m2").status, MessageStatus::kRead);
  // Applied again (another instance recovering it): nothing changes, nothing is held twice.
  ASSERT_TRUE(ApplyWebhook(delivery_statuses(), both));
  EXPECT_EQ(History(Get("m2")).size(), 4u);
  Accepted("m3", "wamid.3");
  EXPECT_EQ(History(Get("m3")),
            (std::vector<std::string>{"queued", "sending", "accepted", "sent/meta"}));
}

TEST_P(WebhookConformance, AnEventReceivedAndAppliedAtOnceIsStoredApplied) {
  Accepted("m1", "wamid.1");
  WebhookApplication application;
  application.event_id = "e1";
  application.now_ms = kNow + 5;
  application.hold_until_ms = kNow + 3'600'000;
  application.outcome = "2 statuses to apply";
  application.reports = {Report("wamid.1", MessageStatus::kDelivered, kNow + 2),
                         Report("wamid.9", MessageStatus::kSent, kNow + 3)};
  auto applied =
      ReceiveAndApplyWebhook(delivery_statuses(), {"e1", "meta", kNow + 4, "{}"}, application);
  ASSERT_TRUE(applied) << applied.error().detail;
  EXPECT_EQ(applied->applied, 1);
  EXPECT_EQ(applied->held, 1);
  EXPECT_EQ(Get("m1").status, MessageStatus::kDelivered);
  EXPECT_EQ(History(Get("m1")),
            (std::vector<std::string>{"queued", "sending", "accepted", "delivered/meta"}));
  // Stored, and never waiting to be applied.
  EXPECT_TRUE(delivery_statuses().UnappliedWebhooks(kNow + 100, 10)->empty());
  EXPECT_FALSE(ReceiveWebhook(delivery_statuses(), {"e1", "meta", kNow, "{}"}))
      << "its id is taken";
  // The same reports in another event (Meta posting again) change nothing; the held one applies
  // once its message is accepted.
  application.event_id = "e2";
  ASSERT_TRUE(
      ReceiveAndApplyWebhook(delivery_statuses(), {"e2", "meta", kNow + 6, "{}"}, application));
  EXPECT_EQ(History(Get("m1")).size(), 4u);
  Accepted("m9", "wamid.9");
  EXPECT_EQ(History(Get("m9")),
            (std::vector<std::string>{"queued", "sending", "accepted", "sent/meta"}));
}

TEST_P(WebhookConformance, AReceivedEventWhoseApplicationFailsIsNotStored) {
  Accepted("m1", "wamid.1");
  ASSERT_TRUE(ReceiveWebhook(delivery_statuses(), {"taken", "meta", kNow, "{}"}));
  WebhookApplication application;
  application.event_id = "e1";
  application.now_ms = kNow + 5;
  application.hold_until_ms = kNow + 3'600'000;
  application.reports = {Report("wamid.1", MessageStatus::kRead, kNow + 2)};
  // The event's id is taken: the whole write is refused, the report is not applied.
  EXPECT_FALSE(
      ReceiveAndApplyWebhook(delivery_statuses(), {"taken", "meta", kNow + 4, "{}"}, application));
  EXPECT_EQ(Get("m1").status, MessageStatus::kAccepted);
  EXPECT_EQ(delivery_statuses().UnappliedWebhooks(kNow + 100, 10)->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Engines, WebhookConformance, ::testing::ValuesIn(kEngines),
                         [](const ::testing::TestParamInfo<Engine>& p) {
                           return std::string(p.param.name);
                         });

}  // namespace
}  // namespace socialgate::store
