// The conformance suite's part on callbacks to callers (store/callbacks.hpp), on every engine:
// a callback for each change a caller sees, written with the change, claimed in the order of a
// message's changes, under a lease, retried, given up, listed.
#include <string>
#include <vector>

#include "store/storage_conformance.hpp"
#include "support/sync_store.hpp"

namespace socialgate::store {
namespace {

using core::MessageStatus;
using testing::Answer;
using testing::ClaimDue;
using testing::Insert;
using testing::MarkAccepted;
using testing::MarkFailed;
using testing::RecordDeliveryStatus;
using testing::Report;
using testing::Reschedule;

class CallbackConformance : public StorageConformanceTest {
 protected:
  Callbacks& callbacks() { return storage_->callbacks(); }
  std::vector<CallbackDelivery> Claim(std::int64_t now_ms, const std::string& owner = "s",
                                      int limit = 10) {
    Answer<core::Result<std::vector<CallbackDelivery>>> answer;
    callbacks().ClaimCallbacksAsync({now_ms, owner, 60'000, limit}, answer.Callback());
    auto got = answer.Get();
    EXPECT_TRUE(got) << got.error().detail;
    return got ? *got : std::vector<CallbackDelivery>();
  }
  core::Result<void> Record(CallbackOutcome outcome) {
    Answer<core::Result<void>> answer;
    callbacks().RecordCallbackAsync(std::move(outcome), answer.Callback());
    return answer.Get();
  }
  core::Result<void> Delivered(const std::string& id, std::int64_t now_ms,
                               const std::string& owner = "s") {
    return Record({CallbackOutcome::Kind::kDelivered, id, owner, now_ms, 0, ""});
  }
  // Stores `id` (of `domain`) and has it accepted as `provider_id`.
  void Accepted(const std::string& id, const std::string& provider_id,
                const std::string& domain = "default") {
    NewMessage m = Sample(id);
    m.domain = domain;
    ASSERT_TRUE(Insert(outbox(), m));
    ASSERT_EQ(ClaimDue(outbox(), kNow, "w", kLease, 1, {})->size(), 1u);
    ASSERT_TRUE(MarkAccepted(outbox(), id, "w", provider_id, "393403603062", kNow + 1));
  }
  static std::vector<std::string> Statuses(const std::vector<CallbackDelivery>& claimed) {
    std::vector<std::string> out;
    for (const auto& c : claimed) {
      out.push_back(c.message_id + ":" + std::string(core::MessageStatusName(c.status)));
    }
    return out;
  }
};

TEST_P(CallbackConformance, NoCallbacksForADomainWithoutThem) {
  callbacks().SetCallbackDomains({"other"});
  Accepted("m1", "wamid.1");
  ASSERT_TRUE(
      RecordDeliveryStatus(delivery_statuses(), Report("wamid.1", MessageStatus::kRead, kNow + 2)));
  EXPECT_TRUE(Claim(kNow + 10).empty());
  EXPECT_TRUE(callbacks().ListCallbacks({"default", "", 10, 0})->empty());
}

TEST_P(CallbackConformance, EachChangeIsACallbackClaimedInTheOrderOfTheMessagesChanges) {
  callbacks().SetCallbackDomains({"default"});
  Accepted("m1", "wamid.1");
  Accepted("m2", "wamid.2");
  ASSERT_TRUE(
      RecordDeliveryStatus(delivery_statuses(), Report("wamid.1", MessageStatus::kSent, kNow + 2)));
  ASSERT_TRUE(
      RecordDeliveryStatus(delivery_statuses(), Report("wamid.1", MessageStatus::kRead, kNow + 4)));
  // A late and a repeated report change nothing, and so call nobody back.
  ASSERT_TRUE(RecordDeliveryStatus(delivery_statuses(),
                                   Report("wamid.1", MessageStatus::kDelivered, kNow + 3)));
  ASSERT_TRUE(
      RecordDeliveryStatus(delivery_statuses(), Report("wamid.1", MessageStatus::kRead, kNow + 4)));
  // One at a time per message: the earliest pending one of each.
  auto first = Claim(kNow + 10);
  EXPECT_EQ(Statuses(first), (std::vector<std::string>{"m1:accepted", "m2:accepted"}));
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].service_phone, "3902124122690");
  EXPECT_EQ(first[0].customer_phone, "393403603062");
  EXPECT_EQ(first[0].provider_message_id, "wamid.1");
  EXPECT_EQ(first[0].source, "");
  EXPECT_EQ(first[0].attempts, 1);
  EXPECT_TRUE(Claim(kNow + 10).empty()) << "leased, and nothing of m1 goes before them";
  ASSERT_TRUE(Delivered(first[0].id, kNow + 11));
  auto second = Claim(kNow + 12);
  EXPECT_EQ(Statuses(second), (std::vector<std::string>{"m1:sent"}));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].source, "meta");
  EXPECT_EQ(second[0].at_ms, kNow + 2);
  ASSERT_TRUE(Delivered(second[0].id, kNow + 13));
  EXPECT_EQ(Statuses(Claim(kNow + 14)), (std::vector<std::string>{"m1:read"}));
}

TEST_P(CallbackConformance, AFailedAttemptIsACallbackWithItsError) {
  callbacks().SetCallbackDomains({"default"});
  ASSERT_TRUE(Insert(outbox(), Sample("m1")));
  ASSERT_TRUE(Insert(outbox(), Sample("m2")));
  ASSERT_EQ(ClaimDue(outbox(), kNow, "w", kLease, 2, {})->size(), 2u);
  ASSERT_TRUE(MarkFailed(outbox(), "m1", "w", "132001", "template missing", kNow + 1));
  ASSERT_TRUE(Reschedule(outbox(), "m2", "w", kNow + 100, "131000", "later", kNow + 1));
  auto claimed = Claim(kNow + 10);
  ASSERT_EQ(Statuses(claimed), (std::vector<std::string>{"m1:failed"})) << "a retry is no change";
  EXPECT_EQ(claimed[0].error_code, "132001");
  EXPECT_EQ(claimed[0].error_message, "template missing");
}

TEST_P(CallbackConformance, RetriedWhenDueAndListedWhenGivenUp) {
  callbacks().SetCallbackDomains({"default"});
  Accepted("m1", "wamid.1");
  ASSERT_TRUE(
      RecordDeliveryStatus(delivery_statuses(), Report("wamid.1", MessageStatus::kSent, kNow + 2)));
  auto claimed = Claim(kNow + 10);
  ASSERT_EQ(claimed.size(), 1u);
  ASSERT_TRUE(Record({CallbackOutcome::Kind::kRetry, claimed[0].id, "s", kNow + 11, kNow + 1000,
                      "the receiver answered HTTP 503"}));
  EXPECT_TRUE(Claim(kNow + 999).empty());
  auto again = Claim(kNow + 1000);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].id, claimed[0].id);
  EXPECT_EQ(again[0].attempts, 2);
  ASSERT_TRUE(Record({CallbackOutcome::Kind::kFailed, again[0].id, "s", kNow + 1001, 0,
                      "the receiver answered HTTP 500"}));
  // Given up, it no longer holds back the message's next change.
  EXPECT_EQ(Statuses(Claim(kNow + 1002)), (std::vector<std::string>{"m1:sent"}));
  auto failed = callbacks().ListCallbacks({"default", "failed", 10, 0});
  ASSERT_TRUE(failed);
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ((*failed)[0].id, claimed[0].id);
  EXPECT_EQ((*failed)[0].status, MessageStatus::kAccepted);
  EXPECT_EQ((*failed)[0].attempts, 2);
  EXPECT_EQ((*failed)[0].last_error, "the receiver answered HTTP 500");
  EXPECT_EQ((*failed)[0].finished_at_ms, kNow + 1001);
  EXPECT_TRUE(callbacks().ListCallbacks({"other", "failed", 10, 0})->empty());
}

TEST_P(CallbackConformance, ALeaseKeepsACallbackFromOthersUntilItEnds) {
  callbacks().SetCallbackDomains({"default"});
  Accepted("m1", "wamid.1");
  auto mine = Claim(kNow + 10, "a");
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_TRUE(Claim(kNow + 20, "b").empty());
  auto theirs = Claim(kNow + 10 + 60'000, "b");
  ASSERT_EQ(theirs.size(), 1u);
  auto late = Delivered(mine[0].id, kNow + 60'011, "a");
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, core::ErrorCode::kNotFound);
  ASSERT_TRUE(Delivered(theirs[0].id, kNow + 60'012, "b"));
}

TEST_P(CallbackConformance, AcceptancesRecordedTogetherEachHaveTheirCallback) {
  callbacks().SetCallbackDomains({"default"});
  for (const std::string id : {"a1", "a2", "a3"}) ASSERT_TRUE(Insert(outbox(), Sample(id)));
  ASSERT_EQ(ClaimDue(outbox(), kNow, "w", kLease, 3, {})->size(), 3u);
  for (const std::string id : {"a1", "a2", "a3"}) {
    AttemptEnd e;
    e.kind = AttemptEnd::Kind::kAccepted;
    e.id = id;
    e.owner = "w";
    e.provider_message_id = "wamid." + id;
    e.now_ms = kNow + 1;
    outbox().RecordAttemptAsync(e, [](core::Result<void>) {});
  }
  storage_->Drain();
  auto claimed = Claim(kNow + 10);
  EXPECT_EQ(Statuses(claimed),
            (std::vector<std::string>{"a1:accepted", "a2:accepted", "a3:accepted"}));
}

TEST_P(CallbackConformance, TheListPagesNewestFirst) {
  callbacks().SetCallbackDomains({"default"});
  for (const std::string id : {"m1", "m2", "m3"}) Accepted(id, "wamid." + id);
  auto first = callbacks().ListCallbacks({"default", "", 2, 0});
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].message_id, "m3");
  EXPECT_EQ((*first)[1].message_id, "m2");
  auto rest = callbacks().ListCallbacks({"default", "", 2, first->back().seq});
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].message_id, "m1");
  EXPECT_EQ((*rest)[0].state, "pending");
  EXPECT_EQ(callbacks().ListCallbacks({"default", "delivered", 10, 0})->size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Engines, CallbackConformance, ::testing::ValuesIn(kEngines),
                         [](const ::testing::TestParamInfo<Engine>& p) {
                           return std::string(p.param.name);
                         });

}  // namespace
}  // namespace socialgate::store
