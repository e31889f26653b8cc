// The conformance suite's part on putting a failed message back in the queue
// (Outbox::RetryMessage, what `socialgate messages retry` does), on every engine: only a failed
// message of the domain is requeued, due at once with a fresh attempt budget and its history
// kept; anything else is left as it was.
#include <cstddef>
#include <string>
#include <tuple>
#include <vector>

#include "store/storage_conformance.hpp"
#include "support/sync_store.hpp"

namespace socialgate::store {
namespace {

using core::MessageStatus;

MessageRetry RetryOf(const std::string& id, std::int64_t now_ms,
                     const std::string& domain = "default") {
  return MessageRetry{domain, id, now_ms, "retried from the command line"};
}

TEST_P(StorageConformanceTest, ARetriedFailedMessageIsQueuedAgainWithItsHistoryKept) {
  ASSERT_TRUE(testing::Insert(outbox(), Sample("m1")));
  ASSERT_EQ(testing::ClaimDue(outbox(), kNow, "w", kLease, 10)->size(), 1u);
  ASSERT_TRUE(testing::MarkFailed(outbox(), "m1", "w", "131026", "not a WhatsApp user", kNow + 1));
  EXPECT_EQ(*outbox().PendingCount(), 0);

  auto retried = outbox().RetryMessage(RetryOf("m1", kNow + 1000));
  ASSERT_TRUE(retried) << retried.error().detail;
  EXPECT_EQ(*retried, RetryOutcome::kRequeued);

  auto m = outbox().Get("default", "m1");
  ASSERT_TRUE(m && m->has_value());
  EXPECT_EQ((*m)->status, MessageStatus::kQueued);
  EXPECT_EQ((*m)->attempts, 0);
  EXPECT_EQ((*m)->next_attempt_at_ms, kNow + 1000);
  EXPECT_EQ((*m)->updated_at_ms, kNow + 1000);
  EXPECT_EQ((*m)->created_at_ms, kNow);
  EXPECT_EQ((*m)->error_code, "");
  EXPECT_EQ((*m)->error_message, "");
  std::vector<MessageStatus> statuses;
  for (const auto& e : (*m)->history) statuses.push_back(e.status);
  EXPECT_EQ(statuses, (std::vector<MessageStatus>{MessageStatus::kQueued, MessageStatus::kSending,
                                                  MessageStatus::kFailed, MessageStatus::kQueued}));
  ASSERT_EQ((*m)->history.size(), 4u);
  EXPECT_EQ((*m)->history[2].detail, "not a WhatsApp user");
  EXPECT_EQ((*m)->history[3].detail, "retried from the command line");
  EXPECT_EQ((*m)->history[3].at_ms, kNow + 1000);
  EXPECT_EQ(*outbox().PendingCount(), 1);

  // Due at the retry's time, not before; claimed as a first attempt, and it may succeed.
  EXPECT_TRUE(testing::ClaimDue(outbox(), kNow + 999, "w", kLease, 10)->empty());
  auto claimed = testing::ClaimDue(outbox(), kNow + 1000, "w", kLease, 10);
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].attempts, 1);
  ASSERT_TRUE(testing::MarkAccepted(outbox(), "m1", "w", "wamid.1", "393403603062", kNow + 1001));
  EXPECT_EQ((*outbox().Get("default", "m1"))->status, MessageStatus::kAccepted);
  EXPECT_EQ(*outbox().PendingCount(), 0);
}

TEST_P(StorageConformanceTest, ARetryOfAMessageThatIsNotFailedOrNotThereChangesNothing) {
  ASSERT_TRUE(testing::Insert(outbox(), Sample("queued")));
  ASSERT_TRUE(testing::Insert(outbox(), Sample("accepted")));
  ASSERT_TRUE(testing::Insert(outbox(), Sample("failed")));
  auto claimed = testing::ClaimDue(outbox(), kNow, "w", kLease, 2);
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 2u);
  // The first two claimed (equal due times: either order) end accepted and failed; the third
  // stays queued.
  std::string first = (*claimed)[0].id;
  std::string second = (*claimed)[1].id;
  ASSERT_TRUE(testing::MarkAccepted(outbox(), first, "w", "wamid.1", "393403603062", kNow + 1));
  ASSERT_TRUE(testing::MarkFailed(outbox(), second, "w", "131026", "undeliverable", kNow + 1));
  std::string queued;
  for (const char* id : {"queued", "accepted", "failed"}) {
    if (id != first && id != second) queued = id;
  }

  EXPECT_EQ(*outbox().RetryMessage(RetryOf("nope", kNow + 5)), RetryOutcome::kNotFound);
  // A message of another domain is not found.
  EXPECT_EQ(*outbox().RetryMessage(RetryOf(second, kNow + 5, "other")), RetryOutcome::kNotFound);
  EXPECT_EQ(*outbox().RetryMessage(RetryOf(first, kNow + 5)), RetryOutcome::kNotFailed);
  EXPECT_EQ(*outbox().RetryMessage(RetryOf(queued, kNow + 5)), RetryOutcome::kNotFailed);
  using Expected = std::tuple<std::string, MessageStatus, std::size_t>;
  for (const auto& [id, status, events] :
       std::vector<Expected>{{first, MessageStatus::kAccepted, 3u},
                             {second, MessageStatus::kFailed, 3u},
                             {queued, MessageStatus::kQueued, 1u}}) {
    auto m = outbox().Get("default", id);
    ASSERT_TRUE(m && m->has_value()) << id;
    EXPECT_EQ((*m)->status, status) << id;
    EXPECT_EQ((*m)->history.size(), events) << id;
    EXPECT_EQ((*m)->updated_at_ms, status == MessageStatus::kQueued ? kNow : kNow + 1) << id;
  }
  EXPECT_EQ(*outbox().PendingCount(), 1);

  // Requeued once, the failed message is queued: a second retry is refused.
  EXPECT_EQ(*outbox().RetryMessage(RetryOf(second, kNow + 6)), RetryOutcome::kRequeued);
  EXPECT_EQ(*outbox().RetryMessage(RetryOf(second, kNow + 7)), RetryOutcome::kNotFailed);
  EXPECT_EQ((*outbox().Get("default", second))->history.size(), 4u);
  EXPECT_EQ(*outbox().PendingCount(), 2);

  // An empty id or domain is refused before anything is queued.
  auto empty = outbox().RetryMessage(RetryOf("", kNow + 8));
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, core::ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace socialgate::store
