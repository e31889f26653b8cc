#include "dispatch/store_status_sink.hpp"

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "store/storage.hpp"
#include "support/failing_storage.hpp"
#include "support/held_committer.hpp"
#include "support/sample_message.hpp"
#include "support/sync_store.hpp"
#include "util/timer_queue.hpp"

namespace socialgate::dispatch {
namespace {

using std::chrono::milliseconds;

constexpr std::int64_t kNow = 1'800'000'000'000;
constexpr std::int64_t kLease = 60'000;
// How long a test waits for something that should happen at once, before it fails.
constexpr auto kPatience = std::chrono::seconds(10);

store::NewMessage Message(const std::string& id) { return testing::SampleMessage(id, kNow); }

// Set once, by a callback from Setter() on any thread; the test waits for it at most kPatience.
class Signal {
 public:
  std::function<void()> Setter() const {
    return [promise = promise_] { promise->set_value(); };
  }
  bool WaitedFor() { return future_.wait_for(kPatience) == std::future_status::ready; }

 private:
  // Shared with the setters, which may run after a failed test has stopped waiting.
  std::shared_ptr<std::promise<void>> promise_ = std::make_shared<std::promise<void>>();
  std::future<void> future_ = promise_->get_future();
};

class StoreStatusSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenStorage("sqlite::memory:");
    ASSERT_TRUE(s) << s.error().detail;
    storage_.emplace(std::move(*s));
    sink_.emplace(storage_->delivery_statuses(), timers_);
  }
  void TearDown() override {
    timers_.Stop();  // before the sink goes: a scheduled try holds it
    sink_.reset();
  }
  std::string Status(const std::string& id) {
    return std::string(core::MessageStatusName((*outbox().Get("default", id))->status));
  }
  store::Outbox& outbox() { return storage_->outbox(); }

  // The store, which tests can make fail on purpose.
  std::optional<testing::FailingStorage> storage_;
  util::TimerQueue timers_;
  std::optional<StoreStatusSink> sink_;
};

TEST_F(StoreStatusSinkTest, TheTimerThreadGoesOnWhileTheStatusWaitsForTheDisk) {
  ASSERT_TRUE(testing::Insert(outbox(), Message("m1")));
  ASSERT_EQ(testing::ClaimDue(outbox(), kNow, "w", kLease, 1, {})->size(), 1u);
  ASSERT_TRUE(testing::MarkAccepted(outbox(), "m1", "w", "p-1", "", kNow));

  store::HeldCommitter held(outbox(), Message("held"));
  // The sandbox reports from the timer thread, which also runs ack timeouts: the task after
  // the report runs while the report's write still waits for the disk.
  timers_.Schedule(milliseconds(0), [this] {
    sink_->OnStatus("p-1", core::MessageStatus::kDelivered, kNow + 1, "");
  });
  Signal next_ran;
  timers_.Schedule(milliseconds(0), next_ran.Setter());
  const bool went_on = next_ran.WaitedFor();
  held.Release();
  EXPECT_TRUE(went_on) << "the timer thread waited for the store";
  storage_->Drain();
  EXPECT_EQ(Status("m1"), "delivered");
}

TEST_F(StoreStatusSinkTest, AStatusAheadOfItsOutcomeIsTriedAgainUntilTheOutcomeIsRecorded) {
  ASSERT_TRUE(testing::Insert(outbox(), Message("m2")));
  ASSERT_EQ(testing::ClaimDue(outbox(), kNow, "w", kLease, 1, {})->size(), 1u);

  // A fast provider: the status is reported before the attempt's outcome reaches the store.
  store::HeldCommitter held(outbox(), Message("held"));
  Signal reported;
  timers_.Schedule(milliseconds(0), [this, set = reported.Setter()] {
    sink_->OnStatus("p-2", core::MessageStatus::kSent, kNow + 2, "");
    set();
  });
  ASSERT_TRUE(reported.WaitedFor()) << "the timer thread waited for the store";
  store::AttemptEnd accepted;
  accepted.kind = store::AttemptEnd::Kind::kAccepted;
  accepted.id = "m2";
  accepted.owner = "w";
  accepted.provider_message_id = "p-2";
  accepted.now_ms = kNow + 1;
  outbox().RecordAttemptAsync(accepted, [](core::Result<void>) {});
  held.Release();
  // The status's first try found no such provider id and scheduled the next; the outcome is in.
  storage_->Drain();
  EXPECT_EQ(Status("m2"), "accepted");

  // The next try is due kRetryStep after the first was answered: a timer due no sooner runs
  // after it, by which time its write is queued.
  Signal after_retry;
  timers_.Schedule(StoreStatusSink::kRetryStep, after_retry.Setter());
  ASSERT_TRUE(after_retry.WaitedFor());
  storage_->Drain();
  EXPECT_EQ(Status("m2"), "sent");
}

TEST_F(StoreStatusSinkTest, AStatusTheStoreRefusesIsDroppedNotTriedAgain) {
  ASSERT_TRUE(testing::Insert(outbox(), Message("m3")));
  ASSERT_EQ(testing::ClaimDue(outbox(), kNow, "w", kLease, 1, {})->size(), 1u);
  ASSERT_TRUE(testing::MarkAccepted(outbox(), "m3", "w", "p-3", "", kNow));

  using Kind = testing::FailingStorage::Kind;
  storage_->FailNext(Kind::kDeliveryStatus, 1);
  // A refused write is answered at once: by the time OnStatus returns, a retry (were there one)
  // is on the timer queue, due kRetryStep later.
  sink_->OnStatus("p-3", core::MessageStatus::kDelivered, kNow + 1, "");
  Signal after_retry;
  timers_.Schedule(StoreStatusSink::kRetryStep, after_retry.Setter());
  ASSERT_TRUE(after_retry.WaitedFor());
  storage_->Drain();
  EXPECT_EQ(storage_->Calls(Kind::kDeliveryStatus), 1) << "a refused status was tried again";
  EXPECT_EQ(Status("m3"), "accepted");

  // The next report is recorded as usual.
  sink_->OnStatus("p-3", core::MessageStatus::kRead, kNow + 2, "");
  storage_->Drain();
  EXPECT_EQ(Status("m3"), "read");
}

}  // namespace
}  // namespace socialgate::dispatch
