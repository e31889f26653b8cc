#include "dispatch/retry_policy.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace socialgate::dispatch {
namespace {

using providers::SendOutcome;
using Kind = store::AttemptEnd::Kind;
using std::chrono::milliseconds;

constexpr std::int64_t kNow = 1'700'000'000'000;  // Unix ms

// A Jitter that answers `pick(ceiling)` and remembers the ceilings it was asked for.
struct FakeJitter {
  std::vector<std::int64_t> ceilings;
  RetryPolicy::Jitter Highest() {
    return [this](std::int64_t ceiling) {
      ceilings.push_back(ceiling);
      return ceiling;
    };
  }
  RetryPolicy::Jitter Lowest() {
    return [this](std::int64_t ceiling) {
      ceilings.push_back(ceiling);
      return std::int64_t{0};
    };
  }
};

config::Config Config() {
  config::Config c;
  c.dispatch.base_backoff = milliseconds(1000);
  c.dispatch.max_backoff = milliseconds(300'000);
  c.dispatch.max_attempts = 12;
  c.dispatch.max_age = milliseconds(24LL * 3600 * 1000);
  config::Domain d;
  d.name = "default";
  c.domains.push_back(d);
  config::Domain strict;
  strict.name = "strict";
  strict.max_attempts = 2;
  strict.max_age = milliseconds(10'000);
  c.domains.push_back(strict);
  return c;
}

store::StoredMessage Message(int attempts, std::int64_t age_ms = 0,
                             const std::string& domain = "default") {
  store::StoredMessage m;
  m.id = "m1";
  m.domain = domain;
  m.attempts = attempts;
  m.created_at_ms = kNow - age_ms;
  return m;
}

SendOutcome Retry(std::optional<milliseconds> retry_after = std::nullopt) {
  SendOutcome o;
  o.kind = SendOutcome::Kind::kRetryLater;
  o.error_code = "131000";
  o.error_message = "something went wrong";
  o.retry_after = retry_after;
  return o;
}

TEST(RetryPolicyTest, AnAcceptedOutcomeIsRecordedWithTheProvidersIds) {
  const config::Config c = Config();
  FakeJitter jitter;
  RetryPolicy policy(c, jitter.Highest());
  const auto d = policy.Decide(Message(1), SendOutcome::Accepted("wamid.1", "3934"), "me", kNow);
  EXPECT_EQ(d.end.kind, Kind::kAccepted);
  EXPECT_EQ(d.end.id, "m1");
  EXPECT_EQ(d.end.owner, "me");
  EXPECT_EQ(d.end.now_ms, kNow);
  EXPECT_EQ(d.end.provider_message_id, "wamid.1");
  EXPECT_EQ(d.end.wa_id, "3934");
  EXPECT_EQ(d.end.error_code, "");
  EXPECT_EQ(d.result.status, core::MessageStatus::kAccepted);
  EXPECT_EQ(d.result.provider_message_id, "wamid.1");
  EXPECT_TRUE(jitter.ceilings.empty());
}

TEST(RetryPolicyTest, ARejectionFailsForGoodWithTheProvidersReason) {
  const config::Config c = Config();
  FakeJitter jitter;
  RetryPolicy policy(c, jitter.Highest());
  SendOutcome o;
  o.kind = SendOutcome::Kind::kRejected;
  o.error_code = "132001";
  o.error_message = "template does not exist";
  const auto d = policy.Decide(Message(1), o, "me", kNow);
  EXPECT_EQ(d.end.kind, Kind::kFailed);
  EXPECT_EQ(d.end.error_code, "132001");
  EXPECT_EQ(d.end.error_message, "template does not exist");
  EXPECT_EQ(d.end.next_attempt_at_ms, 0);
  EXPECT_EQ(d.result.status, core::MessageStatus::kFailed);
  EXPECT_EQ(d.result.error_code, "132001");
  EXPECT_TRUE(jitter.ceilings.empty());  // never retried: no backoff drawn
}

TEST(RetryPolicyTest, APassingFailureIsRescheduledWithinItsBackoff) {
  const config::Config c = Config();
  FakeJitter jitter;
  RetryPolicy policy(c, jitter.Highest());
  const auto d = policy.Decide(Message(3), Retry(), "me", kNow);
  EXPECT_EQ(d.end.kind, Kind::kRescheduled);
  EXPECT_EQ(d.end.next_attempt_at_ms, kNow + 4000);  // base * 2^(3-1), the jitter's highest
  EXPECT_EQ(d.end.error_code, "131000");
  EXPECT_EQ(d.end.error_message, "something went wrong");
  EXPECT_EQ(d.result.status, core::MessageStatus::kQueued);
}

TEST(RetryPolicyTest, BackoffDoublesUpToItsCapWithFullJitter) {
  const config::Config c = Config();
  FakeJitter jitter;
  RetryPolicy policy(c, jitter.Highest());
  EXPECT_EQ(policy.BackoffMillis(0, std::nullopt), 1000);  // never below the first step
  EXPECT_EQ(policy.BackoffMillis(1, std::nullopt), 1000);
  EXPECT_EQ(policy.BackoffMillis(2, std::nullopt), 2000);
  EXPECT_EQ(policy.BackoffMillis(9, std::nullopt), 256'000);
  EXPECT_EQ(policy.BackoffMillis(10, std::nullopt), 300'000);  // capped
  EXPECT_EQ(policy.BackoffMillis(1000, std::nullopt), 300'000);
  FakeJitter low;
  RetryPolicy lowest(c, low.Lowest());
  EXPECT_EQ(lowest.BackoffMillis(5, std::nullopt), 0);  // full jitter: from zero
  EXPECT_EQ(low.ceilings, std::vector<std::int64_t>{16'000});
}

TEST(RetryPolicyTest, TheProvidersRetryAfterIsTheLeastWait) {
  const config::Config c = Config();
  FakeJitter jitter;
  RetryPolicy lowest(c, jitter.Lowest());
  EXPECT_EQ(lowest.BackoffMillis(1, milliseconds(7000)), 7000);
  RetryPolicy highest(c, jitter.Highest());
  EXPECT_EQ(highest.BackoffMillis(4, milliseconds(10)), 8000);
  const auto d = lowest.Decide(Message(1), Retry(milliseconds(60'000)), "me", kNow);
  EXPECT_EQ(d.end.next_attempt_at_ms, kNow + 60'000);
}

TEST(RetryPolicyTest, GivesUpAtMaxAttemptsSayingHowLongItTried) {
  const config::Config c = Config();
  FakeJitter jitter;
  RetryPolicy policy(c, jitter.Lowest());
  auto d = policy.Decide(Message(12, 3000), Retry(), "me", kNow);
  EXPECT_EQ(d.end.kind, Kind::kFailed);
  EXPECT_EQ(d.end.error_code, "131000");
  EXPECT_EQ(d.end.error_message,
            "gave up after 12 attempts over 3 s: last error: something went wrong");
  EXPECT_EQ(d.result.status, core::MessageStatus::kFailed);
  EXPECT_EQ(d.result.error_message, d.end.error_message);
  d = policy.Decide(Message(11, 3000), Retry(), "me", kNow);
  EXPECT_EQ(d.end.kind, Kind::kRescheduled);
}

TEST(RetryPolicyTest, GivesUpWhenTheNextAttemptWouldBeTooOld) {
  const config::Config c = Config();
  FakeJitter jitter;
  RetryPolicy policy(c, jitter.Lowest());
  // The strict domain: at most 10 s old at the next attempt, and 2 attempts.
  auto d = policy.Decide(Message(1, 5000, "strict"), Retry(milliseconds(5001)), "me", kNow);
  EXPECT_EQ(d.end.kind, Kind::kFailed);
  EXPECT_EQ(d.end.error_message,
            "gave up after 1 attempt over 5 s: last error: something went wrong");
  d = policy.Decide(Message(1, 5000, "strict"), Retry(milliseconds(5000)), "me", kNow);
  EXPECT_EQ(d.end.kind, Kind::kRescheduled);
  d = policy.Decide(Message(2, 0, "strict"), Retry(), "me", kNow);
  EXPECT_EQ(d.end.kind, Kind::kFailed);
}

TEST(RetryPolicyTest, DomainLimitsFallBackToTheDispatchSection) {
  const config::Config c = Config();
  FakeJitter jitter;
  RetryPolicy policy(c, jitter.Lowest());
  EXPECT_EQ(policy.MaxAttempts("default"), 12);
  EXPECT_EQ(policy.MaxAttempts("strict"), 2);
  EXPECT_EQ(policy.MaxAttempts("unknown"), 12);
  EXPECT_EQ(policy.MaxAge("default"), milliseconds(24LL * 3600 * 1000));
  EXPECT_EQ(policy.MaxAge("strict"), milliseconds(10'000));
}

TEST(RetryPolicyTest, HumanDurations) {
  EXPECT_EQ(HumanDuration(0), "0 s");
  EXPECT_EQ(HumanDuration(4'600), "5 s");
  EXPECT_EQ(HumanDuration(119'000), "119 s");
  EXPECT_EQ(HumanDuration(120'000), "2 min");
  EXPECT_EQ(HumanDuration(7'200'000), "2 h");
  EXPECT_EQ(HumanDuration(24LL * 3'600'000), "24 h");
}

TEST(RetryPolicyTest, RandomJitterStaysWithinItsCeiling) {
  const auto jitter = RandomJitter();
  for (int i = 0; i < 1000; ++i) {
    const auto v = jitter(10);
    EXPECT_GE(v, 0);
    EXPECT_LE(v, 10);
  }
  EXPECT_EQ(jitter(0), 0);
}

}  // namespace
}  // namespace socialgate::dispatch
