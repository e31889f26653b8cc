#include "auth/lockout.hpp"

#include <gtest/gtest.h>

#include "store/storage.hpp"

namespace socialgate::auth {
namespace {

using Clock = Lockout::Clock;
using std::chrono::seconds;
const Clock::time_point t0 = Clock::time_point() + std::chrono::hours(1);
constexpr std::int64_t kNowMs = 1'800'000'000'000;

class LockoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenStorage("sqlite::memory:");
    ASSERT_TRUE(s);
    storage_ = std::move(*s);
  }
  store::TrustedAddresses* trusted() { return &storage_->trusted_addresses(); }
  store::StoragePtr storage_;
};

Lockout::Attempt Bob(std::string_view address) { return {"default", "bob", address}; }

// Issue 14's scenario: 25 wrong passwords from 5 addresses, then one a second from a new
// address each time, while bob, with the right password, logs in from his usual address.
TEST_F(LockoutTest, ADistributedGuesserCannotKeepAUserOutOfAnAddressTheyUse) {
  Lockout lockout(trusted());
  lockout.Succeeded(Bob("192.0.2.10"), kNowMs);  // bob's office, yesterday
  for (int a = 0; a < 5; ++a) {
    for (int i = 0; i < 5; ++i) {
      lockout.Failed(Bob("198.51.100." + std::to_string(a)), t0, kNowMs);
    }
  }
  int bob_refused = 0;
  int guesser_refused = 0;
  for (int s = 0; s < 40; ++s) {
    const auto now = t0 + seconds(s);
    const std::string guesser = "203.0.113." + std::to_string(s);
    if (lockout.Refused(Bob(guesser), now, kNowMs)) {
      ++guesser_refused;
    } else {
      lockout.Failed(Bob(guesser), now, kNowMs);
    }
    if (lockout.Refused(Bob("192.0.2.10"), now, kNowMs)) {
      ++bob_refused;
    } else {
      lockout.Succeeded(Bob("192.0.2.10"), kNowMs);
    }
  }
  EXPECT_EQ(bob_refused, 0);
  EXPECT_EQ(guesser_refused, 40);  // the user's own lock holds everywhere else
  // A new address of bob's meets the user's lock too: it has never succeeded.
  EXPECT_TRUE(lockout.Refused(Bob("192.0.2.99"), t0 + seconds(40), kNowMs));
}

TEST_F(LockoutTest, TrustSurvivesARestartThroughTheStore) {
  {
    Lockout before(trusted());
    before.Succeeded(Bob("192.0.2.10"), kNowMs);
  }
  storage_->Drain();  // the save is asynchronous
  Lockout after(trusted());
  ASSERT_TRUE(after.Load(kNowMs + 1000));
  EXPECT_TRUE(after.Trusted(Bob("192.0.2.10"), kNowMs + 1000));
  EXPECT_FALSE(after.Trusted(Bob("192.0.2.11"), kNowMs + 1000));
  EXPECT_FALSE(after.Trusted({"default", "alice", "192.0.2.10"}, kNowMs + 1000));
  EXPECT_FALSE(after.Trusted({"other", "bob", "192.0.2.10"}, kNowMs + 1000));
  for (int i = 0; i < 30; ++i) after.Failed(Bob("198.51.100.1"), t0, kNowMs + 1000);
  EXPECT_FALSE(after.Refused(Bob("192.0.2.10"), t0, kNowMs + 1000));
  // Trust ends kTrustFor after the last success.
  const std::int64_t later = kNowMs + std::chrono::milliseconds(Lockout::kTrustFor).count() + 1;
  Lockout much_later(trusted());
  ASSERT_TRUE(much_later.Load(later));
  EXPECT_FALSE(much_later.Trusted(Bob("192.0.2.10"), later));
}

TEST_F(LockoutTest, AGuesserAtATrustedAddressStillMeetsThatAddressesLocks) {
  Lockout lockout(trusted());
  lockout.Succeeded(Bob("192.0.2.10"), kNowMs);
  for (int i = 0; i < 5; ++i) lockout.Failed(Bob("192.0.2.10"), t0, kNowMs);
  EXPECT_TRUE(lockout.Refused(Bob("192.0.2.10"), t0, kNowMs));  // bob at that address
  // Bob's mistakes where he works do not lock him out everywhere else.
  EXPECT_FALSE(lockout.Refused(Bob("192.0.2.11"), t0, kNowMs));
  // One address guessing many users is locked for all of them.
  for (int i = 0; i < 20; ++i) {
    lockout.Failed({"default", "user" + std::to_string(i), "198.51.100.9"}, t0, kNowMs);
  }
  EXPECT_TRUE(lockout.Refused({"default", "carol", "198.51.100.9"}, t0, kNowMs));
  EXPECT_TRUE(lockout.Refused({"default", "", "198.51.100.9"}, t0, kNowMs));
}

TEST_F(LockoutTest, CountsDecaySoLocksEndWithoutASuccess) {
  Lockout lockout(nullptr);
  for (int i = 0; i < 25; ++i) lockout.Failed(Bob("198.51.100." + std::to_string(i)), t0, kNowMs);
  EXPECT_TRUE(lockout.Refused(Bob("203.0.113.1"), t0, kNowMs));
  // Twenty-five failures are forgotten at one per 30 s: after 12.5 minutes, none is left.
  EXPECT_FALSE(lockout.Refused(Bob("203.0.113.1"), t0 + std::chrono::minutes(16), kNowMs));
  const auto failure = lockout.Failed(Bob("203.0.113.1"), t0 + std::chrono::minutes(16), kNowMs);
  EXPECT_EQ(failure.failures, 1);
  EXPECT_FALSE(failure.locked);
}

}  // namespace
}  // namespace socialgate::auth
