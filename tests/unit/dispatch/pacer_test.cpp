#include "dispatch/pacer.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace socialgate::dispatch {
namespace {

using std::chrono::milliseconds;
using MessagePtr = Pacer::MessagePtr;
using TimePoint = Pacer::TimePoint;

// Never called: the pacer only hands the provider back to its caller.
class NoProvider final : public providers::Provider {
 public:
  std::string_view Name() const override { return "none"; }
  providers::SendOutcome Send(std::string_view, const core::OutboundMessage&) override {
    ADD_FAILURE() << "the pacer sent by itself";
    return {};
  }
};

// One number, "111", at 10 sends per 1.1 s (FlowControl::RateWindow): a slot every 110 ms.
config::Config OneNumber() {
  config::Config c;
  c.dispatch.pair_per_minute = 0;
  c.dispatch.breaker_failures = 2;
  c.dispatch.breaker_cooldown = milliseconds(500);
  config::Domain d;
  d.name = "default";
  config::BusinessNumber n;
  n.phone = "111";
  n.messages_per_second = 10;
  d.numbers = {n};
  c.domains.push_back(d);
  return c;
}

MessagePtr Message(int i) {
  auto m = std::make_shared<store::StoredMessage>();
  m->id = "m" + std::to_string(i);
  m->message.service_phone = "111";
  m->message.customer_phone = "393403603062";
  return m;
}

class PacerTest : public ::testing::Test {
 protected:
  PacerTest() : flow_(config_, clock_.Now()), pacer_(flow_, clock_) {}

  // Hands the due messages over, noting when each was sent and which went back.
  void SendDue() {
    pacer_.SendDue([this](const MessagePtr& m, providers::Provider*) { Sent(m); },
                   [this](const MessagePtr& m) { given_back_.push_back(m->id); });
  }
  void Sent(const MessagePtr& m) {
    sent_at_.push_back(clock_.Now());
    sent_.push_back(m->id);
  }
  // Admits message `i` as the pump's Begin does; true when it was kept or sent.
  bool Admit(int i) {
    const auto m = Message(i);
    const auto verdict = pacer_.Admit(m, &provider_);
    if (verdict.send_now) Sent(m);
    return !verdict.give_back;
  }

  const config::Config config_ = OneNumber();
  util::ManualClock clock_;
  FlowControl flow_;
  Pacer pacer_;
  NoProvider provider_;
  std::vector<TimePoint> sent_at_;
  std::vector<std::string> sent_;
  std::vector<std::string> given_back_;
};

TEST_F(PacerTest, NoWindowHoldsMoreSendsOfANumberThanItsRate) {
  // The pump's way: claim for the number while it has less than half the horizon booked, hand
  // over what is due, and let time pass (here 1 ms a step, on a clock no thread moves).
  int offered = 0;
  for (int step = 0; step < 5000 && sent_.size() < 25; ++step) {
    while (offered < 25 && flow_.ThrottledNumbers(clock_.Now(), Pacer::kHorizon / 2).empty()) {
      ASSERT_TRUE(Admit(offered++));
    }
    SendDue();
    clock_.Advance(milliseconds(1));
  }
  ASSERT_EQ(sent_.size(), 25u);
  EXPECT_TRUE(given_back_.empty());
  const auto window = flow_.RateWindow("111");
  for (std::size_t i = 10; i < sent_at_.size(); ++i) {
    EXPECT_GE(sent_at_[i] - sent_at_[i - 10], window) << "sends " << i - 10 << " to " << i;
  }
  for (std::size_t i = 1; i < sent_.size(); ++i) {
    EXPECT_EQ(sent_[i], "m" + std::to_string(i));                 // in the order they were claimed
    EXPECT_GE(sent_at_[i] - sent_at_[i - 1], milliseconds(109));  // evenly spaced slots
  }
}

TEST_F(PacerTest, MessagesBeyondTheHorizonAreGivenBack) {
  int kept = 0;
  while (Admit(kept)) ++kept;
  // A slot every 110 ms within the 1 s horizon: the first sent now, nine more kept.
  EXPECT_EQ(kept, 10);
  EXPECT_EQ(sent_.size(), 1u);
  const auto verdict = pacer_.Admit(Message(99), &provider_);
  ASSERT_TRUE(verdict.give_back);
  EXPECT_GT(*verdict.give_back, Pacer::kHorizon);
}

TEST_F(PacerTest, ALatePumpCatchesUpAtTwiceTheRateAtMost) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Admit(i));
  ASSERT_EQ(sent_.size(), 1u);              // m0 at once, the others kept for their slots
  clock_.Advance(std::chrono::seconds(2));  // every kept slot has passed
  SendDue();
  EXPECT_EQ(sent_.size(), 2u);  // one, not a burst of four
  // The next one after half a slot: RateWindow / (2 * 10) = 55 ms.
  clock_.Advance(milliseconds(54));
  SendDue();
  EXPECT_EQ(sent_.size(), 2u);
  clock_.Advance(milliseconds(1));
  SendDue();
  EXPECT_EQ(sent_.size(), 3u);
}

TEST_F(PacerTest, AKeptMessageGoesBackWhenItsNumbersCircuitOpened) {
  ASSERT_TRUE(Admit(0));
  ASSERT_TRUE(Admit(1));
  ASSERT_EQ(sent_.size(), 1u);
  providers::SendOutcome down;
  down.kind = providers::SendOutcome::Kind::kRetryLater;
  down.provider_unwell = true;
  flow_.Report("111", down, clock_.Now());
  flow_.Report("111", down, clock_.Now());
  clock_.Advance(milliseconds(110));
  SendDue();
  EXPECT_EQ(sent_.size(), 1u);
  EXPECT_EQ(given_back_, std::vector<std::string>{"m1"});
}

TEST_F(PacerTest, TakeKeptReturnsEveryKeptMessageEarliestFirst) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Admit(i));
  const auto kept = pacer_.TakeKept();
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[0]->id, "m1");
  EXPECT_EQ(kept[2]->id, "m3");
  clock_.Advance(std::chrono::seconds(2));
  SendDue();
  EXPECT_EQ(sent_.size(), 1u);  // nothing was left to send
  EXPECT_TRUE(pacer_.TakeKept().empty());
}

}  // namespace
}  // namespace socialgate::dispatch
