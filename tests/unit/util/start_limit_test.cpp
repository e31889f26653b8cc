#include "util/start_limit.hpp"

#include <gtest/gtest.h>

namespace socialgate::util {
namespace {

using std::chrono::milliseconds;
const StartLimit::Clock::time_point kT0{};

TEST(StartLimitTest, LetsTheLimitStartInAWindowThenSaysWhenTheNextMay) {
  StartLimit limit(3, milliseconds(1000));
  EXPECT_FALSE(limit.TryStart(kT0));
  EXPECT_FALSE(limit.TryStart(kT0 + milliseconds(10)));
  EXPECT_FALSE(limit.TryStart(kT0 + milliseconds(20)));
  auto next = limit.TryStart(kT0 + milliseconds(30));  // a fourth in the same second
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, kT0 + milliseconds(1000));  // when the first leaves the window
  EXPECT_TRUE(limit.TryStart(kT0 + milliseconds(999)));
  EXPECT_FALSE(limit.TryStart(kT0 + milliseconds(1000)));
  next = limit.TryStart(kT0 + milliseconds(1000));
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, kT0 + milliseconds(1010));
}

TEST(StartLimitTest, ARefusedRequestIsNotCounted) {
  StartLimit limit(1, milliseconds(100));
  EXPECT_FALSE(limit.TryStart(kT0));
  for (int i = 1; i < 10; ++i) EXPECT_TRUE(limit.TryStart(kT0 + milliseconds(i)));
  EXPECT_FALSE(limit.TryStart(kT0 + milliseconds(100)));
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
