#include "util/byte_budget.hpp"

#include <atomic>
#include <limits>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace socialgate::util {
namespace {

TEST(ByteBudgetTest, TakesUpToTheTotalAndNoMore) {
  ByteBudget budget(100);
  EXPECT_TRUE(budget.TryTake(60));
  EXPECT_FALSE(budget.TryTake(41));
  EXPECT_EQ(budget.in_use(), 60u);
  EXPECT_TRUE(budget.TryTake(40));
  EXPECT_FALSE(budget.TryTake(1));
  budget.Give(100);
  EXPECT_EQ(budget.in_use(), 0u);
}

TEST(ByteBudgetTest, AHugeRequestDoesNotWrapAround) {
  ByteBudget budget(100);
  ASSERT_TRUE(budget.TryTake(10));
  EXPECT_FALSE(budget.TryTake(std::numeric_limits<std::size_t>::max()));
  EXPECT_FALSE(budget.TryTake(std::numeric_limits<std::size_t>::max() - 5));
  EXPECT_EQ(budget.in_use(), 10u);
}

TEST(ByteBudgetTest, ALeaseGrowsAndGivesEverythingBackWhenItEnds) {
  ByteBudget budget(100);
  {
    ByteBudget::Lease lease(budget);
    EXPECT_TRUE(lease.GrowTo(30));
    EXPECT_TRUE(lease.GrowTo(20));  // already holds more
    EXPECT_EQ(lease.held(), 30u);
    EXPECT_TRUE(lease.GrowTo(90));
    EXPECT_EQ(budget.in_use(), 90u);
    EXPECT_FALSE(lease.GrowTo(101));
    EXPECT_EQ(lease.held(), 90u);  // a refused growth keeps what was held
  }
  EXPECT_EQ(budget.in_use(), 0u);
}

TEST(ByteBudgetTest, ConcurrentHoldersNeverTakeMoreThanTheTotal) {
  ByteBudget budget(1000);
  std::vector<std::thread> threads;
  std::atomic<bool> over{false};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20'000; ++i) {
        if (budget.TryTake(300)) {
          if (budget.in_use() > 1000) over = true;
          budget.Give(300);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_FALSE(over);
  EXPECT_EQ(budget.in_use(), 0u);
}

}  // namespace
}  // namespace socialgate::util
