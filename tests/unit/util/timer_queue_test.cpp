#include "util/timer_queue.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

namespace socialgate::util {
namespace {

using std::chrono::milliseconds;

TEST(TimerQueueTest, RunsCallbacksInDueOrder) {
  TimerQueue timers;
  std::mutex m;
  std::condition_variable cv;
  std::vector<int> order;
  auto push = [&](int v) {
    std::lock_guard lock(m);
    order.push_back(v);
    cv.notify_all();
  };
  timers.Schedule(milliseconds(60), [&] { push(3); });
  timers.Schedule(milliseconds(0), [&] { push(1); });
  timers.Schedule(milliseconds(30), [&] { push(2); });
  std::unique_lock lock(m);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return order.size() == 3; }));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(TimerQueueTest, StopDropsPendingTimers) {
  std::atomic<int> ran{0};
  {
    TimerQueue timers;
    timers.Schedule(std::chrono::hours(1), [&] { ++ran; });
    timers.Stop();
  }
  EXPECT_EQ(ran, 0);
}

}  // namespace
}  // namespace socialgate::util
