// retention::MessageRetention over a real store (SQLite in memory) and a manual clock: each
// domain's final messages go once older than its retention, in batches, the freed pages are
// given back, the deletions counted; a failing store is logged and the other domains go on.
#include "retention/message_retention.hpp"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "obs/metrics.hpp"
#include "store/storage.hpp"
#include "support/eventually.hpp"
#include "support/failing_storage.hpp"
#include "support/sample_message.hpp"
#include "support/sync_store.hpp"

namespace socialgate::retention {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using Kind = testing::FailingStorage::Kind;

std::uint64_t Deleted(const std::string& direction) {
  std::uint64_t value = 0;
  obs::DefaultRegistry()
      .AddCounter("socialgate_retention_deleted_messages_total", "", {"direction"})
      .ForEach([&](const obs::LabelValues& labels, const obs::Counter& c) {
        if (labels == obs::LabelValues{direction}) value = c.Value();
      });
  return value;
}

class MessageRetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenStorage("sqlite::memory:");
    ASSERT_TRUE(opened) << opened.error().detail;
    storage_ = std::make_unique<testing::FailingStorage>(std::move(*opened));
  }
  // Stores `id` in `domain` now, sends it and has it fail: final at once.
  void Failed(const std::string& id, const std::string& domain = "default",
              std::size_t media_bytes = 0) {
    store::NewMessage m = testing::SampleMessage(id, clock_.UnixMillis());
    m.domain = domain;
    if (media_bytes > 0) {
      core::MediaHeader h;
      h.kind = core::MediaKind::kDocument;
      h.mime_type = "application/pdf";
      h.document_type = "pdf";
      h.file_name = "invoice.pdf";
      h.bytes = std::string(media_bytes, 'x');
      testing::Template(m.message).header = h;
    }
    ASSERT_TRUE(testing::Insert(storage_->outbox(), m)) << id;
    ASSERT_EQ(testing::ClaimDue(storage_->outbox(), clock_.UnixMillis(), "w", 60'000, 1)->size(),
              1u);
    ASSERT_TRUE(testing::MarkFailed(storage_->outbox(), id, "w", "131026", "undeliverable",
                                    clock_.UnixMillis()));
  }
  // Stores `id` now, waiting to be sent.
  void Queued(const std::string& id) {
    ASSERT_TRUE(
        testing::Insert(storage_->outbox(), testing::SampleMessage(id, clock_.UnixMillis())));
  }
  bool Kept(const std::string& id, const std::string& domain = "default") {
    auto got = storage_->outbox().Get(domain, id);
    EXPECT_TRUE(got) << got.error().detail;
    return got && got->has_value();
  }

  util::ManualClock clock_;
  std::unique_ptr<testing::FailingStorage> storage_;
};

TEST_F(MessageRetentionTest, FinalMessagesGoOnceOlderThanTheirDomainsRetention) {
  MessageRetention retention(*storage_, {{"default", hours(24)}, {"acme", hours(48)}},
                             milliseconds(60'000), clock_);
  Failed("old", "default", 256 * 1024);
  Failed("acme-old", "acme");
  clock_.Advance(hours(12));
  Failed("young");
  Queued("waiting");
  EXPECT_EQ(retention.RunOnce().sent, 0) << "nothing is a day old yet";

  const std::uint64_t before = Deleted("outbound");
  clock_.Advance(hours(12) + milliseconds(1));
  const RetentionRound round = retention.RunOnce();
  EXPECT_EQ(round.sent, 1);
  EXPECT_EQ(round.received, 0);
  EXPECT_FALSE(round.more);
  EXPECT_GT(round.pages, 256 * 1024 / 4096 / 2) << "the media's pages are given back";
  EXPECT_EQ(Deleted("outbound"), before + 1);
  EXPECT_FALSE(Kept("old"));
  EXPECT_TRUE(Kept("acme-old", "acme")) << "acme keeps its messages two days";
  EXPECT_TRUE(Kept("waiting")) << "never one waiting to be sent";
  EXPECT_TRUE(Kept("young"));

  clock_.Advance(hours(24));
  EXPECT_EQ(retention.RunOnce().sent, 2);  // young and acme-old
  EXPECT_TRUE(Kept("waiting"));
  EXPECT_EQ(Deleted("outbound"), before + 3);
}

TEST_F(MessageRetentionTest, ARoundDeletesInBatchesUntilDone) {
  MessageRetention retention(*storage_, {{"default", hours(1)}}, milliseconds(60'000), clock_);
  const int n = RetentionLimits().batch * 2 + 7;
  for (int i = 0; i < n; ++i) Failed("m" + std::to_string(i));
  clock_.Advance(hours(2));
  const RetentionRound round = retention.RunOnce();
  EXPECT_EQ(round.sent, n);
  EXPECT_FALSE(round.more);
  EXPECT_EQ(storage_->Calls(Kind::kDeleteOldMessages), 3);
  EXPECT_EQ(retention.RunOnce().sent, 0);
}

TEST_F(MessageRetentionTest, ARoundStopsAtItsBoundAndSaysThereIsMore) {
  RetentionLimits limits;
  limits.batch = 2;
  limits.max_batches = 3;
  limits.reclaim_pages = 1;
  limits.max_reclaims = 2;
  MessageRetention retention(*storage_, {{"default", hours(1)}}, milliseconds(60'000), clock_,
                             limits);
  for (int i = 0; i < 7; ++i) Failed("m" + std::to_string(i), "default", 8192);
  clock_.Advance(hours(2));
  RetentionRound round = retention.RunOnce();
  EXPECT_EQ(round.sent, 6);
  EXPECT_TRUE(round.more);
  EXPECT_EQ(round.pages, 2) << "a page at a time, twice";
  EXPECT_EQ(storage_->Calls(Kind::kReclaimSpace), 2);
  EXPECT_TRUE(Kept("m6"));
  round = retention.RunOnce();
  EXPECT_EQ(round.sent, 1);
  EXPECT_FALSE(round.more);
  EXPECT_FALSE(Kept("m6"));
}

TEST_F(MessageRetentionTest, AFailingStoreIsLeftToTheNextRoundAndTheOtherDomainsGoOn) {
  MessageRetention retention(*storage_, {{"default", hours(1)}, {"acme", hours(1)}},
                             milliseconds(60'000), clock_);
  Failed("d1");
  Failed("a1", "acme");
  clock_.Advance(hours(2));
  storage_->FailNext(Kind::kDeleteOldMessages, 1);
  storage_->FailNext(Kind::kReclaimSpace, 1);
  RetentionRound round = retention.RunOnce();
  EXPECT_EQ(round.sent, 1);
  EXPECT_EQ(round.pages, 0);
  EXPECT_TRUE(Kept("d1"));
  EXPECT_FALSE(Kept("a1", "acme"));
  round = retention.RunOnce();
  EXPECT_EQ(round.sent, 1);
  EXPECT_FALSE(Kept("d1"));
}

TEST_F(MessageRetentionTest, TheThreadRunsARoundAtStartAndStops) {
  MessageRetention idle(*storage_, {}, milliseconds(100), clock_);
  idle.Start();  // no domain with a retention: no thread
  idle.Stop();
  EXPECT_EQ(storage_->Calls(Kind::kDeleteOldMessages), 0);

  Failed("m1");
  clock_.Advance(hours(2));
  MessageRetention retention(*storage_, {{"default", hours(1)}}, milliseconds(60'000), clock_);
  retention.Start();
  EXPECT_TRUE(support::Eventually([&] { return !Kept("m1"); }));
  retention.Stop();
  retention.Stop();  // twice is fine
}

TEST_F(MessageRetentionTest, ABacklogIsDeletedRoundAfterRoundWithoutWaitingForTheInterval) {
  for (int i = 0; i < 3; ++i) Failed("m" + std::to_string(i));
  clock_.Advance(hours(2));
  RetentionLimits limits;
  limits.batch = 1;
  limits.max_batches = 1;
  MessageRetention retention(*storage_, {{"default", hours(1)}}, hours(1), clock_, limits);
  retention.Start();
  EXPECT_TRUE(support::Eventually([&] { return !Kept("m2"); }))
      << "a round a message, 100 ms apart, not an hour";
  retention.Stop();
}

}  // namespace
}  // namespace socialgate::retention
