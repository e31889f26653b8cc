#include "auth/credential_checks.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sodium.h>

#include "auth/password.hpp"
#include "auth_fixture.hpp"

namespace socialgate::auth {
namespace {

// Collects answers; waits for a number of them (bounded).
class Answers {
 public:
  CredentialChecks::Done Add() {
    return [this](core::Result<Principal> r) {
      std::lock_guard lock(mutex_);
      results_.push_back(std::move(r));
      done_.notify_all();
    };
  }
  bool WaitFor(std::size_t n) {
    std::unique_lock lock(mutex_);
    return done_.wait_for(lock, std::chrono::seconds(60), [&] { return results_.size() >= n; });
  }
  std::vector<core::Result<Principal>> results() {
    std::lock_guard lock(mutex_);
    return results_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  std::vector<core::Result<Principal>> results_;
};

class CredentialChecksTest : public AuthFixture {
 protected:
  const config::Domain domain_ = Domain("default");
  const std::string right_ = Basic(std::string("alice:") + kSecret);
};

TEST_F(CredentialChecksTest, TheSameCredentialsCheckedAtOnceShareOneCheck) {
  CredentialChecks checks(*authenticator_, 1, 16);
  Answers answers;
  // The first check occupies the only thread; ten more of the same wrong password join it
  // (or the one after it) instead of each costing an argon2id run.
  for (int i = 0; i < 11; ++i) {
    checks.CheckAuthorization(domain_, Basic("alice:wrong"), answers.Add());
  }
  ASSERT_TRUE(answers.WaitFor(11));
  EXPECT_LE(checks.ChecksRun(), 2u);
  for (const auto& r : answers.results()) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::ErrorCode::kUnauthenticated);
  }
}

TEST_F(CredentialChecksTest, RememberedCredentialsAnswerOnTheCallersThreadAtOnce) {
  CredentialChecks checks(*authenticator_, 1, 16);
  Answers first;
  checks.CheckAuthorization(domain_, right_, first.Add());
  ASSERT_TRUE(first.WaitFor(1));
  ASSERT_TRUE(first.results()[0]);
  // Wrong passwords keep the pool busy; a remembered success does not wait for them.
  Answers busy;
  for (int i = 0; i < 4; ++i) {
    checks.CheckAuthorization(domain_, Basic("alice:wrong" + std::to_string(i)), busy.Add());
  }
  const auto caller = std::this_thread::get_id();
  std::thread::id answered_on;
  bool answered = false;
  checks.CheckAuthorization(domain_, right_, [&](core::Result<Principal> r) {
    answered = r.has_value();
    answered_on = std::this_thread::get_id();
  });
  EXPECT_TRUE(answered);
  EXPECT_EQ(answered_on, caller);
  ASSERT_TRUE(busy.WaitFor(4));
}

TEST_F(CredentialChecksTest, BeyondTheBoundNewChecksAreRefusedAtOnce) {
  CredentialChecks checks(*authenticator_, 1, 2);
  Answers answers;
  for (int i = 0; i < 6; ++i) {
    checks.CheckAuthorization(domain_, Basic("alice:guess" + std::to_string(i)), answers.Add());
  }
  ASSERT_TRUE(answers.WaitFor(6));
  int refused = 0;
  for (const auto& r : answers.results()) {
    ASSERT_FALSE(r);
    if (r.error().code == core::ErrorCode::kUnavailable) ++refused;
  }
  EXPECT_GE(refused, 3);  // two wait, one may have started: the others are refused
}

TEST_F(CredentialChecksTest, MalformedCredentialsAreAnsweredWithoutTheirCheck) {
  CredentialChecks checks(*authenticator_, 1, 16);
  std::optional<core::Result<Principal>> answer;
  checks.CheckAuthorization(domain_, "Basic !!!", [&](core::Result<Principal> r) { answer = r; });
  ASSERT_TRUE(answer);
  ASSERT_FALSE(*answer);
  EXPECT_EQ(answer->error().message,
            "Authorization: Basic credentials must be base64 of user:password");
}

}  // namespace
}  // namespace socialgate::auth
