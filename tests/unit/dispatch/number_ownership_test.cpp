// NumberOwnership over a real store: what a renewal grants is held until the renewal was asked
// plus a lease, numbers lost are dropped at once, gains wake the caller, and Release hands the
// numbers over.
#include "dispatch/number_ownership.hpp"

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/storage.hpp"
#include "util/clock.hpp"

namespace socialgate::dispatch {
namespace {

using namespace std::chrono_literals;

const std::vector<std::string> kNumbers = {"3901", "3902"};

class NumberOwnershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenStorage("sqlite::memory:");
    ASSERT_TRUE(s) << s.error().detail;
    storage_ = std::move(*s);
  }
  std::unique_ptr<NumberOwnership> Make(const std::string& owner) {
    return std::make_unique<NumberOwnership>(storage_->number_leases(), owner, kNumbers, 10s, 2s,
                                             clock_, [this] { ++gains_; });
  }

  util::ManualClock clock_;
  store::StoragePtr storage_;
  std::atomic<int> gains_{0};
};

TEST_F(NumberOwnershipTest, HoldsWhatARenewalGrantedUntilTheAskPlusALease) {
  auto a = Make("a");
  EXPECT_FALSE(a->Owns("3901"));
  EXPECT_EQ(a->NotHeld(), kNumbers);
  ASSERT_TRUE(a->RenewOnce());
  EXPECT_EQ(gains_.load(), 1);
  EXPECT_TRUE(a->Owns("3901"));
  EXPECT_TRUE(a->Owns("3902"));
  EXPECT_FALSE(a->Owns("3999")) << "not a number of this instance";
  EXPECT_TRUE(a->NotHeld().empty());
  // No renewal since (the store is down, the thread stalled): the lease runs out here too.
  clock_.Advance(10s - 1ms);
  EXPECT_TRUE(a->Owns("3901"));
  clock_.Advance(1ms);
  EXPECT_FALSE(a->Owns("3901"));
  // A renewal that only keeps what was held gains nothing.
  ASSERT_TRUE(a->RenewOnce());  // the store's own leases ran out at the same time: taken again
  EXPECT_EQ(gains_.load(), 2);
  ASSERT_TRUE(a->RenewOnce());
  EXPECT_EQ(gains_.load(), 2);
}

TEST_F(NumberOwnershipTest, NumbersGivenUpAreDroppedAtOnceAndTakenByTheOtherAfterTheHandover) {
  auto a = Make("a");
  auto b = Make("b");
  ASSERT_TRUE(a->RenewOnce());
  ASSERT_TRUE(b->RenewOnce());
  EXPECT_TRUE(b->NotHeld() == kNumbers);
  ASSERT_TRUE(a->RenewOnce());  // two instances now: a keeps its share
  EXPECT_TRUE(a->Owns("3901"));
  EXPECT_FALSE(a->Owns("3902"));
  clock_.Advance(2s);
  ASSERT_TRUE(b->RenewOnce());
  EXPECT_TRUE(b->Owns("3902"));
  EXPECT_FALSE(b->Owns("3901"));
}

// A configuration reload: a removed number is no longer sent for at once, a new one is taken
// at the next renewal.
TEST_F(NumberOwnershipTest, SetNumbersDropsARemovedNumberAtOnceAndTakesANewOne) {
  auto a = Make("a");
  ASSERT_TRUE(a->RenewOnce());
  ASSERT_TRUE(a->Owns("3902"));
  a->SetNumbers({"3901", "3903"}, 2s);
  EXPECT_FALSE(a->Owns("3902"));
  EXPECT_TRUE(a->Owns("3901"));
  EXPECT_EQ(a->NotHeld(), std::vector<std::string>{"3903"});
  ASSERT_TRUE(a->RenewOnce());
  EXPECT_TRUE(a->Owns("3903"));
  EXPECT_FALSE(a->Owns("3902")) << "its lease is not renewed, nor held again";
  EXPECT_TRUE(a->NotHeld().empty());
}

TEST_F(NumberOwnershipTest, ReleaseHandsEveryNumberOver) {
  auto a = Make("a");
  auto b = Make("b");
  ASSERT_TRUE(a->RenewOnce());
  a->Release();
  EXPECT_FALSE(a->Owns("3901"));
  ASSERT_TRUE(b->RenewOnce());
  EXPECT_FALSE(b->Owns("3901")) << "within the hand-over";
  clock_.Advance(2s);
  ASSERT_TRUE(b->RenewOnce());
  EXPECT_TRUE(b->Owns("3901"));
  EXPECT_TRUE(b->Owns("3902"));
}

}  // namespace
}  // namespace socialgate::dispatch
