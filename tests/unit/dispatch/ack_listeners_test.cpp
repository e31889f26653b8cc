// AckListeners: the first attempt's result as the store shows it, and the listeners that have
// waited long enough for another instance's attempt.
#include "dispatch/ack_listeners.hpp"

#include <chrono>

#include <gtest/gtest.h>

namespace socialgate::dispatch {
namespace {

using core::MessageStatus;
using namespace std::chrono_literals;

store::AttemptState State(MessageStatus status, int attempts) {
  store::AttemptState s;
  s.id = "m";
  s.status = status;
  s.attempts = attempts;
  s.provider_message_id = "wamid.1";
  s.error_code = "131000";
  s.error_message = "try later";
  return s;
}

TEST(FirstAttemptResultTest, NothingWhileTheFirstAttemptHasNotEnded) {
  EXPECT_FALSE(FirstAttemptResult(State(MessageStatus::kQueued, 0)));
  EXPECT_FALSE(FirstAttemptResult(State(MessageStatus::kSending, 1)));
}

TEST(FirstAttemptResultTest, ARescheduledFirstAttemptIsQueuedWithItsReason) {
  for (const auto& state : {State(MessageStatus::kQueued, 1), State(MessageStatus::kSending, 2)}) {
    const auto r = FirstAttemptResult(state);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, MessageStatus::kQueued);
    EXPECT_EQ(r->error_code, "131000");
    EXPECT_EQ(r->error_message, "try later");
  }
}

TEST(FirstAttemptResultTest, AcceptedOrLaterCarriesTheProviderIdAndFailedItsReason) {
  for (auto status : {MessageStatus::kAccepted, MessageStatus::kSent, MessageStatus::kDelivered,
                      MessageStatus::kRead}) {
    const auto r = FirstAttemptResult(State(status, 1));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, MessageStatus::kAccepted) << "the attempt's own outcome";
    EXPECT_EQ(r->provider_message_id, "wamid.1");
    EXPECT_TRUE(r->error_code.empty());
  }
  const auto failed = FirstAttemptResult(State(MessageStatus::kFailed, 1));
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, MessageStatus::kFailed);
  EXPECT_EQ(failed->error_code, "131000");
}

TEST(AckListenersTest, OverdueAreTheLongWaitingOnesOfNumbersSentElsewhere) {
  util::ManualClock clock;
  AckListeners listeners(clock);
  int told = 0;
  listeners.Listen("early-elsewhere", "3901", [&](const AttemptResult&) { ++told; });
  listeners.Listen("early-here", "3902", [&](const AttemptResult&) { ++told; });
  clock.Advance(100ms);
  listeners.Listen("late-elsewhere", "3901", [&](const AttemptResult&) { ++told; });
  const auto elsewhere = [](const std::string& number) { return number == "3901"; };
  EXPECT_EQ(listeners.Overdue(clock.Now() - 50ms, elsewhere, 10),
            std::vector<std::string>{"early-elsewhere"});
  EXPECT_EQ(listeners.Overdue(clock.Now() + 1ms, elsewhere, 1).size(), 1u);  // the limit
  listeners.Tell("early-elsewhere", AttemptResult{});
  listeners.Tell("early-elsewhere", AttemptResult{});  // once only
  EXPECT_EQ(told, 1);
  EXPECT_TRUE(listeners.Overdue(clock.Now() - 50ms, elsewhere, 10).empty());
}

}  // namespace
}  // namespace socialgate::dispatch
