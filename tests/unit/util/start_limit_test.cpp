#include "util/start_limit.hpp"

#include <optional>

#include <gtest/gtest.h>

namespace socialgate::util {
namespace {

using std::chrono::milliseconds;
const StartLimit::Clock::time_point kT0{};

// A reservation sent at once: what the HTTP client does for a request libcurl writes at once.
std::optional<StartLimit::Clock::time_point> StartNow(StartLimit& limit,
                                                      StartLimit::Clock::time_point now) {
  auto next = limit.TryReserve(now);
  if (!next) limit.Sent(now);
  return next;
}

TEST(StartLimitTest, LetsTheLimitStartInAWindowThenSaysWhenTheNextMay) {
  StartLimit limit(3, milliseconds(1000));
  EXPECT_FALSE(StartNow(limit, kT0));
  EXPECT_FALSE(StartNow(limit, kT0 + milliseconds(10)));
  EXPECT_FALSE(StartNow(limit, kT0 + milliseconds(20)));
  auto next = StartNow(limit, kT0 + milliseconds(30));  // a fourth in the same second
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, kT0 + milliseconds(1000));  // when the first leaves the window
  EXPECT_TRUE(StartNow(limit, kT0 + milliseconds(999)));
  EXPECT_FALSE(StartNow(limit, kT0 + milliseconds(1000)));
  next = StartNow(limit, kT0 + milliseconds(1000));
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, kT0 + milliseconds(1010));
}

TEST(StartLimitTest, ARefusedRequestIsNotCounted) {
  StartLimit limit(1, milliseconds(100));
  EXPECT_FALSE(StartNow(limit, kT0));
  for (int i = 1; i < 10; ++i) EXPECT_TRUE(StartNow(limit, kT0 + milliseconds(i)));
  EXPECT_FALSE(StartNow(limit, kT0 + milliseconds(100)));
}

TEST(StartLimitTest, ReservationsNotYetSentCountAsIfTheyLeftNow) {
  StartLimit limit(3, milliseconds(1000));
  EXPECT_FALSE(limit.TryReserve(kT0));
  EXPECT_FALSE(limit.TryReserve(kT0));
  EXPECT_FALSE(limit.TryReserve(kT0));
  EXPECT_EQ(limit.reserved(), 3);
  // Three reserved and none sent: none frees a place for a window.
  auto next = limit.TryReserve(kT0 + milliseconds(400));
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, kT0 + milliseconds(1400));
  // They leave late, together: counted then, so the window after them is full.
  for (int i = 0; i < 3; ++i) limit.Sent(kT0 + milliseconds(700));
  EXPECT_EQ(limit.reserved(), 0);
  next = limit.TryReserve(kT0 + milliseconds(1400));
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, kT0 + milliseconds(1700));
  EXPECT_FALSE(limit.TryReserve(kT0 + milliseconds(1700)));
}

TEST(StartLimitTest, AReservationThatNeverLeftFreesItsPlace) {
  StartLimit limit(2, milliseconds(1000));
  limit.Sent(kT0);  // not reserved: counted all the same
  EXPECT_FALSE(limit.TryReserve(kT0 + milliseconds(100)));
  // One sent and one reserved fill the window; the reserved one's place opens when it fails.
  auto next = limit.TryReserve(kT0 + milliseconds(200));
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, kT0 + milliseconds(1000));  // when the sent one leaves the window
  limit.Unsent();
  EXPECT_FALSE(limit.TryReserve(kT0 + milliseconds(200)));
}

TEST(StartLimitTest, EarliestStartLooksAheadWithoutForgettingWhatNowStillNeeds) {
  StartLimit limit(2, milliseconds(1000));
  limit.Count(kT0);
  limit.Count(kT0 + milliseconds(600));
  // A slot booked 1.5 s ahead sees only the second start in its window...
  EXPECT_EQ(limit.EarliestStart(kT0 + milliseconds(1500), kT0 + milliseconds(700)),
            kT0 + milliseconds(1500));
  // ...and a start now still sees both.
  EXPECT_EQ(limit.EarliestStart(kT0 + milliseconds(700), kT0 + milliseconds(700)),
            kT0 + milliseconds(1000));
  EXPECT_EQ(limit.last(), kT0 + milliseconds(600));
}

}  // namespace
}  // namespace socialgate::util
