#include "dispatch/flow_control.hpp"

#include <gtest/gtest.h>

#include "dispatch/circuit_breaker.hpp"
#include "dispatch/token_bucket.hpp"

namespace socialgate::dispatch {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

const Clock::time_point kT0 = Clock::time_point() + std::chrono::hours(1);

// Pace without a horizon: nullopt when the message may go now (its slot taken), else how long
// to wait before trying again.
std::optional<Clock::duration> Admit(FlowControl& flow, const std::string& message_id,
                                     const std::string& number, const std::string& customer,
                                     Clock::time_point now) {
  return flow.Pace(message_id, number, customer, now, Clock::duration::zero()).give_back;
}

TEST(TokenBucketTest, PacesEvenlyAtCapacityOne) {
  TokenBucket b(10, 1, kT0);  // 10 per second
  EXPECT_EQ(b.Reserve(kT0), Clock::duration::zero());
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(b.TimeUntilAvailable(kT0)), milliseconds(100));
  EXPECT_GT(b.TimeUntilAvailable(kT0 + milliseconds(99)), Clock::duration::zero());
  EXPECT_EQ(b.TimeUntilAvailable(kT0 + milliseconds(100)), Clock::duration::zero());
  EXPECT_EQ(b.Reserve(kT0 + milliseconds(100)), Clock::duration::zero());
}

TEST(TokenBucketTest, NoOneSecondWindowExceedsTheRate) {
  // Whatever the arrival pattern, a capacity-1 bucket lets through at most `rate` per second.
  TokenBucket b(50, 1, kT0);
  int taken_in_first_second = 0;
  for (int ms = 0; ms < 1000; ++ms) {
    for (int tries = 0; tries < 3; ++tries) {
      const auto now = kT0 + milliseconds(ms);
      if (b.TimeUntilAvailable(now) == Clock::duration::zero()) {
        EXPECT_EQ(b.Reserve(now), Clock::duration::zero());
        ++taken_in_first_second;
      }
    }
  }
  EXPECT_LE(taken_in_first_second, 50);
  EXPECT_GE(taken_in_first_second, 49);
}

TEST(TokenBucketTest, ReserveSpreadsWaitersOut) {
  TokenBucket b(1, 2, kT0);  // 1 per second, bursts of 2
  EXPECT_EQ(b.Reserve(kT0), Clock::duration::zero());
  EXPECT_EQ(b.Reserve(kT0), Clock::duration::zero());
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(b.Reserve(kT0)), milliseconds(1000));
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(b.Reserve(kT0)), milliseconds(2000));
  EXPECT_FALSE(b.Full(kT0 + milliseconds(3000)));
  EXPECT_TRUE(b.Full(kT0 + milliseconds(4000)));
}

TEST(CircuitBreakerTest, OpensAfterConsecutiveFailuresAndProbesOnce) {
  CircuitBreaker cb(3, milliseconds(100), milliseconds(1000));
  Clock::time_point retry_at;
  for (int i = 0; i < 2; ++i) cb.RecordFailure(kT0);
  EXPECT_TRUE(cb.Allow(kT0, &retry_at));
  cb.RecordSuccess();  // a success in between resets the count
  for (int i = 0; i < 3; ++i) cb.RecordFailure(kT0);
  EXPECT_TRUE(cb.open(kT0));
  EXPECT_FALSE(cb.Allow(kT0 + milliseconds(50), &retry_at));
  EXPECT_EQ(retry_at, kT0 + milliseconds(100));
  // Cool-down over: exactly one probe goes through.
  EXPECT_TRUE(cb.Allow(kT0 + milliseconds(100), &retry_at));
  EXPECT_FALSE(cb.Allow(kT0 + milliseconds(100), &retry_at));
  // The probe fails: open again for twice as long.
  cb.RecordFailure(kT0 + milliseconds(100));
  EXPECT_FALSE(cb.Allow(kT0 + milliseconds(299), &retry_at));
  EXPECT_EQ(retry_at, kT0 + milliseconds(300));
  EXPECT_TRUE(cb.Allow(kT0 + milliseconds(300), &retry_at));
  cb.RecordSuccess();
  EXPECT_FALSE(cb.open(kT0 + milliseconds(300)));
  EXPECT_TRUE(cb.Allow(kT0 + milliseconds(300), &retry_at));
  EXPECT_TRUE(cb.Allow(kT0 + milliseconds(300), &retry_at));
}

TEST(CircuitBreakerTest, CooldownIsCapped) {
  CircuitBreaker cb(1, milliseconds(100), milliseconds(250));
  Clock::time_point retry_at;
  Clock::time_point t = kT0;
  cb.RecordFailure(t);
  for (int i = 0; i < 5; ++i) {
    ASSERT_FALSE(cb.Allow(t, &retry_at));
    t = retry_at;
    ASSERT_TRUE(cb.Allow(t, &retry_at));
    cb.RecordFailure(t);
  }
  ASSERT_FALSE(cb.Allow(t, &retry_at));
  EXPECT_EQ(retry_at - t, milliseconds(250));
}

config::Config TwoNumbers(double pair_per_minute, int pair_burst) {
  config::Config c;
  c.dispatch.pair_per_minute = pair_per_minute;
  c.dispatch.pair_burst = pair_burst;
  c.dispatch.breaker_failures = 2;
  c.dispatch.breaker_cooldown = milliseconds(500);
  config::Domain d;
  d.name = "default";
  config::BusinessNumber a;
  a.phone = "111";
  a.messages_per_second = 10;
  config::BusinessNumber b = a;
  b.phone = "222";
  d.numbers = {a, b};
  c.domains.push_back(d);
  return c;
}

// A slot of the numbers of TwoNumbers: 10 per FlowControl::RateWindow, 1 s + one slot (1.1 s).
constexpr auto kSlot = milliseconds(110);

TEST(FlowControlTest, RateWindowIsASecondAndOneSlotAtLeastTenMilliseconds) {
  EXPECT_EQ(std::chrono::round<milliseconds>(FlowControl::RateWindowFor(10)), milliseconds(1100));
  EXPECT_EQ(std::chrono::round<std::chrono::microseconds>(FlowControl::RateWindowFor(80)),
            std::chrono::microseconds(1'012'500));  // one slot: 12.5 ms
  EXPECT_EQ(std::chrono::round<milliseconds>(FlowControl::RateWindowFor(1000)), milliseconds(1010));
}

TEST(FlowControlTest, NumbersArePacedIndependently) {
  FlowControl flow(TwoNumbers(0, 1), kT0);
  EXPECT_FALSE(Admit(flow, "m1", "111", "c1", kT0));
  auto wait = Admit(flow, "m2", "111", "c2", kT0);
  ASSERT_TRUE(wait);
  EXPECT_EQ(std::chrono::round<milliseconds>(*wait), kSlot);
  EXPECT_FALSE(Admit(flow, "m3", "222", "c1", kT0));  // the other number is not held up
  EXPECT_EQ(flow.ThrottledNumbers(kT0), (std::vector<std::string>{"111", "222"}));
  EXPECT_TRUE(flow.ThrottledNumbers(kT0 + kSlot).empty());
}

// A configuration reload: a new number is paced at its rate, a number whose rate changed starts
// afresh at the new one, an unchanged number keeps its booked slots, a removed one is forgotten.
TEST(FlowControlTest, SetNumbersAddsChangesKeepsAndForgetsNumbers) {
  FlowControl flow(TwoNumbers(0, 1), kT0);
  EXPECT_FALSE(Admit(flow, "m1", "111", "c1", kT0));  // both take their slot now
  EXPECT_FALSE(Admit(flow, "m2", "222", "c1", kT0));
  config::Config next = TwoNumbers(0, 1);
  next.domains[0].numbers[1].messages_per_second = 20;  // 222: another rate
  config::BusinessNumber added = next.domains[0].numbers[0];
  added.phone = "333";
  next.domains[0].numbers.push_back(added);
  next.domains[0].numbers.erase(next.domains[0].numbers.begin());  // 111 removed
  flow.SetNumbers(next, kT0);

  EXPECT_EQ(flow.PerSecond("111"), 0) << "forgotten";
  EXPECT_EQ(flow.PerSecond("222"), 20);
  EXPECT_EQ(flow.PerSecond("333"), 10);
  EXPECT_FALSE(Admit(flow, "m3", "222", "c2", kT0)) << "a fresh bucket at the new rate";
  EXPECT_FALSE(Admit(flow, "m4", "333", "c1", kT0));
  EXPECT_EQ(flow.ThrottledNumbers(kT0), (std::vector<std::string>{"222", "333"}));

  config::Config same = next;
  flow.SetNumbers(same, kT0);
  EXPECT_TRUE(Admit(flow, "m5", "333", "c2", kT0)) << "an unchanged number keeps its booking";
}

TEST(FlowControlTest, PaceBooksSlotsUpToTheHorizonThenGivesBack) {
  FlowControl flow(TwoNumbers(0, 1), kT0);  // a slot every 110 ms
  EXPECT_EQ(flow.PerSecond("111"), 10);
  const auto horizon = milliseconds(250);
  std::vector<milliseconds> booked;
  for (int i = 0; i < 3; ++i) {
    const auto a = flow.Pace("m" + std::to_string(i), "111", "c", kT0, horizon);
    ASSERT_FALSE(a.give_back) << i;
    booked.push_back(std::chrono::round<milliseconds>(a.send_after));
  }
  // Now, then one slot every 110 ms: no second ever holds more than the rate.
  EXPECT_EQ(booked, (std::vector<milliseconds>{milliseconds(0), kSlot, 2 * kSlot}));
  // The next free slot is 330 ms away, beyond the horizon: nothing is booked for it.
  const auto beyond = flow.Pace("m4", "111", "c", kT0, horizon);
  ASSERT_TRUE(beyond.give_back);
  EXPECT_EQ(std::chrono::round<milliseconds>(*beyond.give_back), 3 * kSlot);
  // 150 ms later the same slot is within reach, and taken.
  EXPECT_EQ(std::chrono::round<milliseconds>(
                flow.Pace("m5", "111", "c", kT0 + milliseconds(150), horizon).send_after),
            3 * kSlot - milliseconds(150));
  // Booked half a horizon ahead or more: not worth claiming for; the other number is free.
  EXPECT_EQ(flow.ThrottledNumbers(kT0, horizon / 2), (std::vector<std::string>{"111"}));
  EXPECT_FALSE(flow.Pace("m6", "222", "c", kT0, horizon).give_back);
}

TEST(FlowControlTest, PairsBurstThenWaitInLine) {
  FlowControl flow(TwoNumbers(60, 2), kT0);  // one a second after a burst of two
  Clock::time_point t = kT0;
  EXPECT_FALSE(Admit(flow, "m1", "111", "c", t));
  t += kSlot;
  EXPECT_FALSE(Admit(flow, "m2", "111", "c", t));
  t += kSlot;
  auto w3 = Admit(flow, "m3", "111", "c", t);
  auto w4 = Admit(flow, "m4", "111", "c", t);
  ASSERT_TRUE(w3 && w4);
  EXPECT_LT(*w3, *w4);  // reserved slots, one after the other
  // m3 comes back at its slot: its pair token is already paid, only the number's rate applies.
  EXPECT_FALSE(Admit(flow, "m3", "111", "c", t + *w3));
  // Another customer of the same number is not held up by this pair.
  EXPECT_FALSE(Admit(flow, "m5", "111", "other", t + *w3 + kSlot));
}

TEST(FlowControlTest, PairSlotsReservedAtAcceptanceAreNotChargedAgain) {
  FlowControl flow(TwoNumbers(60, 2), kT0);  // one a second after a burst of two
  // A slot free now is not taken at acceptance: the send takes it.
  EXPECT_EQ(flow.ReservePair("m1", "111", "c", kT0), Clock::duration::zero());
  EXPECT_FALSE(Admit(flow, "m1", "111", "c", kT0));
  EXPECT_FALSE(Admit(flow, "m2", "111", "c", kT0 + kSlot));  // the burst is spent
  const auto w3 = flow.ReservePair("m3", "111", "c", kT0 + kSlot);
  const auto w4 = flow.ReservePair("m4", "111", "c", kT0 + kSlot);
  EXPECT_GT(w3, Clock::duration::zero());
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(w4 - w3), milliseconds(1000));
  // Each held message, admitted at its slot, pays only the number's rate: its slot is paid.
  EXPECT_FALSE(Admit(flow, "m3", "111", "c", kT0 + kSlot + w3));
  EXPECT_FALSE(Admit(flow, "m4", "111", "c", kT0 + kSlot + w4));
  // A message that did not reserve queues behind the reserved ones.
  auto late = Admit(flow, "m5", "111", "c", kT0 + 2 * kSlot + w4);
  ASSERT_TRUE(late);
  EXPECT_GT(*late, milliseconds(800));
  // No pair limit configured: nothing to reserve.
  FlowControl unlimited(TwoNumbers(0, 1), kT0);
  EXPECT_EQ(unlimited.ReservePair("m1", "111", "c", kT0), Clock::duration::zero());
}

TEST(FlowControlTest, APairSlotGivenBackGoesToThePairsNextMessage) {
  FlowControl flow(TwoNumbers(60, 2), kT0);  // one a second after a burst of two
  EXPECT_FALSE(Admit(flow, "m1", "111", "c", kT0));
  EXPECT_FALSE(Admit(flow, "m2", "111", "c", kT0 + kSlot));  // the burst is spent
  const auto w3 = flow.ReservePair("m3", "111", "c", kT0 + kSlot);
  EXPECT_GT(w3, Clock::duration::zero());
  // m3 was not stored (its insert failed): the customer's next message takes its slot.
  flow.ReleasePair("m3", "111", "c", kT0 + kSlot);
  const auto w4 = flow.ReservePair("m4", "111", "c", kT0 + kSlot);
  EXPECT_EQ(std::chrono::round<milliseconds>(w4), std::chrono::round<milliseconds>(w3));
}

TEST(FlowControlTest, ReleasingAPairThatReservedNoSlotGivesNothingBack) {
  FlowControl flow(TwoNumbers(60, 2), kT0);  // one a second after a burst of two
  EXPECT_FALSE(Admit(flow, "m1", "111", "c", kT0));
  // One of the burst is left: nothing is reserved at acceptance, so nothing is given back.
  EXPECT_EQ(flow.ReservePair("m2", "111", "c", kT0), Clock::duration::zero());
  flow.ReleasePair("m2", "111", "c", kT0);
  EXPECT_FALSE(Admit(flow, "m3", "111", "c", kT0 + kSlot));
  EXPECT_TRUE(Admit(flow, "m4", "111", "c", kT0 + 2 * kSlot));  // the burst is spent
}

TEST(FlowControlTest, OpenCircuitHoldsTheNumberBack) {
  FlowControl flow(TwoNumbers(0, 1), kT0);
  providers::SendOutcome down;
  down.kind = providers::SendOutcome::Kind::kRetryLater;
  down.error_code = "timeout";
  down.provider_unwell = true;
  flow.Report("111", down, kT0);
  flow.Report("111", down, kT0);
  auto wait = Admit(flow, "m", "111", "c", kT0 + milliseconds(100));
  ASSERT_TRUE(wait);
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(*wait), milliseconds(400));
  const auto throttled = flow.ThrottledNumbers(kT0 + milliseconds(100));
  EXPECT_EQ(throttled, std::vector<std::string>{"111"});
}

TEST(FlowControlTest, APacedSendLearnsTheCircuitOpenedAndOnlyTheProbeGoesHalfOpen) {
  FlowControl flow(TwoNumbers(0, 1), kT0);
  // Booked for a later slot while the circuit was closed: not the probe.
  auto first = flow.Pace("m1", "111", "c", kT0, std::chrono::seconds(1));
  auto later = flow.Pace("m2", "111", "c", kT0, std::chrono::seconds(1));
  ASSERT_FALSE(later.give_back);
  EXPECT_GT(later.send_after, std::chrono::milliseconds(0));
  EXPECT_FALSE(first.probe || later.probe);
  EXPECT_FALSE(flow.CircuitOpen("111", kT0));
  providers::SendOutcome down;
  down.kind = providers::SendOutcome::Kind::kRetryLater;
  down.error_code = "timeout";
  down.provider_unwell = true;
  flow.Report("111", down, kT0);
  flow.Report("111", down, kT0);
  EXPECT_TRUE(flow.CircuitOpen("111", kT0 + later.send_after));  // m2 goes back, unsent
  EXPECT_FALSE(flow.CircuitOpen("222", kT0));

  // After the cool-down one send is the probe; while it is out the circuit still counts open.
  const auto half_open = kT0 + milliseconds(600);
  auto probe = flow.Pace("m3", "111", "c", half_open, std::chrono::seconds(1));
  ASSERT_FALSE(probe.give_back);
  EXPECT_TRUE(probe.probe);
  EXPECT_TRUE(flow.CircuitOpen("111", half_open));
  EXPECT_TRUE(flow.Pace("m4", "111", "c", half_open, std::chrono::seconds(1)).give_back);
}

TEST(FlowControlTest, OnlyOutcomesTheProviderCallsUnwellCountAgainstTheCircuit) {
  // Two failures open the circuit (TwoNumbers); what counts is the provider's word, not codes.
  FlowControl flow(TwoNumbers(0, 1), kT0);
  providers::SendOutcome throttled;
  throttled.kind = providers::SendOutcome::Kind::kRetryLater;
  throttled.error_code = "timeout";  // a code alone says nothing to dispatch
  flow.Report("111", throttled, kT0);
  flow.Report("111", throttled, kT0);
  EXPECT_FALSE(flow.CircuitOpen("111", kT0));

  providers::SendOutcome rejected;
  rejected.kind = providers::SendOutcome::Kind::kRejected;
  rejected.provider_unwell = true;  // outside its contract (kRetryLater only): not counted
  flow.Report("111", rejected, kT0);
  flow.Report("111", rejected, kT0);
  EXPECT_FALSE(flow.CircuitOpen("111", kT0));

  providers::SendOutcome down = throttled;
  down.provider_unwell = true;
  flow.Report("111", down, kT0);
  flow.Report("111", down, kT0);
  EXPECT_TRUE(flow.CircuitOpen("111", kT0));
}

}  // namespace
}  // namespace socialgate::dispatch
