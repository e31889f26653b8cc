// The conformance suite every storage engine runs: the contracts of the store's interfaces
// (store/outbox.hpp and its siblings), checked through OpenStorage alone. An engine joins by one
// line in kEngines (storage_conformance.hpp). What only one engine has (SQLite's WAL, its
// rollbacks) is tested in that engine's own file. The webhook events' and delivery statuses'
// part of the suite is in webhook_conformance_test.cpp.
#include "store/storage_conformance.hpp"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "support/held_committer.hpp"

namespace socialgate::store {
namespace {

using testing::ClaimDue;
using testing::Insert;
using testing::MarkAccepted;
using testing::MarkFailed;
using testing::RecordDeliveryStatus;
using testing::Release;
using testing::Reschedule;

TEST_P(StorageConformanceTest, InsertThenGetRoundTrips) {
  ASSERT_TRUE(Insert(outbox(), Sample("m1")));
  auto got = outbox().Get("default", "m1");
  ASSERT_TRUE(got);
  ASSERT_TRUE(got->has_value());
  const StoredMessage& m = **got;
  EXPECT_EQ(m.status, core::MessageStatus::kQueued);
  EXPECT_EQ(m.message.customer_phone, "393403603062");
  EXPECT_EQ(testing::Template(m.message).body_params,
            testing::Template(Sample("x").message).body_params);
  EXPECT_EQ(testing::Template(m.message).url_params, std::vector<std::string>{"contact-highway/"});
  EXPECT_EQ(m.created_at_ms, kNow);
  ASSERT_EQ(m.history.size(), 1u);
  EXPECT_EQ(m.history[0].status, core::MessageStatus::kQueued);
}

TEST_P(StorageConformanceTest, DuplicateIdIsAlreadyExists) {
  ASSERT_TRUE(Insert(outbox(), Sample("m1")));
  auto again = Insert(outbox(), Sample("m1"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::ErrorCode::kAlreadyExists);
}

TEST_P(StorageConformanceTest, OtherDomainsDoNotSeeTheMessage) {
  ASSERT_TRUE(Insert(outbox(), Sample("m1")));
  auto got = outbox().Get("other", "m1");
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->has_value());
}

TEST_P(StorageConformanceTest, ClaimLeasesEachMessageOnceAndLeavesMediaBytesInTheStore) {
  ASSERT_TRUE(Insert(outbox(), Sample("m1", true)));
  ASSERT_TRUE(Insert(outbox(), Sample("m2")));
  auto first = ClaimDue(outbox(), kNow, "worker-a", kLease, 10, {});
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 2u);
  for (const auto& m : *first) {
    EXPECT_EQ(m.status, core::MessageStatus::kSending);
    EXPECT_EQ(m.attempts, 1);
    if (m.id == "m1") {
      ASSERT_TRUE(testing::Template(m.message).header.has_value());
      EXPECT_TRUE(
          testing::Template(m.message).header->bytes.empty());  // read when a send needs them
      auto bytes = outbox().MediaBytes("m1");
      ASSERT_TRUE(bytes);
      EXPECT_EQ(*bytes, testing::Template(Sample("x", true).message).header->bytes);
      EXPECT_EQ(testing::Template(m.message).header->file_name, "invoice.pdf");
      EXPECT_EQ(testing::Template(m.message).header->kind, core::MediaKind::kDocument);
    } else {
      EXPECT_FALSE(testing::Template(m.message).header.has_value());
      auto none = outbox().MediaBytes("m2");
      ASSERT_FALSE(none);
      EXPECT_EQ(none.error().code, core::ErrorCode::kNotFound);
    }
  }
  // A second worker gets nothing while the lease lasts...
  auto second = ClaimDue(outbox(), kNow + kLease - 1, "worker-b", kLease, 10, {});
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->empty());
  // ...and both messages once it has expired (worker-a died).
  auto after = ClaimDue(outbox(), kNow + kLease, "worker-b", kLease, 10, {});
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[0].attempts, 2);
  // worker-a's late outcome is refused: it no longer holds the lease.
  auto late = MarkAccepted(outbox(), "m1", "worker-a", "wamid.1", "393403603062", kNow + 1);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, core::ErrorCode::kNotFound);
}

TEST_P(StorageConformanceTest, TheOldestQueuedDueTimeIsTheEarliestOfTheQueuedMessages) {
  auto empty = outbox().OldestQueuedDueAt();
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->has_value());

  NewMessage later = Sample("m-later");
  later.due_at_ms = kNow + 5'000;
  ASSERT_TRUE(Insert(outbox(), later));
  ASSERT_TRUE(Insert(outbox(), Sample("m-now")));
  auto both = outbox().OldestQueuedDueAt();
  ASSERT_TRUE(both && both->has_value());
  EXPECT_EQ(**both, kNow);

  // A message being sent is not queued: the later one is the oldest due now.
  auto claimed = ClaimDue(outbox(), kNow, "w", kLease, 10, {});
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  auto one = outbox().OldestQueuedDueAt();
  ASSERT_TRUE(one && one->has_value());
  EXPECT_EQ(**one, kNow + 5'000);
}

TEST_P(StorageConformanceTest, NotDueMessagesAreNotClaimedAndTheClaimSaysWhenTheNextIsDue) {
  ASSERT_TRUE(Insert(outbox(), Sample("m1")));
  auto claimed = ClaimDue(outbox(), kNow - 1, "w", kLease, 10, {});
  ASSERT_TRUE(claimed);
  EXPECT_TRUE(claimed->empty());

  std::optional<core::Result<Claim>> answer;
  outbox().ClaimDueAsync(kNow - 1, "w", kLease, 10, {},
                         [&](core::Result<Claim> c) { answer = std::move(c); });
  storage_->Drain();  // the callback has run when this returns
  ASSERT_TRUE(answer && *answer);
  EXPECT_TRUE((*answer)->messages.empty());
  EXPECT_EQ((*answer)->next_due_at_ms, kNow);

  // A claim that took the only message: nothing is due to its owner next (its own lease is
  // not), and to another owner the lease's end is.
  answer.reset();
  outbox().ClaimDueAsync(kNow, "w", kLease, 10, {},
                         [&](core::Result<Claim> c) { answer = std::move(c); });
  storage_->Drain();
  ASSERT_TRUE(answer && *answer);
  ASSERT_EQ((*answer)->messages.size(), 1u);
  EXPECT_EQ((*answer)->next_due_at_ms, std::nullopt);
  answer.reset();
  outbox().ClaimDueAsync(kNow, "other", kLease, 10, {},
                         [&](core::Result<Claim> c) { answer = std::move(c); });
  storage_->Drain();
  ASSERT_TRUE(answer && *answer);
  EXPECT_TRUE((*answer)->messages.empty());
  EXPECT_EQ((*answer)->next_due_at_ms, kNow + kLease);
}

TEST_P(StorageConformanceTest, AcceptedThenDeliveryStatusesMoveForwardOnly) {
  ASSERT_TRUE(Insert(outbox(), Sample("m1")));
  ASSERT_TRUE(ClaimDue(outbox(), kNow, "w", kLease, 1, {}));
  ASSERT_TRUE(MarkAccepted(outbox(), "m1", "w", "wamid.1", "393403603062", kNow + 1));
  ASSERT_TRUE(RecordDeliveryStatus(delivery_statuses(), "wamid.1", core::MessageStatus::kSent,
                                   kNow + 2, ""));
  ASSERT_TRUE(RecordDeliveryStatus(delivery_statuses(), "wamid.1", core::MessageStatus::kRead,
                                   kNow + 4, ""));
  ASSERT_TRUE(RecordDeliveryStatus(delivery_statuses(), "wamid.1", core::MessageStatus::kDelivered,
                                   kNow + 3, ""));  // late
  auto got = outbox().Get("default", "m1");
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->status, core::MessageStatus::kRead);
  EXPECT_EQ((*got)->provider_message_id, "wamid.1");
  EXPECT_EQ((*got)->wa_id, "393403603062");
  std::vector<std::string> statuses;
  for (const auto& e : (*got)->history) {
    statuses.emplace_back(core::MessageStatusName(e.status));
  }
  EXPECT_EQ(statuses, (std::vector<std::string>{"queued", "sending", "accepted", "sent", "read",
                                                "delivered"}));
  // A report of no known message is held, not refused (webhook_conformance_test.cpp).
  auto unknown = RecordDeliveryStatus(delivery_statuses(), "wamid.unknown",
                                      core::MessageStatus::kSent, kNow, "");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->held, 1);
  EXPECT_EQ(*outbox().PendingCount(), 0);
}

TEST_P(StorageConformanceTest, FailedAndRescheduled) {
  ASSERT_TRUE(Insert(outbox(), Sample("m1")));
  ASSERT_TRUE(Insert(outbox(), Sample("m2")));
  ASSERT_TRUE(ClaimDue(outbox(), kNow, "w", kLease, 2, {}));
  ASSERT_TRUE(MarkFailed(outbox(), "m1", "w", "132001", "template missing", kNow + 1));
  ASSERT_TRUE(Reschedule(outbox(), "m2", "w", kNow + 5000, "131000", "try later", kNow + 1));
  auto m1 = outbox().Get("default", "m1");
  EXPECT_EQ((*m1)->status, core::MessageStatus::kFailed);
  EXPECT_EQ((*m1)->error_code, "132001");
  EXPECT_EQ((*m1)->error_message, "template missing");
  auto m2 = outbox().Get("default", "m2");
  EXPECT_EQ((*m2)->status, core::MessageStatus::kQueued);
  EXPECT_EQ((*m2)->next_attempt_at_ms, kNow + 5000);
  EXPECT_TRUE(ClaimDue(outbox(), kNow + 4999, "w", kLease, 10, {})->empty());
  EXPECT_EQ(ClaimDue(outbox(), kNow + 5000, "w", kLease, 10, {})->size(), 1u);
}

TEST_P(StorageConformanceTest, ReleaseLeasesRequeuesOnlyTheOwnersMessages) {
  ASSERT_TRUE(Insert(outbox(), Sample("m1")));
  ASSERT_TRUE(Insert(outbox(), Sample("m2")));
  ASSERT_TRUE(ClaimDue(outbox(), kNow, "a", kLease, 1, {}));
  ASSERT_TRUE(ClaimDue(outbox(), kNow, "b", kLease, 1, {}));
  auto released = outbox().ReleaseLeases("a", kNow + 10);
  ASSERT_TRUE(released);
  EXPECT_EQ(*released, 1);
  auto again = ClaimDue(outbox(), kNow + 10, "c", kLease, 10, {});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->size(), 1u);
  EXPECT_EQ(*outbox().PendingCount(), 2);
}

TEST_P(StorageConformanceTest, SurvivesReopenAndDoesNotRemigrate) {
  if (!Persists()) GTEST_SKIP() << "each open is a database of its own";
  ASSERT_TRUE(Insert(outbox(), Sample("m1", true)));
  Open();
  auto got = outbox().Get("default", "m1");
  ASSERT_TRUE(got && got->has_value());
  // Get gives the media as a claim does: its metadata, not its bytes.
  const auto* media = core::MediaOf((*got)->message);
  ASSERT_NE(media, nullptr);
  EXPECT_EQ(media->file_name, "invoice.pdf");
  EXPECT_TRUE(media->bytes.empty());
  auto claimed = ClaimDue(outbox(), kNow, "w", kLease, 1, {});
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ(testing::Template((*claimed)[0].message).header->mime_type, "application/pdf");
}

TEST_P(StorageConformanceTest, ListsUnfinishedDeliveries) {
  for (const char* id : {"m1", "m2", "m3", "m4"}) ASSERT_TRUE(Insert(outbox(), Sample(id)));
  ASSERT_TRUE(ClaimDue(outbox(), kNow, "w", kLease, 4, {}));
  ASSERT_TRUE(MarkAccepted(outbox(), "m1", "w", "p1", "", kNow + 1));
  ASSERT_TRUE(MarkAccepted(outbox(), "m2", "w", "p2", "", kNow + 2));
  ASSERT_TRUE(MarkAccepted(outbox(), "m3", "w", "p3", "", kNow + 3));
  ASSERT_TRUE(RecordDeliveryStatus(delivery_statuses(), "p2", core::MessageStatus::kDelivered,
                                   kNow + 4, ""));
  ASSERT_TRUE(
      RecordDeliveryStatus(delivery_statuses(), "p3", core::MessageStatus::kRead, kNow + 5, ""));
  auto unfinished = delivery_statuses().UnfinishedDeliveries(10);
  ASSERT_TRUE(unfinished);
  ASSERT_EQ(unfinished->size(), 2u);  // m3 is read, m4 was never accepted
  EXPECT_EQ((*unfinished)[0].provider_message_id, "p1");
  EXPECT_EQ((*unfinished)[0].status, core::MessageStatus::kAccepted);
  EXPECT_EQ((*unfinished)[0].service_phone, "3902124122690");
  EXPECT_EQ((*unfinished)[1].provider_message_id, "p2");
  EXPECT_EQ((*unfinished)[1].status, core::MessageStatus::kDelivered);
}

TEST_P(StorageConformanceTest, ClaimSkipsThrottledNumbersAndReleaseDoesNotCountAnAttempt) {
  NewMessage other = Sample("m2");
  other.message.service_phone = "441234567890";
  ASSERT_TRUE(Insert(outbox(), Sample("m1")));
  ASSERT_TRUE(Insert(outbox(), other));
  auto claimed = ClaimDue(outbox(), kNow, "w", kLease, 10, {"3902124122690"});
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].id, "m2");
  ASSERT_TRUE(Release(outbox(), "m2", "w", kNow + 500));
  EXPECT_FALSE(Release(outbox(), "m2", "w", kNow + 500));  // no longer leased
  EXPECT_TRUE(ClaimDue(outbox(), kNow + 499, "w", kLease, 10, {"3902124122690"})->empty());
  auto again = ClaimDue(outbox(), kNow + 500, "w", kLease, 10, {});
  ASSERT_TRUE(again);
  ASSERT_EQ(again->size(), 2u);
  for (const auto& m : *again) EXPECT_EQ(m.attempts, 1) << m.id;
}

TEST_P(StorageConformanceTest, ExtendedLeasesAreNotReclaimed) {
  ASSERT_TRUE(Insert(outbox(), Sample("m1")));
  ASSERT_TRUE(ClaimDue(outbox(), kNow, "a", kLease, 10, {}));
  ASSERT_TRUE(outbox().ExtendLeases({"m1"}, "a", kNow + 3 * kLease));
  ASSERT_TRUE(outbox().ExtendLeases({"m1"}, "intruder", kNow + 10 * kLease));  // not its lease
  EXPECT_TRUE(ClaimDue(outbox(), kNow + 2 * kLease, "b", kLease, 10, {})->empty());
  EXPECT_EQ(ClaimDue(outbox(), kNow + 3 * kLease, "b", kLease, 10, {})->size(), 1u);
}

// ---- Group commit ----------------------------------------------------------------------------

TEST_P(StorageConformanceTest, ConcurrentInsertsAreEachStoredOnce) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!Insert(outbox(), Sample("m-" + std::to_string(t) + "-" + std::to_string(i)))) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto pending = outbox().PendingCount();
  ASSERT_TRUE(pending);
  EXPECT_EQ(*pending, kThreads * kPerThread);
}

TEST_P(StorageConformanceTest, AsyncInsertsAnswerOnceDurableAndAFailingOneRollsBackAlone) {
  ASSERT_TRUE(Insert(outbox(), Sample("taken")));
  std::mutex mutex;
  std::vector<std::pair<std::string, bool>> answers;
  const std::vector<std::string> ids = {"a-1", "taken", "a-2", "a-3"};
  for (const auto& id : ids) {
    outbox().InsertAsync(Sample(id, /*with_media=*/true), [&, id](core::Result<Inserted> r) {
      std::lock_guard lock(mutex);
      answers.emplace_back(id, r.has_value());
      if (!r) {
        EXPECT_EQ(r.error().code, core::ErrorCode::kAlreadyExists);
      }
    });
  }
  storage_->Drain();  // every callback above has run when this returns
  ASSERT_EQ(answers.size(), ids.size());
  for (const auto& [id, ok] : answers) EXPECT_EQ(ok, id != "taken") << id;

  // What was answered as stored survives a reopen, with its media; the duplicate left nothing.
  if (Persists()) Open();
  for (const std::string id : {"a-1", "a-2", "a-3"}) {
    auto got = outbox().Get("default", id);
    ASSERT_TRUE(got && got->has_value()) << id;
  }
  auto claimed = ClaimDue(outbox(), kNow, "w", kLease, 10, {});
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->size(), 4u);  // taken, a-1, a-2, a-3
  for (const auto& m : *claimed) {
    if (m.id != "taken") {
      ASSERT_TRUE(testing::Template(m.message).header.has_value()) << m.id;
      EXPECT_EQ(testing::Template(m.message).header->file_name, "invoice.pdf");
    }
  }
}

TEST_P(StorageConformanceTest, AFullQueueRefusesNewMessagesButNeverWhatFollowsFromAcceptedWork) {
  for (const std::string id : {"out-a", "out-b", "out-s"})
    ASSERT_TRUE(Insert(outbox(), Sample(id)));
  ASSERT_EQ(ClaimDue(outbox(), kNow, "w", kLease, 3, {})->size(), 3u);
  ASSERT_TRUE(MarkAccepted(outbox(), "out-s", "w", "wamid.s", "", kNow));

  HeldCommitter held(outbox(), Sample("held-committer"));
  // New messages until one is refused: the refusal is answered at once, on this thread.
  std::atomic<int> refused{0};
  int queued = 0;
  while (refused.load() == 0 && queued < (1 << 20)) {
    outbox().InsertAsync(Sample("fill-" + std::to_string(queued++)), [&](core::Result<Inserted> r) {
      if (r) return;
      ++refused;
      EXPECT_EQ(r.error().code, core::ErrorCode::kUnavailable);
    });
  }
  ASSERT_EQ(refused.load(), 1) << "no new message was refused";

  // Outcomes, give-backs, claims and statuses still wait their turn, and are recorded.
  std::mutex mutex;
  std::map<std::string, bool> answers;
  const auto answer = [&](std::string what) {
    return [&, what](const auto& r) {
      std::lock_guard lock(mutex);
      answers[what] = r.has_value();
    };
  };
  AttemptEnd accepted;
  accepted.kind = AttemptEnd::Kind::kAccepted;
  accepted.id = "out-a";
  accepted.owner = "w";
  accepted.provider_message_id = "wamid.a";
  accepted.now_ms = kNow + 1;
  outbox().RecordAttemptAsync(accepted, answer("accepted"));
  AttemptEnd given_back;
  given_back.kind = AttemptEnd::Kind::kGivenBack;
  given_back.id = "out-b";
  given_back.owner = "w";
  given_back.next_attempt_at_ms = kNow + 5000;
  outbox().RecordAttemptAsync(given_back, answer("given back"));
  outbox().ClaimDueAsync(kNow, "w", kLease, 1, {}, answer("claim"));
  WebhookApplication status;
  status.event_id = "event-s";
  status.now_ms = kNow + 2;
  status.reports.push_back(testing::Report("wamid.s", core::MessageStatus::kDelivered, kNow + 2));
  delivery_statuses().ApplyWebhookAsync(status, [&](core::Result<WebhookApplied> r) {
    answer("status")(r ? core::Result<void>() : tl::unexpected(r.error()));
  });
  {
    std::lock_guard lock(mutex);
    EXPECT_TRUE(answers.empty()) << "refused at once";
  }
  held.Release();
  storage_->Drain();
  EXPECT_EQ(answers,
            (std::map<std::string, bool>{
                {"accepted", true}, {"given back", true}, {"claim", true}, {"status", true}}));
  EXPECT_EQ((*outbox().Get("default", "out-a"))->status, core::MessageStatus::kAccepted);
  EXPECT_EQ((*outbox().Get("default", "out-b"))->status, core::MessageStatus::kQueued);
  EXPECT_EQ((*outbox().Get("default", "out-s"))->status, core::MessageStatus::kDelivered);
}

TEST_P(StorageConformanceTest, OutcomesCommittedTogetherAreEachRecordedAndALostLeaseFailsAlone) {
  for (const std::string id : {"a1", "a2", "b1", "b2", "lost"}) {
    ASSERT_TRUE(Insert(outbox(), Sample(id)));
  }
  ASSERT_EQ(ClaimDue(outbox(), kNow, "w", kLease, 5, {})->size(), 5u);
  // Outcomes queued while the committer is held go into one batch (an engine may record them
  // with one statement per kind).
  HeldCommitter held(outbox(), Sample("held-committer"));
  std::mutex mutex;
  std::map<std::string, core::Result<void>> answers;
  const auto end = [&](AttemptEnd::Kind kind, const std::string& id, const std::string& owner) {
    AttemptEnd e;
    e.kind = kind;
    e.id = id;
    e.owner = owner;
    e.provider_message_id = "wamid." + id;
    e.next_attempt_at_ms = kNow + 5000;
    e.now_ms = kNow + 1;
    outbox().RecordAttemptAsync(e, [&, id](core::Result<void> r) {
      std::lock_guard lock(mutex);
      answers.emplace(id, std::move(r));
    });
  };
  end(AttemptEnd::Kind::kAccepted, "a1", "w");
  end(AttemptEnd::Kind::kGivenBack, "b1", "w");
  end(AttemptEnd::Kind::kAccepted, "a2", "w");
  end(AttemptEnd::Kind::kGivenBack, "b2", "w");
  end(AttemptEnd::Kind::kAccepted, "lost", "someone-else");
  held.Release();
  storage_->Drain();
  ASSERT_EQ(answers.size(), 5u);
  for (const std::string id : {"a1", "a2", "b1", "b2"}) {
    EXPECT_TRUE(answers.at(id)) << id << ": " << answers.at(id).error().detail;
  }
  ASSERT_FALSE(answers.at("lost"));
  EXPECT_EQ(answers.at("lost").error().code, core::ErrorCode::kNotFound);
  for (const std::string id : {"a1", "a2"}) {
    const StoredMessage m = **outbox().Get("default", id);
    EXPECT_EQ(m.status, core::MessageStatus::kAccepted);
    EXPECT_EQ(m.provider_message_id, "wamid." + id);
    EXPECT_EQ(m.history.back().status, core::MessageStatus::kAccepted);
  }
  for (const std::string id : {"b1", "b2"}) {
    const StoredMessage m = **outbox().Get("default", id);
    EXPECT_EQ(m.status, core::MessageStatus::kQueued);
    EXPECT_EQ(m.attempts, 0) << "a give-back is not an attempt";
    EXPECT_EQ(m.next_attempt_at_ms, kNow + 5000);
  }
  EXPECT_EQ((**outbox().Get("default", "lost")).status, core::MessageStatus::kSending);
  // held-committer, b1, b2 and lost wait; a1 and a2 were sent.
  EXPECT_EQ(*outbox().PendingCount(), 4);
}

TEST_P(StorageConformanceTest, OutboxDepthFollowsEveryWriteAndAnotherConnectionsToo) {
  EXPECT_EQ(*outbox().PendingCount(), 0);
  for (const std::string id : {"p1", "p2", "p3", "p4"}) ASSERT_TRUE(Insert(outbox(), Sample(id)));
  EXPECT_FALSE(Insert(outbox(), Sample("p1")));  // a refused write does not count
  EXPECT_EQ(*outbox().PendingCount(), 4);
  ASSERT_EQ(ClaimDue(outbox(), kNow, "w", kLease, 4, {})->size(), 4u);
  EXPECT_EQ(*outbox().PendingCount(), 4);  // sending is still waiting
  ASSERT_TRUE(MarkAccepted(outbox(), "p1", "w", "wamid.p1", "", kNow + 1));
  ASSERT_TRUE(MarkFailed(outbox(), "p2", "w", "132001", "template missing", kNow + 1));
  ASSERT_TRUE(Reschedule(outbox(), "p3", "w", kNow + 10, "131000", "later", kNow + 1));
  ASSERT_TRUE(Release(outbox(), "p4", "w", kNow));
  EXPECT_FALSE(MarkAccepted(outbox(), "p1", "w", "wamid.p1", "", kNow + 2));  // lease gone
  EXPECT_EQ(*outbox().PendingCount(), 2);
  ASSERT_TRUE(RecordDeliveryStatus(delivery_statuses(), "wamid.p1", core::MessageStatus::kDelivered,
                                   kNow + 3, ""));
  EXPECT_EQ(*outbox().PendingCount(), 2);

  // A second process on the same database: its messages count as soon as it has committed them.
  if (!Persists()) return;
  auto other = OpenStorage(database_.url);
  ASSERT_TRUE(other) << other.error().detail;
  ASSERT_TRUE(Insert((*other)->outbox(), Sample("from-another-process")));
  EXPECT_EQ(*outbox().PendingCount(), 3);
  ASSERT_TRUE(Insert(outbox(), Sample("p5")));
  EXPECT_EQ(*outbox().PendingCount(), 4);
  EXPECT_EQ(*(*other)->outbox().PendingCount(), 4);
}

TEST_P(StorageConformanceTest, AWriteFromAnInsertCallbackDoesNotDeadlock) {
  // The send endpoint records an idempotent answer from the insert's callback when no worker
  // takes it.
  NewMessage keyed = Sample("cb");
  keyed.idempotency = IdempotencyKey{"key-1", "hash-1"};
  std::atomic<bool> saved{false};
  outbox().InsertAsync(keyed, [&](core::Result<Inserted> r) {
    ASSERT_TRUE(r);
    // Runs on the store's thread: a synchronous write from here must not wait for itself.
    saved = storage_->idempotency_keys()
                .SaveIdempotentAnswer("default", "key-1", 200, "{}")
                .has_value();
  });
  storage_->Drain();
  EXPECT_TRUE(saved.load());
  auto found = storage_->idempotency_keys().FindIdempotencyKey("default", "key-1", kNow);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->message_id, "cb");
  EXPECT_EQ((*found)->answer_status, 200);
}

// ---- Idempotency keys, sessions, trusted addresses ---------------------------------------------

TEST_P(StorageConformanceTest, AnIdempotencyKeyHoldsForADayAndKeepsItsFirstAnswer) {
  NewMessage first = Sample("k1");
  first.idempotency = IdempotencyKey{"key", "hash"};
  ASSERT_TRUE(Insert(outbox(), first));
  NewMessage again = Sample("k2");
  again.idempotency = IdempotencyKey{"key", "hash"};
  auto refused = Insert(outbox(), again);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::kAlreadyExists);
  EXPECT_FALSE(outbox().Get("default", "k2")->has_value());  // nothing of it was stored

  auto& keys = storage_->idempotency_keys();
  ASSERT_TRUE(keys.SaveIdempotentAnswer("default", "key", 200, "first"));
  ASSERT_TRUE(keys.SaveIdempotentAnswer("default", "key", 503, "second"));
  auto found = keys.FindIdempotencyKey("default", "key", kNow);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->message_id, "k1");
  EXPECT_EQ((*found)->request_hash, "hash");
  EXPECT_EQ((*found)->answer_status, 200);
  EXPECT_EQ((*found)->answer_body, "first");
  EXPECT_FALSE(keys.FindIdempotencyKey("other", "key", kNow)->has_value());
  EXPECT_FALSE(
      keys.FindIdempotencyKey("default", "key", kNow + kIdempotencyKeyLifetimeMs + 1)->has_value());

  // A day later the key is free again.
  NewMessage later = Sample("k3");
  later.now_ms = kNow + kIdempotencyKeyLifetimeMs + 1;
  later.idempotency = IdempotencyKey{"key", "other-hash"};
  ASSERT_TRUE(Insert(outbox(), later));
  found = keys.FindIdempotencyKey("default", "key", later.now_ms);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->message_id, "k3");
  EXPECT_FALSE((*found)->answer_status.has_value());
}

TEST_P(StorageConformanceTest, SessionsAreFoundUntilTheyExpireOrAreDeleted) {
  auto& sessions = storage_->sessions();
  ASSERT_TRUE(sessions.CreateSession(Session{"hash-a", "default", "demo", kNow, kNow + 1000}));
  auto found = sessions.FindSession("hash-a", kNow + 999);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->user, "demo");
  EXPECT_EQ((*found)->domain, "default");
  EXPECT_EQ((*found)->expires_at_ms, kNow + 1000);
  EXPECT_FALSE(sessions.FindSession("hash-a", kNow + 1000)->has_value());
  EXPECT_FALSE(sessions.FindSession("hash-unknown", kNow)->has_value());
  auto deleted = sessions.DeleteSession("hash-a");
  ASSERT_TRUE(deleted);
  EXPECT_TRUE(*deleted);
  EXPECT_FALSE(*sessions.DeleteSession("hash-a"));
}

TEST_P(StorageConformanceTest, TrustedAddressesKeepTheirLatestSuccessNewestFirst) {
  auto& trusted = storage_->trusted_addresses();
  const auto save = [&](TrustedAddress t, std::int64_t forget_before_ms) {
    testing::Answer<core::Result<void>> answer;
    trusted.SaveTrustedAddressAsync(std::move(t), forget_before_ms, answer.Callback());
    return answer.Get();
  };
  ASSERT_TRUE(save({"default", "demo", "10.0.0.1", kNow}, 0));
  ASSERT_TRUE(save({"default", "demo", "10.0.0.2", kNow + 10}, 0));
  ASSERT_TRUE(save({"default", "demo", "10.0.0.1", kNow + 20}, 0));
  ASSERT_TRUE(save({"default", "demo", "10.0.0.1", kNow + 5}, 0));  // older: kept the newer
  auto listed = trusted.ListTrustedAddresses(kNow, 10);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].address, "10.0.0.1");
  EXPECT_EQ((*listed)[0].last_success_ms, kNow + 20);
  EXPECT_EQ((*listed)[1].address, "10.0.0.2");
  EXPECT_EQ(trusted.ListTrustedAddresses(kNow + 11, 10)->size(), 1u);
  EXPECT_EQ(trusted.ListTrustedAddresses(kNow, 1)->size(), 1u);
  // Saving forgets the addresses last trusted before `forget_before_ms`.
  ASSERT_TRUE(save({"default", "other", "10.0.0.3", kNow + 30}, kNow + 15));
  auto after = trusted.ListTrustedAddresses(0, 10);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->size(), 2u);  // 10.0.0.2 (kNow + 10) is forgotten
}

std::string EngineName(const ::testing::TestParamInfo<Engine>& param) { return param.param.name; }

INSTANTIATE_TEST_SUITE_P(Engines, StorageConformanceTest, ::testing::ValuesIn(kEngines),
                         EngineName);

TEST_P(StorageConformanceTest, AttemptStatesShowWhereEachMessagesAttemptsStandInAnyDomain) {
  ASSERT_TRUE(Insert(outbox(), Sample("waiting")));
  ASSERT_TRUE(Insert(outbox(), Sample("accepted")));
  NewMessage other = Sample("other-domain");
  other.domain = "other";
  ASSERT_TRUE(Insert(outbox(), other));
  auto claimed = ClaimDue(outbox(), kNow, "w", kLease, 1, {});
  ASSERT_EQ(claimed->size(), 1u);
  const std::string first = (*claimed)[0].id;
  ASSERT_TRUE(MarkAccepted(outbox(), first, "w", "wamid.s", "", kNow + 1));
  auto states = outbox().AttemptStates({first, "other-domain", "no-such-id"});
  ASSERT_TRUE(states) << states.error().detail;
  ASSERT_EQ(states->size(), 2u);
  std::map<std::string, AttemptState> by_id;
  for (auto& s : *states) by_id[s.id] = s;
  EXPECT_EQ(by_id[first].status, core::MessageStatus::kAccepted);
  EXPECT_EQ(by_id[first].attempts, 1);
  EXPECT_EQ(by_id[first].provider_message_id, "wamid.s");
  EXPECT_EQ(by_id["other-domain"].status, core::MessageStatus::kQueued);
  EXPECT_EQ(by_id["other-domain"].attempts, 0);
  EXPECT_TRUE(outbox().AttemptStates({})->empty());
}

// ---- Number leases: one sender per business number --------------------------------------------

constexpr std::int64_t kNumberLease = 10'000;
constexpr std::int64_t kHandover = 2'000;

// The numbers `owner` holds after a renewal at `now_ms` (the test fails on an error).
std::vector<std::string> Renew(NumberLeases& leases, const std::string& owner,
                               const std::vector<std::string>& numbers, std::int64_t now_ms) {
  std::promise<core::Result<std::vector<std::string>>> answer;
  leases.RenewNumberLeasesAsync(
      NumberLeaseRenewal{owner, numbers, now_ms, kNumberLease, kHandover},
      [&](core::Result<std::vector<std::string>> r) { answer.set_value(std::move(r)); });
  auto held = answer.get_future().get();
  EXPECT_TRUE(held) << held.error().detail;
  return held ? *held : std::vector<std::string>{};
}

const std::vector<std::string> kNumbers = {"3901", "3902", "3903", "3904"};

TEST_P(StorageConformanceTest, OneInstanceHoldsEveryNumberAndKeepsThemWhileItRenews) {
  auto& leases = storage_->number_leases();
  EXPECT_EQ(Renew(leases, "a", kNumbers, kNow), kNumbers);
  EXPECT_EQ(Renew(leases, "a", kNumbers, kNow + kNumberLease - 1), kNumbers);
  // A number no longer listed is given up.
  EXPECT_EQ(Renew(leases, "a", {"3901", "3902"}, kNow + kNumberLease),
            (std::vector<std::string>{"3901", "3902"}));
}

TEST_P(StorageConformanceTest, ASecondInstanceGetsItsShareAfterTheHandoverAndNoNumberHasTwo) {
  auto& leases = storage_->number_leases();
  EXPECT_EQ(Renew(leases, "a", kNumbers, kNow), kNumbers);
  // b starts: a holds everything, so b has nothing yet...
  EXPECT_TRUE(Renew(leases, "b", kNumbers, kNow + 100).empty());
  // ...a's next renewal sees two instances and gives up half, free after the handover...
  const auto a_half = Renew(leases, "a", kNumbers, kNow + 200);
  EXPECT_EQ(a_half, (std::vector<std::string>{"3901", "3902"}));
  EXPECT_TRUE(Renew(leases, "b", kNumbers, kNow + 200 + kHandover - 1).empty());
  // ...and b takes them once it has passed.
  const auto b_half = Renew(leases, "b", kNumbers, kNow + 200 + kHandover);
  EXPECT_EQ(b_half, (std::vector<std::string>{"3903", "3904"}));
  EXPECT_EQ(Renew(leases, "a", kNumbers, kNow + 3000), a_half);
  EXPECT_EQ(Renew(leases, "b", kNumbers, kNow + 3000), b_half);
}

TEST_P(StorageConformanceTest, TheNumbersOfAnInstanceThatStoppedRenewingGoToTheOthers) {
  auto& leases = storage_->number_leases();
  EXPECT_EQ(Renew(leases, "a", kNumbers, kNow), kNumbers);
  EXPECT_TRUE(Renew(leases, "b", kNumbers, kNow + 1).empty());
  // a dies. Until its leases end b waits; then a no longer counts, and b takes everything.
  EXPECT_TRUE(Renew(leases, "b", kNumbers, kNow + kNumberLease - 1).empty());
  EXPECT_EQ(Renew(leases, "b", kNumbers, kNow + kNumberLease), kNumbers);
}

TEST_P(StorageConformanceTest, ReleasedNumbersAreFreeAfterTheHandover) {
  auto& leases = storage_->number_leases();
  EXPECT_EQ(Renew(leases, "a", kNumbers, kNow), kNumbers);
  ASSERT_TRUE(leases.ReleaseNumberLeases("a", kNow + 10, kHandover));
  EXPECT_TRUE(Renew(leases, "b", kNumbers, kNow + 10 + kHandover - 1).empty());
  EXPECT_EQ(Renew(leases, "b", kNumbers, kNow + 10 + kHandover), kNumbers);
}

TEST_P(StorageConformanceTest, AnOwnersOwnExpiredLeaseIsLeftToItAndTakenByAnother) {
  ASSERT_TRUE(Insert(outbox(), Sample("m1")));
  ASSERT_EQ(ClaimDue(outbox(), kNow, "a", kLease, 10, {})->size(), 1u);
  // a's renewal ran late: a still holds m1 and will record its outcome; its own claim leaves it.
  std::optional<core::Result<Claim>> answer;
  outbox().ClaimDueAsync(kNow + kLease, "a", kLease, 10, {},
                         [&](core::Result<Claim> c) { answer = std::move(c); });
  storage_->Drain();
  ASSERT_TRUE(answer && *answer);
  EXPECT_TRUE((*answer)->messages.empty());
  EXPECT_FALSE((*answer)->next_due_at_ms.has_value()) << "its own lease is not due to it";
  // Another owner takes it: a may be gone.
  auto taken = ClaimDue(outbox(), kNow + kLease, "b", kLease, 10, {});
  ASSERT_TRUE(taken);
  ASSERT_EQ(taken->size(), 1u);
  EXPECT_EQ((*taken)[0].attempts, 2);
}

// ---- The message list (Outbox::ListMessages) --------------------------------------------------

// A message for the list's tests: default's seed message but for what the test sets.
struct Listed {
  std::string id;
  std::int64_t at_ms = kNow;
  std::string domain = "default";
  std::string service = "3902124122690";
  std::string customer = "393403603062";
  std::string template_name = "shipping_confirmation";
};

NewMessage ListSample(const Listed& l) {
  NewMessage m = Sample(l.id);
  m.domain = l.domain;
  m.now_ms = l.at_ms;
  m.message.service_phone = l.service;
  m.message.customer_phone = l.customer;
  testing::Template(m.message).template_name = l.template_name;
  return m;
}

MessageQuery ListQuery(const std::string& domain = "default") {
  MessageQuery q;
  q.domain = domain;
  return q;
}

std::vector<std::string> Ids(const MessagePage& page) {
  std::vector<std::string> ids;
  for (const auto& m : page.messages) ids.push_back(m.id);
  return ids;
}

// The ids of every page of `query`, walked with each page's `next`; the pages' sizes in `sizes`.
std::vector<std::string> Walk(Outbox& outbox, MessageQuery query,
                              std::vector<std::size_t>* sizes = nullptr) {
  std::vector<std::string> ids;
  for (int pages = 0; pages < 100; ++pages) {
    auto page = outbox.ListMessages(query);
    EXPECT_TRUE(page) << page.error().detail;
    if (!page) break;
    if (sizes != nullptr) sizes->push_back(page->messages.size());
    for (auto& id : Ids(*page)) ids.push_back(std::move(id));
    if (!page->next) break;
    query.after = page->next;
  }
  return ids;
}

using IdList = std::vector<std::string>;

TEST_P(StorageConformanceTest, TheListIsNewestFirstWithoutHistoryAndWithMediaMetadata) {
  ASSERT_TRUE(Insert(outbox(), ListSample({.id = "m1", .at_ms = kNow})));
  NewMessage with_media = Sample("m2", true);
  with_media.now_ms = kNow + 1;
  ASSERT_TRUE(Insert(outbox(), with_media));
  ASSERT_TRUE(Insert(outbox(), ListSample({.id = "m3", .at_ms = kNow + 2})));
  auto page = outbox().ListMessages(ListQuery());
  ASSERT_TRUE(page) << page.error().detail;
  EXPECT_EQ(Ids(*page), (IdList{"m3", "m2", "m1"}));
  EXPECT_FALSE(page->next.has_value());
  for (const auto& m : page->messages) {
    EXPECT_TRUE(m.history.empty()) << m.id;
    EXPECT_EQ(m.status, core::MessageStatus::kQueued);
    EXPECT_EQ(m.domain, "default");
    EXPECT_EQ(m.message.customer_phone, "393403603062");
  }
  EXPECT_EQ(page->messages[0].created_at_ms, kNow + 2);
  const auto* media = core::MediaOf(page->messages[1].message);
  ASSERT_NE(media, nullptr);
  EXPECT_EQ(media->file_name, "invoice.pdf");
  EXPECT_TRUE(media->bytes.empty());
  EXPECT_EQ(core::MediaOf(page->messages[0].message), nullptr);
}

TEST_P(StorageConformanceTest, PagesWalkEveryMessageOnceAndEqualTimesGoByIdDescending) {
  // Seven messages of one millisecond between two others: the id decides among them.
  ASSERT_TRUE(Insert(outbox(), ListSample({.id = "z-old", .at_ms = kNow - 1})));
  for (const char* id : {"m4", "m1", "m7", "m3", "m6", "m2", "m5"}) {
    ASSERT_TRUE(Insert(outbox(), ListSample({.id = id, .at_ms = kNow})));
  }
  ASSERT_TRUE(Insert(outbox(), ListSample({.id = "a-new", .at_ms = kNow + 1})));
  const IdList all = {"a-new", "m7", "m6", "m5", "m4", "m3", "m2", "m1", "z-old"};
  MessageQuery q = ListQuery();
  EXPECT_EQ(Walk(outbox(), q), all);
  for (const std::size_t limit : {1, 2, 3, 9, 10}) {
    q.limit = static_cast<int>(limit);
    std::vector<std::size_t> sizes;
    EXPECT_EQ(Walk(outbox(), q, &sizes), all) << "limit " << limit;
    // Full pages, then the rest; a last page that is full says so by a null next.
    EXPECT_EQ(sizes.size(), (all.size() + limit - 1) / limit) << "limit " << limit;
    for (std::size_t i = 0; i + 1 < sizes.size(); ++i) EXPECT_EQ(sizes[i], limit);
  }
  // A page starts right after its cursor, also inside a millisecond.
  q.limit = 2;
  q.after = ListPosition{kNow, "m5"};
  auto page = outbox().ListMessages(q);
  ASSERT_TRUE(page);
  EXPECT_EQ(Ids(*page), (IdList{"m4", "m3"}));
  ASSERT_TRUE(page->next.has_value());
  EXPECT_EQ(page->next->created_at_ms, kNow);
  EXPECT_EQ(page->next->id, "m3");
}

TEST_P(StorageConformanceTest, MessagesStoredBetweenPagesNeitherShiftNorRepeatTheWalk) {
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(Insert(outbox(), ListSample({.id = "m" + std::to_string(i), .at_ms = kNow + i})));
  }
  MessageQuery q = ListQuery();
  q.limit = 2;
  auto first = outbox().ListMessages(q);
  ASSERT_TRUE(first && first->next);
  EXPECT_EQ(Ids(*first), (IdList{"m5", "m4"}));
  // New messages arrive, newer than every page, some in the same millisecond as the last one.
  ASSERT_TRUE(Insert(outbox(), ListSample({.id = "m9", .at_ms = kNow + 5})));
  ASSERT_TRUE(Insert(outbox(), ListSample({.id = "n1", .at_ms = kNow + 10})));
  q.after = first->next;
  EXPECT_EQ(Walk(outbox(), q), (IdList{"m3", "m2", "m1", "m0"}));
  // A new walk sees them.
  q.after.reset();
  EXPECT_EQ(Walk(outbox(), q), (IdList{"n1", "m9", "m5", "m4", "m3", "m2", "m1", "m0"}));
}

TEST_P(StorageConformanceTest, EachFilterOfTheListAndTheirCombinations) {
  const std::string kOtherService = "3902124122691";
  const std::string kOtherCustomer = "447911123456";
  ASSERT_TRUE(Insert(outbox(), ListSample({.id = "a", .at_ms = kNow})));
  ASSERT_TRUE(
      Insert(outbox(), ListSample({.id = "b", .at_ms = kNow + 10, .service = kOtherService})));
  ASSERT_TRUE(
      Insert(outbox(), ListSample({.id = "c", .at_ms = kNow + 20, .customer = kOtherCustomer})));
  ASSERT_TRUE(
      Insert(outbox(), ListSample({.id = "d", .at_ms = kNow + 30, .template_name = "other"})));
  ASSERT_TRUE(Insert(
      outbox(),
      ListSample(
          {.id = "e", .at_ms = kNow + 40, .service = kOtherService, .customer = kOtherCustomer})));
  // a and b are sent: a accepted, b failed; the others stay queued.
  ASSERT_EQ(ClaimDue(outbox(), kNow + 10, "w", kLease, 2, {})->size(), 2u);
  ASSERT_TRUE(MarkAccepted(outbox(), "a", "w", "wamid.a", "393403603062", kNow + 50));
  ASSERT_TRUE(MarkFailed(outbox(), "b", "w", "131026", "undeliverable", kNow + 50));

  const auto list = [&](const std::function<void(MessageQuery&)>& set) {
    MessageQuery q = ListQuery();
    set(q);
    auto page = outbox().ListMessages(q);
    EXPECT_TRUE(page) << page.error().detail;
    return page ? Ids(*page) : IdList{"(failed)"};
  };
  using core::MessageStatus;
  EXPECT_EQ(list([](auto& q) { q.statuses = {MessageStatus::kFailed}; }), IdList{"b"});
  EXPECT_EQ(list([](auto& q) {
              q.statuses = {MessageStatus::kAccepted, MessageStatus::kFailed};
            }),
            (IdList{"b", "a"}));
  EXPECT_EQ(list([](auto& q) { q.statuses = {MessageStatus::kQueued}; }), (IdList{"e", "d", "c"}));
  EXPECT_EQ(list([](auto& q) { q.statuses = {MessageStatus::kRead}; }), IdList{});
  EXPECT_EQ(list([&](auto& q) { q.service_phone = kOtherService; }), (IdList{"e", "b"}));
  EXPECT_EQ(list([&](auto& q) { q.customer_phone = kOtherCustomer; }), (IdList{"e", "c"}));
  EXPECT_EQ(list([](auto& q) { q.template_name = "other"; }), IdList{"d"});
  // from inclusive, to exclusive.
  EXPECT_EQ(list([](auto& q) { q.from_ms = kNow + 10; }), (IdList{"e", "d", "c", "b"}));
  EXPECT_EQ(list([](auto& q) { q.to_ms = kNow + 10; }), IdList{"a"});
  EXPECT_EQ(list([](auto& q) {
              q.from_ms = kNow + 10;
              q.to_ms = kNow + 30;
            }),
            (IdList{"c", "b"}));
  EXPECT_EQ(list([](auto& q) {
              q.from_ms = kNow + 30;
              q.to_ms = kNow + 30;
            }),
            IdList{});
  // Combined: every filter must hold.
  EXPECT_EQ(list([&](auto& q) {
              q.service_phone = kOtherService;
              q.customer_phone = kOtherCustomer;
            }),
            IdList{"e"});
  EXPECT_EQ(list([&](auto& q) {
              q.customer_phone = kOtherCustomer;
              q.statuses = {MessageStatus::kQueued};
              q.from_ms = kNow + 30;
            }),
            IdList{"e"});
  EXPECT_EQ(list([&](auto& q) {
              q.service_phone = kOtherService;
              q.statuses = {MessageStatus::kFailed};
              q.template_name = "shipping_confirmation";
            }),
            IdList{"b"});
  // With a cursor and a `to` both: the earlier of the two bounds holds.
  EXPECT_EQ(list([](auto& q) {
              q.to_ms = kNow + 30;
              q.after = ListPosition{kNow + 40, "e"};
            }),
            (IdList{"c", "b", "a"}));
  EXPECT_EQ(list([](auto& q) {
              q.to_ms = kNow + 40;
              q.after = ListPosition{kNow + 20, "c"};
            }),
            (IdList{"b", "a"}));
}

TEST_P(StorageConformanceTest, TheListShowsOnlyItsDomainAndTheNumbersAllowed) {
  const std::string kOtherService = "3902124122691";
  ASSERT_TRUE(Insert(outbox(), ListSample({.id = "d1", .at_ms = kNow})));
  ASSERT_TRUE(
      Insert(outbox(), ListSample({.id = "d2", .at_ms = kNow + 1, .service = kOtherService})));
  ASSERT_TRUE(Insert(outbox(), ListSample({.id = "x1", .at_ms = kNow + 2, .domain = "acme"})));
  EXPECT_EQ(Walk(outbox(), ListQuery()), (IdList{"d2", "d1"}));
  EXPECT_EQ(Walk(outbox(), ListQuery("acme")), IdList{"x1"});
  EXPECT_EQ(Walk(outbox(), ListQuery("nobody")), IdList{});

  MessageQuery limited = ListQuery();
  limited.service_phones_allowed = {"3902124122690"};
  EXPECT_EQ(Walk(outbox(), limited), IdList{"d1"});
  limited.service_phones_allowed = {"3902124122690", kOtherService};
  EXPECT_EQ(Walk(outbox(), limited), (IdList{"d2", "d1"}));
  // A number the allowed ones leave out lists nothing; one among them lists its own.
  limited.service_phones_allowed = {"3902124122690"};
  limited.service_phone = kOtherService;
  EXPECT_EQ(Walk(outbox(), limited), IdList{});
  limited.service_phone = "3902124122690";
  EXPECT_EQ(Walk(outbox(), limited), IdList{"d1"});
}

TEST_P(StorageConformanceTest, TheListsLimitIsFromOneToAThousand) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Insert(outbox(), ListSample({.id = "m" + std::to_string(i), .at_ms = kNow + i})));
  }
  MessageQuery q = ListQuery();
  for (const int bad : {0, -1, kMaxMessageListLimit + 1}) {
    q.limit = bad;
    auto refused = outbox().ListMessages(q);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_NE(refused.error().message.find("limit"), std::string::npos);
  }
  q.limit = kMaxMessageListLimit;
  auto all = outbox().ListMessages(q);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->messages.size(), 3u);
  EXPECT_FALSE(all->next.has_value());
  q.limit = 1;
  auto one = outbox().ListMessages(q);
  ASSERT_TRUE(one);
  EXPECT_EQ(Ids(*one), IdList{"m2"});
  ASSERT_TRUE(one->next.has_value());
}

}  // namespace
}  // namespace socialgate::store
