#include "auth/failure_limiter.hpp"

#include <gtest/gtest.h>

namespace socialgate::auth {
namespace {

using Clock = FailureLimiter::Clock;
using std::chrono::milliseconds;
using std::chrono::seconds;
const Clock::time_point t0 = Clock::time_point() + std::chrono::hours(1);

TEST(FailureLimiterTest, LocksAtTheThresholdDoublingUpToTheMaximum) {
  FailureLimiter limiter(3, seconds(60), seconds(5), seconds(1));
  EXPECT_EQ(limiter.RecordFailure("k", t0), 1);
  EXPECT_EQ(limiter.RecordFailure("k", t0), 2);
  EXPECT_FALSE(limiter.Locked("k", t0));
  EXPECT_EQ(limiter.RecordFailure("k", t0), 3);
  EXPECT_EQ(limiter.Locked("k", t0), milliseconds(1000));
  limiter.RecordFailure("k", t0);
  EXPECT_EQ(limiter.Locked("k", t0), milliseconds(2000));
  for (int i = 0; i < 10; ++i) limiter.RecordFailure("k", t0);
  EXPECT_EQ(limiter.Locked("k", t0), milliseconds(5000));  // capped
  EXPECT_FALSE(limiter.Locked("k", t0 + seconds(5)));      // locks always end
  EXPECT_FALSE(limiter.Locked("other", t0));
}

TEST(FailureLimiterTest, FailuresAreForgottenOneAtATimeWithoutASuccess) {
  FailureLimiter limiter(100, seconds(10), seconds(5));
  for (int i = 0; i < 6; ++i) limiter.RecordFailure("k", t0);
  EXPECT_EQ(limiter.Failures("k", t0), 6);
  // A failure counts until it is wholly forgotten: one every 10 s.
  EXPECT_EQ(limiter.Failures("k", t0 + seconds(5)), 6);
  EXPECT_EQ(limiter.Failures("k", t0 + seconds(10)), 5);
  EXPECT_EQ(limiter.Failures("k", t0 + seconds(35)), 3);
  EXPECT_EQ(limiter.Failures("k", t0 + seconds(60)), 0);
  // A steady trickle slower than the decay never adds up...
  for (int i = 0; i < 50; ++i) limiter.RecordFailure("slow", t0 + seconds(11 * i));
  EXPECT_LE(limiter.Failures("slow", t0 + seconds(11 * 49)), 2);
  // ...a faster one does.
  for (int i = 0; i < 50; ++i) limiter.RecordFailure("fast", t0 + seconds(i));
  EXPECT_GE(limiter.Failures("fast", t0 + seconds(49)), 44);
}

TEST(FailureLimiterTest, ASuccessForgetsAtOnce) {
  FailureLimiter limiter(3, seconds(60), seconds(5));
  for (int i = 0; i < 3; ++i) limiter.RecordFailure("k", t0);
  ASSERT_TRUE(limiter.Locked("k", t0));
  limiter.RecordSuccess("k");
  EXPECT_FALSE(limiter.Locked("k", t0));
  EXPECT_EQ(limiter.RecordFailure("k", t0), 1);
}

TEST(FailureLimiterTest, AFloodOfDistinctKeysStaysBounded) {
  FailureLimiter limiter(3, seconds(1), seconds(5), seconds(1), /*max_keys=*/100);
  for (int i = 0; i < 1000; ++i) {
    limiter.RecordFailure("k" + std::to_string(i), t0);
    ASSERT_LE(limiter.KeyCount(), 100u) << "after " << i + 1 << " keys";
  }
  EXPECT_EQ(limiter.RecordFailure("fresh", t0), 1);  // and it still counts
}

}  // namespace
}  // namespace socialgate::auth
