#include "dispatch/dispatcher.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>

#include <gtest/gtest.h>

#include "store/storage.hpp"
#include "support/eventually.hpp"
#include "support/failing_storage.hpp"
#include "support/sample_message.hpp"
#include "support/sync_store.hpp"
#include "util/ids.hpp"

namespace socialgate::dispatch {
namespace {

using providers::SendOutcome;

// A provider whose answers the test scripts; it counts the sends per message.
class ScriptedProvider final : public providers::Provider {
 public:
  std::string_view Name() const override { return "scripted"; }
  // Async: answers inline from SendAsync, as a provider that never blocks (the sandbox) does.
  bool async = false;
  bool SendsAsync(const core::OutboundMessage&) const override { return async; }

  SendOutcome Send(std::string_view message_id, const core::OutboundMessage&) override {
    std::lock_guard lock(mutex_);
    ++sends_[std::string(message_id)];
    started_.push_back(std::chrono::steady_clock::now());
    sent_.notify_all();
    if (throws_ > 0) {
      --throws_;
      throw std::runtime_error("a provider's bug");
    }
    if (script_.empty()) return SendOutcome::Accepted("p-" + std::string(message_id), "wa");
    SendOutcome o = script_.front();
    script_.pop_front();
    return o;
  }
  // The next `n` sends throw instead of answering (a provider breaking its contract).
  void ThrowNext(int n) {
    std::lock_guard lock(mutex_);
    throws_ = n;
  }
  void Then(SendOutcome o) {
    std::lock_guard lock(mutex_);
    script_.push_back(std::move(o));
  }
  int Sends(const std::string& id) {
    std::lock_guard lock(mutex_);
    return sends_[id];
  }
  std::vector<std::chrono::steady_clock::time_point> Started() {
    std::lock_guard lock(mutex_);
    return started_;
  }
  // Waits until `n` sends have started (bounded: false after 10 s).
  bool WaitForSends(std::size_t n) {
    std::unique_lock lock(mutex_);
    return sent_.wait_for(lock, std::chrono::seconds(10), [&] { return started_.size() >= n; });
  }

 private:
  std::vector<std::chrono::steady_clock::time_point> started_;
  std::mutex mutex_;
  std::condition_variable sent_;
  std::deque<SendOutcome> script_;
  std::map<std::string, int> sends_;
  int throws_ = 0;
};

SendOutcome Retry(std::string code) {
  SendOutcome o;
  o.kind = SendOutcome::Kind::kRetryLater;
  o.error_code = std::move(code);
  o.error_message = "temporarily unavailable";
  return o;
}

SendOutcome Reject(std::string code) {
  SendOutcome o;
  o.kind = SendOutcome::Kind::kRejected;
  o.error_code = std::move(code);
  o.error_message = "template does not exist";
  return o;
}

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenStorage("sqlite::memory:");
    ASSERT_TRUE(s);
    storage_ = std::move(*s);
    auto& d = config_.dispatch;
    d.workers = 2;
    d.poll_interval = std::chrono::milliseconds(20);
    d.base_backoff = std::chrono::milliseconds(1);
    d.max_backoff = std::chrono::milliseconds(5);
    d.max_attempts = 3;
    d.pair_per_minute = 0;  // the tests send many messages to one customer
    config::Domain domain;
    domain.name = "default";
    config::BusinessNumber number;
    number.phone = "3902124122690";
    number.messages_per_second = 1000;
    domain.numbers.push_back(number);
    config_.domains.push_back(domain);
    dispatcher_ = std::make_unique<Dispatcher>(
        outbox(), storage_->number_leases(),
        [this](std::string_view phone) -> providers::Provider* {
          return phone == "3902124122690" ? &provider_ : nullptr;
        },
        config_);
  }
  void TearDown() override { dispatcher_.reset(); }

  std::string Insert(const std::string& service = "3902124122690", std::int64_t age_ms = 0) {
    store::NewMessage m;
    m.id = util::NewMessageId();
    m.domain = "default";
    m.now_ms = util::NowUnixMillis() - age_ms;
    m.message.customer_phone = "393403603062";
    m.message.service_phone = service;
    testing::Template(m.message).template_name = "t";
    testing::Template(m.message).language = "en";
    EXPECT_TRUE(testing::Insert(outbox(), m));
    return m.id;
  }

  // Waits until the message reaches `status`: the store is read again after each recorded
  // outcome is durable, which no dispatcher signals, so it is polled (bounded: 10 s).
  store::StoredMessage WaitFor(const std::string& id, core::MessageStatus status) {
    store::StoredMessage last;
    const bool reached = support::Eventually([&] {
      auto got = outbox().Get("default", id);
      if (got && got->has_value()) last = **got;
      return last.status == status;
    });
    if (!reached)
      ADD_FAILURE() << id << " never reached " << core::MessageStatusName(status) << " (is "
                    << core::MessageStatusName(last.status) << ")";
    return last;
  }

  store::Outbox& outbox() { return storage_->outbox(); }

  store::StoragePtr storage_;
  ScriptedProvider provider_;
  config::Config config_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(DispatcherTest, DeliversAndTellsTheListenerOnce) {
  std::mutex m;
  std::condition_variable cv;
  std::vector<AttemptResult> heard;
  const std::string id = util::NewMessageId();
  dispatcher_->Listen(id, "3902124122690", [&](const AttemptResult& r) {
    std::lock_guard lock(m);
    heard.push_back(r);
    cv.notify_all();
  });
  store::NewMessage msg;
  msg.id = id;
  msg.domain = "default";
  msg.now_ms = util::NowUnixMillis();
  msg.message.service_phone = "3902124122690";
  ASSERT_TRUE(testing::Insert(outbox(), msg));
  dispatcher_->Start();
  dispatcher_->Notify();
  {
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return !heard.empty(); }));
  }
  EXPECT_EQ(heard[0].status, core::MessageStatus::kAccepted);
  EXPECT_EQ(heard[0].provider_message_id, "p-" + id);
  const auto stored = WaitFor(id, core::MessageStatus::kAccepted);
  EXPECT_EQ(stored.provider_message_id, "p-" + id);
  EXPECT_EQ(provider_.Sends(id), 1);
}

TEST_F(DispatcherTest, AnOutcomeTheStoreRefusesIsWrittenAgainUntilItIsStoredAndSentOnce) {
  // A database that is down for a while: the provider accepted the message, and its outcome
  // must reach the store, not wait for a lease to lapse (this instance still holds it).
  dispatcher_.reset();
  auto inner = store::OpenStorage("sqlite::memory:");
  ASSERT_TRUE(inner);
  testing::FailingStorage failing(std::move(*inner));
  using Kind = testing::FailingStorage::Kind;
  failing.FailNext(Kind::kAttemptEnd, 3);
  dispatcher_ = std::make_unique<Dispatcher>(
      failing.outbox(), failing.number_leases(),
      [this](std::string_view) -> providers::Provider* { return &provider_; }, config_);
  std::mutex m;
  std::vector<AttemptResult> heard;
  store::NewMessage msg = testing::SampleMessage(util::NewMessageId(), util::NowUnixMillis());
  msg.message.service_phone = "3902124122690";
  dispatcher_->Listen(msg.id, msg.message.service_phone, [&](const AttemptResult& r) {
    std::lock_guard lock(m);
    heard.push_back(r);
  });
  ASSERT_TRUE(testing::Insert(failing.outbox(), msg));
  dispatcher_->Start();
  ASSERT_TRUE(support::Eventually([&] {
    auto got = failing.outbox().Get("default", msg.id);
    return got && got->has_value() && (*got)->status == core::MessageStatus::kAccepted;
  }));
  EXPECT_EQ(failing.Calls(Kind::kAttemptEnd), 4);
  EXPECT_EQ(provider_.Sends(msg.id), 1);
  std::lock_guard lock(m);
  ASSERT_EQ(heard.size(), 1u) << "told once, before the outcome was durable: queued";
  EXPECT_EQ(heard[0].status, core::MessageStatus::kQueued);
  dispatcher_.reset();  // before `failing`
}

TEST_F(DispatcherTest, PermanentRejectionIsNeverRetried) {
  provider_.Then(Reject("132001"));
  const std::string id = Insert();
  dispatcher_->Start();
  const auto m = WaitFor(id, core::MessageStatus::kFailed);
  EXPECT_EQ(m.error_code, "132001");
  EXPECT_EQ(m.attempts, 1);
  // The pump claims again after the rejection was recorded (a message stored since is sent)...
  const std::string next = Insert();
  dispatcher_->Notify();
  WaitFor(next, core::MessageStatus::kAccepted);
  // ...and Stop waits for every send begun and every outcome, so the count is final.
  dispatcher_->Stop();
  EXPECT_EQ(provider_.Sends(id), 1);
  const auto after = WaitFor(id, core::MessageStatus::kFailed);
  EXPECT_EQ(after.attempts, 1);
  ASSERT_FALSE(after.history.empty());
  EXPECT_EQ(after.history.back().status, core::MessageStatus::kFailed);
}

TEST_F(DispatcherTest, PassingFailuresAreRetriedUntilAccepted) {
  provider_.Then(Retry("131000"));
  provider_.Then(Retry("2"));
  const std::string id = Insert();
  dispatcher_->Start();
  const auto m = WaitFor(id, core::MessageStatus::kAccepted);
  EXPECT_EQ(m.attempts, 3);
  EXPECT_EQ(provider_.Sends(id), 3);
}

// A provider that throws (a bug: its contract says it never does) loses that attempt, not the
// process: the attempt is retried with a reason.
class DispatcherProviderFaultTest : public DispatcherTest,
                                    public ::testing::WithParamInterface<bool> {};

TEST_P(DispatcherProviderFaultTest, AProviderThatThrowsHasItsAttemptRetried) {
  // Async: SendAsync's default calls Send on the pump; otherwise Send runs on a worker thread.
  provider_.async = GetParam();
  provider_.ThrowNext(1);
  const std::string id = Insert();
  dispatcher_->Start();
  const auto m = WaitFor(id, core::MessageStatus::kAccepted);
  EXPECT_EQ(m.attempts, 2);
  EXPECT_EQ(provider_.Sends(id), 2);
  bool retried_with_reason = false;
  for (const auto& event : m.history) {
    retried_with_reason =
        retried_with_reason || (event.status == core::MessageStatus::kQueued &&
                                event.detail.find("internal error") != std::string::npos);
  }
  EXPECT_TRUE(retried_with_reason);
}

INSTANTIATE_TEST_SUITE_P(SendAndSendAsync, DispatcherProviderFaultTest, ::testing::Bool());

TEST_F(DispatcherTest, GivesUpAfterMaxAttemptsWithTheReason) {
  for (int i = 0; i < 3; ++i) provider_.Then(Retry("131000"));
  const std::string id = Insert();
  dispatcher_->Start();
  const auto m = WaitFor(id, core::MessageStatus::kFailed);
  EXPECT_EQ(m.attempts, 3);
  EXPECT_NE(m.error_message.find("gave up after 3 attempts over 0 s"), std::string::npos)
      << m.error_message;
  EXPECT_NE(m.error_message.find("temporarily unavailable"), std::string::npos);
}

TEST_F(DispatcherTest, GivesUpWhenTheDomainsMaximumAgeIsReached) {
  config_.domains[0].max_attempts = 100;
  config_.domains[0].max_age = std::chrono::milliseconds(1000);
  provider_.Then(Retry("131000"));
  const std::string id = Insert("3902124122690", 5000);  // accepted 5 s ago
  dispatcher_->Start();
  const auto m = WaitFor(id, core::MessageStatus::kFailed);
  EXPECT_EQ(m.attempts, 1);
  EXPECT_NE(m.error_message.find("gave up after 1 attempt over 5 s"), std::string::npos)
      << m.error_message;
}

TEST_F(DispatcherTest, UnknownBusinessNumberFailsForGood) {
  const std::string id = Insert("441234567890");
  dispatcher_->Start();
  const auto m = WaitFor(id, core::MessageStatus::kFailed);
  EXPECT_EQ(m.error_code, "no_provider");
}

TEST_F(DispatcherTest, NoSecondHoldsMoreSendsOfANumberThanItsRate) {
  // 10 per second: claimed together, the messages wait in memory for their slots.
  config_.domains[0].numbers[0].messages_per_second = 10;
  dispatcher_ = std::make_unique<Dispatcher>(
      outbox(), storage_->number_leases(),
      [this](std::string_view) -> providers::Provider* { return &provider_; }, config_);
  provider_.async = true;
  std::vector<std::string> ids;
  for (int i = 0; i < 25; ++i) ids.push_back(Insert());
  dispatcher_->Start();
  for (const auto& id : ids) {
    const auto m = WaitFor(id, core::MessageStatus::kAccepted);
    EXPECT_EQ(m.attempts, 1) << id;
  }
  const auto started = provider_.Started();
  ASSERT_EQ(started.size(), ids.size());
  // The dispatcher keeps to 10 sends in every FlowControl::RateWindow (1.1 s) as it starts
  // them (pacer_test proves it exactly, on a clock the test moves); the provider notes each a
  // little later, by as much as the machine delays a thread (a loaded CI machine: tens of
  // milliseconds). Unpaced, all 25 would start at once.
  for (std::size_t i = 10; i < started.size(); ++i) {
    EXPECT_GE(started[i] - started[i - 10], std::chrono::milliseconds(900))
        << "sends " << i - 10 << " to " << i << " started within one second";
  }
}

TEST_F(DispatcherTest, ABusyNumberIsClaimedForAgainBeforeItsPacedMessagesRunOut) {
  // 1,000 per second and more messages than one claim takes (256): the next claim must come
  // while the first claim's messages are still waiting for their slots, not once they are all
  // sent, or the number stops for a claim's round trip every 256 messages.
  provider_.async = true;
  std::vector<std::string> ids;
  // Due one millisecond apart, so claims take them in this order.
  for (int i = 0; i < 600; ++i) ids.push_back(Insert("3902124122690", 600 - i));
  dispatcher_->Start();
  ASSERT_TRUE(provider_.WaitForSends(100));
  auto later = outbox().Get("default", ids[299]);  // beyond the first claim
  ASSERT_TRUE(later && later->has_value());
  EXPECT_NE((*later)->status, core::MessageStatus::kQueued)
      << "the second claim waited for the first claim's " << provider_.Started().size()
      << " sends so far";
  for (const auto& id : ids) WaitFor(id, core::MessageStatus::kAccepted);
}

TEST_F(DispatcherTest, StopReturnsUnsentClaimsAndRestartResumes) {
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(Insert());
  dispatcher_->Start();
  dispatcher_->Stop();
  // Nothing is left leased by the stopped dispatcher: each message was sent or is queued.
  for (const auto& id : ids) {
    auto got = outbox().Get("default", id);
    ASSERT_TRUE(got && got->has_value());
    EXPECT_TRUE((*got)->status == core::MessageStatus::kAccepted ||
                (*got)->status == core::MessageStatus::kQueued)
        << core::MessageStatusName((*got)->status);
  }
  auto restarted = std::make_unique<Dispatcher>(
      outbox(), storage_->number_leases(),
      [this](std::string_view) -> providers::Provider* { return &provider_; }, config_);
  restarted->Start();
  for (const auto& id : ids) WaitFor(id, core::MessageStatus::kAccepted);
  for (const auto& id : ids) EXPECT_EQ(provider_.Sends(id), 1) << id;
}

}  // namespace
}  // namespace socialgate::dispatch
