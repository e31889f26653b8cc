#include "store/sqlite/sqlite_store.hpp"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "store/store.hpp"
#include "support/held_committer.hpp"
#include "support/sample_message.hpp"

namespace socialgate::store {
namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;
constexpr std::int64_t kLease = 60'000;

NewMessage Sample(const std::string& id, bool with_media = false) {
  NewMessage m = testing::SampleMessage(id, kNow);
  m.message.header_params = {"Griffin"};
  m.message.body_params = {"5", "quote \" and unicode \xC3\xA9"};
  m.message.url_params = {"contact-highway/"};
  if (with_media) {
    core::MediaHeader h;
    h.kind = core::MediaKind::kDocument;
    h.mime_type = "application/pdf";
    h.document_type = "pdf";
    h.file_name = "invoice.pdf";
    h.bytes = std::string("%PDF-1.4\0binary\xff", 16);
    m.message.header = h;
  }
  return m;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/sg-store-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    Open();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    store_.reset();
    auto s = OpenStore("sqlite:" + dir_ + "/db.sqlite");
    ASSERT_TRUE(s) << s.error().detail;
    store_ = std::move(*s);
  }

  std::string dir_;
  StorePtr store_;
};

TEST_F(SqliteStoreTest, InsertThenGetRoundTrips) {
  ASSERT_TRUE(store_->Insert(Sample("m1")));
  auto got = store_->Get("default", "m1");
  ASSERT_TRUE(got);
  ASSERT_TRUE(got->has_value());
  const StoredMessage& m = **got;
  EXPECT_EQ(m.status, "queued");
  EXPECT_EQ(m.message.customer_phone, "393403603062");
  EXPECT_EQ(m.message.body_params, Sample("x").message.body_params);
  EXPECT_EQ(m.message.url_params, std::vector<std::string>{"contact-highway/"});
  EXPECT_EQ(m.created_at_ms, kNow);
  ASSERT_EQ(m.history.size(), 1u);
  EXPECT_EQ(m.history[0].status, "queued");
}

TEST_F(SqliteStoreTest, DuplicateIdIsAlreadyExists) {
  ASSERT_TRUE(store_->Insert(Sample("m1")));
  auto again = store_->Insert(Sample("m1"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::ErrorCode::kAlreadyExists);
}

TEST_F(SqliteStoreTest, OtherDomainsDoNotSeeTheMessage) {
  ASSERT_TRUE(store_->Insert(Sample("m1")));
  auto got = store_->Get("other", "m1");
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->has_value());
}

TEST_F(SqliteStoreTest, ClaimLeasesEachMessageOnceAndLeavesMediaBytesInTheStore) {
  ASSERT_TRUE(store_->Insert(Sample("m1", true)));
  ASSERT_TRUE(store_->Insert(Sample("m2")));
  auto first = store_->ClaimDue(kNow, "worker-a", kLease, 10, {});
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 2u);
  for (const auto& m : *first) {
    EXPECT_EQ(m.status, "sending");
    EXPECT_EQ(m.attempts, 1);
    if (m.id == "m1") {
      ASSERT_TRUE(m.message.header.has_value());
      EXPECT_TRUE(m.message.header->bytes.empty());  // read when a send needs them
      auto bytes = store_->MediaBytes("m1");
      ASSERT_TRUE(bytes);
      EXPECT_EQ(*bytes, Sample("x", true).message.header->bytes);
      EXPECT_EQ(m.message.header->file_name, "invoice.pdf");
      EXPECT_EQ(m.message.header->kind, core::MediaKind::kDocument);
    } else {
      EXPECT_FALSE(m.message.header.has_value());
      auto none = store_->MediaBytes("m2");
      ASSERT_FALSE(none);
      EXPECT_EQ(none.error().code, core::ErrorCode::kNotFound);
    }
  }
  // A second worker gets nothing while the lease lasts...
  auto second = store_->ClaimDue(kNow + kLease - 1, "worker-b", kLease, 10, {});
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->empty());
  // ...and both messages once it has expired (worker-a died).
  auto after = store_->ClaimDue(kNow + kLease, "worker-b", kLease, 10, {});
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[0].attempts, 2);
  // worker-a's late outcome is refused: it no longer holds the lease.
  auto late = store_->MarkAccepted("m1", "worker-a", "wamid.1", "393403603062", kNow + 1);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, core::ErrorCode::kNotFound);
}

TEST_F(SqliteStoreTest, NotDueMessagesAreNotClaimedAndTheClaimSaysWhenTheNextIsDue) {
  ASSERT_TRUE(store_->Insert(Sample("m1")));
  auto claimed = store_->ClaimDue(kNow - 1, "w", kLease, 10, {});
  ASSERT_TRUE(claimed);
  EXPECT_TRUE(claimed->empty());

  std::optional<core::Result<Store::Claim>> answer;
  store_->ClaimDueAsync(kNow - 1, "w", kLease, 10, {},
                        [&](core::Result<Store::Claim> c) { answer = std::move(c); });
  store_->Flush();  // the callback has run when this returns
  ASSERT_TRUE(answer && *answer);
  EXPECT_TRUE((*answer)->messages.empty());
  EXPECT_EQ((*answer)->next_due_at_ms, kNow);

  // A claim that took the only message: what is due next is its lease's end.
  answer.reset();
  store_->ClaimDueAsync(kNow, "w", kLease, 10, {},
                        [&](core::Result<Store::Claim> c) { answer = std::move(c); });
  store_->Flush();
  ASSERT_TRUE(answer && *answer);
  ASSERT_EQ((*answer)->messages.size(), 1u);
  EXPECT_EQ((*answer)->next_due_at_ms, kNow + kLease);
}

TEST_F(SqliteStoreTest, AcceptedThenDeliveryStatusesMoveForwardOnly) {
  ASSERT_TRUE(store_->Insert(Sample("m1")));
  ASSERT_TRUE(store_->ClaimDue(kNow, "w", kLease, 1, {}));
  ASSERT_TRUE(store_->MarkAccepted("m1", "w", "wamid.1", "393403603062", kNow + 1));
  ASSERT_TRUE(store_->RecordDeliveryStatus("wamid.1", "sent", kNow + 2, ""));
  ASSERT_TRUE(store_->RecordDeliveryStatus("wamid.1", "read", kNow + 4, ""));
  ASSERT_TRUE(store_->RecordDeliveryStatus("wamid.1", "delivered", kNow + 3, ""));  // late
  auto got = store_->Get("default", "m1");
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->status, "read");
  EXPECT_EQ((*got)->provider_message_id, "wamid.1");
  EXPECT_EQ((*got)->wa_id, "393403603062");
  std::vector<std::string> statuses;
  for (const auto& e : (*got)->history) statuses.push_back(e.status);
  EXPECT_EQ(statuses, (std::vector<std::string>{"queued", "sending", "accepted", "sent", "read",
                                                "delivered"}));
  auto unknown = store_->RecordDeliveryStatus("wamid.unknown", "sent", kNow, "");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(*store_->PendingCount(), 0);
}

TEST_F(SqliteStoreTest, FailedAndRescheduled) {
  ASSERT_TRUE(store_->Insert(Sample("m1")));
  ASSERT_TRUE(store_->Insert(Sample("m2")));
  ASSERT_TRUE(store_->ClaimDue(kNow, "w", kLease, 2, {}));
  ASSERT_TRUE(store_->MarkFailed("m1", "w", "132001", "template missing", kNow + 1));
  ASSERT_TRUE(store_->Reschedule("m2", "w", kNow + 5000, "131000", "try later", kNow + 1));
  auto m1 = store_->Get("default", "m1");
  EXPECT_EQ((*m1)->status, "failed");
  EXPECT_EQ((*m1)->error_code, "132001");
  EXPECT_EQ((*m1)->error_message, "template missing");
  auto m2 = store_->Get("default", "m2");
  EXPECT_EQ((*m2)->status, "queued");
  EXPECT_EQ((*m2)->next_attempt_at_ms, kNow + 5000);
  EXPECT_TRUE(store_->ClaimDue(kNow + 4999, "w", kLease, 10, {})->empty());
  EXPECT_EQ(store_->ClaimDue(kNow + 5000, "w", kLease, 10, {})->size(), 1u);
}

TEST_F(SqliteStoreTest, ReleaseLeasesRequeuesOnlyTheOwnersMessages) {
  ASSERT_TRUE(store_->Insert(Sample("m1")));
  ASSERT_TRUE(store_->Insert(Sample("m2")));
  ASSERT_TRUE(store_->ClaimDue(kNow, "a", kLease, 1, {}));
  ASSERT_TRUE(store_->ClaimDue(kNow, "b", kLease, 1, {}));
  auto released = store_->ReleaseLeases("a", kNow + 10);
  ASSERT_TRUE(released);
  EXPECT_EQ(*released, 1);
  auto again = store_->ClaimDue(kNow + 10, "c", kLease, 10, {});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->size(), 1u);
  EXPECT_EQ(*store_->PendingCount(), 2);
}

TEST_F(SqliteStoreTest, SurvivesReopenAndDoesNotRemigrate) {
  ASSERT_TRUE(store_->Insert(Sample("m1", true)));
  Open();
  auto got = store_->Get("default", "m1");
  ASSERT_TRUE(got && got->has_value());
  auto claimed = store_->ClaimDue(kNow, "w", kLease, 1, {});
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].message.header->mime_type, "application/pdf");
}

TEST_F(SqliteStoreTest, ListsUnfinishedDeliveries) {
  for (const char* id : {"m1", "m2", "m3", "m4"}) ASSERT_TRUE(store_->Insert(Sample(id)));
  ASSERT_TRUE(store_->ClaimDue(kNow, "w", kLease, 4, {}));
  ASSERT_TRUE(store_->MarkAccepted("m1", "w", "p1", "", kNow + 1));
  ASSERT_TRUE(store_->MarkAccepted("m2", "w", "p2", "", kNow + 2));
  ASSERT_TRUE(store_->MarkAccepted("m3", "w", "p3", "", kNow + 3));
  ASSERT_TRUE(store_->RecordDeliveryStatus("p2", "delivered", kNow + 4, ""));
  ASSERT_TRUE(store_->RecordDeliveryStatus("p3", "read", kNow + 5, ""));
  auto unfinished = store_->UnfinishedDeliveries(10);
  ASSERT_TRUE(unfinished);
  ASSERT_EQ(unfinished->size(), 2u);  // m3 is read, m4 was never accepted
  EXPECT_EQ((*unfinished)[0].provider_message_id, "p1");
  EXPECT_EQ((*unfinished)[0].status, "accepted");
  EXPECT_EQ((*unfinished)[0].service_phone, "3902124122690");
  EXPECT_EQ((*unfinished)[1].provider_message_id, "p2");
  EXPECT_EQ((*unfinished)[1].status, "delivered");
}

TEST_F(SqliteStoreTest, ClaimSkipsThrottledNumbersAndReleaseDoesNotCountAnAttempt) {
  NewMessage other = Sample("m2");
  other.message.service_phone = "441234567890";
  ASSERT_TRUE(store_->Insert(Sample("m1")));
  ASSERT_TRUE(store_->Insert(other));
  auto claimed = store_->ClaimDue(kNow, "w", kLease, 10, {"3902124122690"});
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].id, "m2");
  ASSERT_TRUE(store_->Release("m2", "w", kNow + 500));
  EXPECT_FALSE(store_->Release("m2", "w", kNow + 500));  // no longer leased
  EXPECT_TRUE(store_->ClaimDue(kNow + 499, "w", kLease, 10, {"3902124122690"})->empty());
  auto again = store_->ClaimDue(kNow + 500, "w", kLease, 10, {});
  ASSERT_TRUE(again);
  ASSERT_EQ(again->size(), 2u);
  for (const auto& m : *again) EXPECT_EQ(m.attempts, 1) << m.id;
}

TEST_F(SqliteStoreTest, ExtendedLeasesAreNotReclaimed) {
  ASSERT_TRUE(store_->Insert(Sample("m1")));
  ASSERT_TRUE(store_->ClaimDue(kNow, "a", kLease, 10, {}));
  ASSERT_TRUE(store_->ExtendLeases({"m1"}, "a", kNow + 3 * kLease));
  ASSERT_TRUE(store_->ExtendLeases({"m1"}, "intruder", kNow + 10 * kLease));  // not its lease
  EXPECT_TRUE(store_->ClaimDue(kNow + 2 * kLease, "b", kLease, 10, {})->empty());
  EXPECT_EQ(store_->ClaimDue(kNow + 3 * kLease, "b", kLease, 10, {})->size(), 1u);
}

TEST(OpenStoreTest, RejectsUnknownUrls) {
  auto s = OpenStore("postgres://nowhere");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_FALSE(OpenStore("sqlite:"));
  EXPECT_TRUE(OpenStore("sqlite::memory:"));
}

TEST(OpenStoreTest, UnwritableLocationIsUnavailable) {
  auto s = OpenStore("sqlite:/nonexistent-dir/socialgate.db");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, core::ErrorCode::kUnavailable);
}

// ---- Group commit ----------------------------------------------------------------------------

TEST_F(SqliteStoreTest, ConcurrentInsertsAreEachStoredOnce) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!store_->Insert(Sample("m-" + std::to_string(t) + "-" + std::to_string(i)))) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto pending = store_->PendingCount();
  ASSERT_TRUE(pending);
  EXPECT_EQ(*pending, kThreads * kPerThread);
}

TEST_F(SqliteStoreTest, AsyncInsertsAnswerOnceDurableAndAFailingOneRollsBackAlone) {
  ASSERT_TRUE(store_->Insert(Sample("taken")));
  std::mutex mutex;
  std::vector<std::pair<std::string, bool>> answers;
  const std::vector<std::string> ids = {"a-1", "taken", "a-2", "a-3"};
  for (const auto& id : ids) {
    store_->InsertAsync(Sample(id, /*with_media=*/true), [&, id](core::Result<void> r) {
      std::lock_guard lock(mutex);
      answers.emplace_back(id, r.has_value());
      if (!r) {
        EXPECT_EQ(r.error().code, core::ErrorCode::kAlreadyExists);
      }
    });
  }
  store_->Flush();  // every callback above has run when this returns
  ASSERT_EQ(answers.size(), ids.size());
  for (const auto& [id, ok] : answers) EXPECT_EQ(ok, id != "taken") << id;

  // What was answered as stored survives a reopen, with its media; the duplicate left nothing.
  Open();
  for (const std::string id : {"a-1", "a-2", "a-3"}) {
    auto got = store_->Get("default", id);
    ASSERT_TRUE(got && got->has_value()) << id;
  }
  auto claimed = store_->ClaimDue(kNow, "w", kLease, 10, {});
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->size(), 4u);  // taken, a-1, a-2, a-3
  for (const auto& m : *claimed) {
    if (m.id != "taken") {
      ASSERT_TRUE(m.message.header.has_value()) << m.id;
      EXPECT_EQ(m.message.header->file_name, "invoice.pdf");
    }
  }
}

TEST_F(SqliteStoreTest, AFullQueueRefusesNewMessagesButNeverWhatFollowsFromAcceptedWork) {
  for (const std::string id : {"out-a", "out-b", "out-s"}) ASSERT_TRUE(store_->Insert(Sample(id)));
  ASSERT_EQ(store_->ClaimDue(kNow, "w", kLease, 3, {})->size(), 3u);
  ASSERT_TRUE(store_->MarkAccepted("out-s", "w", "wamid.s", "", kNow));

  HeldCommitter held(*store_, Sample("held-committer"));
  // New messages until one is refused: the refusal is answered at once, on this thread.
  std::atomic<int> refused{0};
  int queued = 0;
  while (refused.load() == 0 && queued < (1 << 20)) {
    store_->InsertAsync(Sample("fill-" + std::to_string(queued++)), [&](core::Result<void> r) {
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
  store_->RecordAttemptAsync(accepted, answer("accepted"));
  AttemptEnd given_back;
  given_back.kind = AttemptEnd::Kind::kGivenBack;
  given_back.id = "out-b";
  given_back.owner = "w";
  given_back.next_attempt_at_ms = kNow + 5000;
  store_->RecordAttemptAsync(given_back, answer("given back"));
  store_->ClaimDueAsync(kNow, "w", kLease, 1, {}, answer("claim"));
  store_->RecordDeliveryStatusAsync("wamid.s", "delivered", kNow + 2, "", answer("status"));
  {
    std::lock_guard lock(mutex);
    EXPECT_TRUE(answers.empty()) << "refused at once";
  }
  held.Release();
  store_->Flush();
  EXPECT_EQ(answers,
            (std::map<std::string, bool>{
                {"accepted", true}, {"given back", true}, {"claim", true}, {"status", true}}));
  EXPECT_EQ((*store_->Get("default", "out-a"))->status, "accepted");
  EXPECT_EQ((*store_->Get("default", "out-b"))->status, "queued");
  EXPECT_EQ((*store_->Get("default", "out-s"))->status, "delivered");
}

TEST_F(SqliteStoreTest, OutboxDepthFollowsEveryWriteAndAnotherConnectionsToo) {
  EXPECT_EQ(*store_->PendingCount(), 0);
  for (const std::string id : {"p1", "p2", "p3", "p4"}) ASSERT_TRUE(store_->Insert(Sample(id)));
  EXPECT_FALSE(store_->Insert(Sample("p1")));  // a refused write does not count
  EXPECT_EQ(*store_->PendingCount(), 4);
  ASSERT_EQ(store_->ClaimDue(kNow, "w", kLease, 4, {})->size(), 4u);
  EXPECT_EQ(*store_->PendingCount(), 4);  // sending is still waiting
  ASSERT_TRUE(store_->MarkAccepted("p1", "w", "wamid.p1", "", kNow + 1));
  ASSERT_TRUE(store_->MarkFailed("p2", "w", "132001", "template missing", kNow + 1));
  ASSERT_TRUE(store_->Reschedule("p3", "w", kNow + 10, "131000", "later", kNow + 1));
  ASSERT_TRUE(store_->Release("p4", "w", kNow));
  EXPECT_FALSE(store_->MarkAccepted("p1", "w", "wamid.p1", "", kNow + 2));  // lease gone
  EXPECT_EQ(*store_->PendingCount(), 2);
  ASSERT_TRUE(store_->RecordDeliveryStatus("wamid.p1", "delivered", kNow + 3, ""));
  EXPECT_EQ(*store_->PendingCount(), 2);

  // A second process on the same file: its messages count as soon as it has committed them.
  auto other = OpenStore("sqlite:" + dir_ + "/db.sqlite");
  ASSERT_TRUE(other) << other.error().detail;
  ASSERT_TRUE((*other)->Insert(Sample("from-another-process")));
  EXPECT_EQ(*store_->PendingCount(), 3);
  ASSERT_TRUE(store_->Insert(Sample("p5")));
  EXPECT_EQ(*store_->PendingCount(), 4);
  EXPECT_EQ(*(*other)->PendingCount(), 4);
}

TEST_F(SqliteStoreTest, TheWalIsCopiedBackAndStartedOverWhileWritesGoOn) {
  // Enough messages for several times the WAL size at which the writer lets it start over
  // (Checkpointer::kRestartAtPages, 16 MiB): without checkpoints it would pass 40 MiB.
  constexpr int kMessages = 30'000;
  std::atomic<int> stored{0};
  std::string big(900, 'x');  // about a page of WAL per few messages
  for (int i = 0; i < kMessages; ++i) {
    NewMessage m = Sample("wal-" + std::to_string(i));
    m.message.body_params = {big};
    store_->InsertAsync(std::move(m), [&](core::Result<void> r) {
      if (r) ++stored;
    });
  }
  store_->Flush();
  EXPECT_EQ(stored.load(), kMessages);
  const auto wal = std::filesystem::path(dir_) / "db.sqlite-wal";
  ASSERT_TRUE(std::filesystem::exists(wal));
  EXPECT_LT(std::filesystem::file_size(wal), 32u << 20);
  EXPECT_EQ(*store_->PendingCount(), kMessages);

  // The database file itself holds the messages once the store is closed and opened again.
  Open();
  EXPECT_EQ(*store_->PendingCount(), kMessages);
  auto last = store_->Get("default", "wal-" + std::to_string(kMessages - 1));
  ASSERT_TRUE(last && last->has_value());
  EXPECT_EQ((*last)->message.body_params, std::vector<std::string>{big});
}

TEST_F(SqliteStoreTest, AWriteFromAnInsertCallbackDoesNotDeadlock) {
  std::atomic<bool> saved{false};
  store_->InsertAsync(Sample("cb"), [&](core::Result<void> r) {
    ASSERT_TRUE(r);
    // Runs on the store's thread: a synchronous write from here must not wait for itself.
    auto claimed = store_->ClaimDue(kNow, "w", kLease, 1, {});
    saved = claimed.has_value() && claimed->size() == 1;
  });
  store_->Flush();
  EXPECT_TRUE(saved.load());
}

}  // namespace
}  // namespace socialgate::store
