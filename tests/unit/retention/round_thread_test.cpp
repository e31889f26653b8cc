// RoundThread (retention/round_thread.hpp): rounds one after another, and a Stop that ends a
// long wait at once.
#include "retention/round_thread.hpp"

#include <atomic>
#include <chrono>

#include <gtest/gtest.h>

#include "support/eventually.hpp"

namespace socialgate::retention {
namespace {

using std::chrono::milliseconds;

TEST(RoundThreadTest, RunsRoundAfterRoundUntilStopped) {
  std::atomic<int> rounds{0};
  RoundThread thread("sg-test-rounds", [&rounds] {
    ++rounds;
    return milliseconds(1);
  });
  thread.Start();
  thread.Start();  // already running: nothing more
  EXPECT_TRUE(support::Eventually([&] { return rounds.load() >= 3; }));
  thread.Stop();  // joins: a round running meanwhile has finished
}

TEST(RoundThreadTest, StopWakesALongWaitAtOnce) {
  std::atomic<int> rounds{0};
  RoundThread thread("sg-test-wait", [&rounds] {
    ++rounds;
    return milliseconds(std::chrono::hours(1));
  });
  thread.Start();
  ASSERT_TRUE(support::Eventually([&] { return rounds.load() == 1; }));
  // Waiting the round's hour out would run into ctest's timeout and fail the test.
  thread.Stop();
  EXPECT_EQ(rounds.load(), 1) << "no second round after the stop";
}

}  // namespace
}  // namespace socialgate::retention
