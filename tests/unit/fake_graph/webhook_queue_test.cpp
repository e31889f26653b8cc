// The webhook schedule on a clock the test moves: order and delays of the statuses, negative
// delays, the failed plan, the pending and in-flight bounds, retries with backoff, then failed.
#include "fake-graph/webhook_queue.hpp"

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace socialgate::fake_graph {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using TimePoint = WebhookQueue::TimePoint;

const TimePoint kT0 = TimePoint() + std::chrono::hours(1);
constexpr std::int64_t kUnix = 1'750'030'073;

WebhookOptions TestOptions() {
  WebhookOptions o;
  o.url = "http://127.0.0.1:1/webhooks/meta";
  o.app_secret = "secret";
  return o;
}

AcceptedSend Send(std::string wamid = "wamid.A", std::string callback = "gw-1") {
  return AcceptedSend{"106540352242922", std::move(wamid), "447700900123", std::move(callback),
                      std::nullopt};
}

// TakeDue at `at` and complete each job with `outcome` at the same time; returns the statuses
// posted ("sent", ...), filling their bodies as the dispatcher would.
std::vector<std::string> Pump(WebhookQueue& q, TimePoint at,
                              PostOutcome outcome = PostOutcome::kAnswered2xx,
                              std::vector<WebhookJob>* taken = nullptr) {
  std::vector<std::string> out;
  for (auto& job : q.TakeDue(at, 1000)) {
    FillPost(q.options(), kUnix, job);
    out.emplace_back(StatusKindName(job.status()));
    if (taken != nullptr) taken->push_back(job);
    q.Complete(std::move(job), outcome, at);
  }
  return out;
}

using Statuses = std::vector<std::string>;

TEST(WebhookQueueTest, SentDeliveredReadEachAfterItsDelayInOrder) {
  WebhookQueue q(TestOptions());  // 100, 300, 600 ms
  ASSERT_TRUE(q.Add(Send(), kT0));
  EXPECT_EQ(q.Counters().scheduled, 3u);
  EXPECT_EQ(q.Counters().pending, 3u);
  EXPECT_EQ(q.NextDue(), kT0 + milliseconds(100));
  EXPECT_EQ(Pump(q, kT0 + milliseconds(99)), Statuses{});
  EXPECT_EQ(Pump(q, kT0 + milliseconds(100)), Statuses{"sent"});
  EXPECT_EQ(Pump(q, kT0 + milliseconds(299)), Statuses{});
  EXPECT_EQ(Pump(q, kT0 + milliseconds(300)), Statuses{"delivered"});
  EXPECT_EQ(Pump(q, kT0 + milliseconds(600)), Statuses{"read"});
  const auto c = q.Counters();
  EXPECT_EQ(c.posted, 3u);
  EXPECT_EQ(c.answered_2xx, 3u);
  EXPECT_EQ(c.pending, 0u);
  EXPECT_EQ(c.in_flight, 0u);
  EXPECT_FALSE(q.NextDue());
}

TEST(WebhookQueueTest, NextStatusWaitsForThePreviousOnesAnswer) {
  WebhookQueue q(TestOptions());
  ASSERT_TRUE(q.Add(Send(), kT0));
  auto sent = q.TakeDue(kT0 + milliseconds(1000), 10);  // all three are due by now
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].status(), StatusKind::kSent);
  EXPECT_TRUE(q.TakeDue(kT0 + milliseconds(1000), 10).empty());  // sent not answered yet
  q.Complete(std::move(sent[0]), PostOutcome::kAnswered2xx, kT0 + milliseconds(1000));
  EXPECT_EQ(Pump(q, kT0 + milliseconds(1000)), Statuses{"delivered"});
  EXPECT_EQ(Pump(q, kT0 + milliseconds(1000)), Statuses{"read"});
}

TEST(WebhookQueueTest, NegativeDelaysLeaveStatusesOut) {
  auto o = TestOptions();
  o.read_ms = -1;  // stop at delivered
  WebhookQueue q(o);
  ASSERT_TRUE(q.Add(Send(), kT0));
  EXPECT_EQ(q.Counters().scheduled, 2u);
  EXPECT_EQ(Pump(q, kT0 + milliseconds(10'000)), Statuses{"sent"});
  EXPECT_EQ(Pump(q, kT0 + milliseconds(10'000)), Statuses{"delivered"});
  EXPECT_EQ(Pump(q, kT0 + milliseconds(100'000)), Statuses{});

  o = TestOptions();
  o.sent_ms = -5;
  o.delivered_ms = 0;
  o.read_ms = 0;
  WebhookQueue only_later(o);
  ASSERT_TRUE(only_later.Add(Send(), kT0));
  EXPECT_EQ(Pump(only_later, kT0), Statuses{"delivered"});
  EXPECT_EQ(Pump(only_later, kT0), Statuses{"read"});

  o.delivered_ms = o.read_ms = -1;
  WebhookQueue none(o);
  EXPECT_FALSE(none.Add(Send(), kT0));
  EXPECT_EQ(none.Counters().scheduled, 0u);
}

TEST(WebhookQueueTest, StatusesGoInTheOrderOfTheirDelays) {
  auto o = TestOptions();
  o.sent_ms = 50;
  o.delivered_ms = 20;
  o.read_ms = 10;
  WebhookQueue q(o);
  ASSERT_TRUE(q.Add(Send(), kT0));
  EXPECT_EQ(Pump(q, kT0 + milliseconds(10)), Statuses{"read"});
  EXPECT_EQ(Pump(q, kT0 + milliseconds(20)), Statuses{"delivered"});
  EXPECT_EQ(Pump(q, kT0 + milliseconds(50)), Statuses{"sent"});
}

TEST(WebhookQueueTest, AFailingSendGetsSentThenFailedAtTheDeliveredDelay) {
  WebhookQueue q(TestOptions());
  AcceptedSend send = Send();
  send.failure = StatusError{131026, "Message undeliverable", "Message undeliverable", "gone"};
  ASSERT_TRUE(q.Add(send, kT0));
  EXPECT_EQ(q.Counters().scheduled, 2u);
  std::vector<WebhookJob> jobs;
  EXPECT_EQ(Pump(q, kT0 + milliseconds(100), PostOutcome::kAnswered2xx, &jobs), Statuses{"sent"});
  EXPECT_EQ(Pump(q, kT0 + milliseconds(299)), Statuses{});
  EXPECT_EQ(Pump(q, kT0 + milliseconds(300), PostOutcome::kAnswered2xx, &jobs), Statuses{"failed"});
  EXPECT_EQ(Pump(q, kT0 + milliseconds(100'000)), Statuses{});
  ASSERT_EQ(jobs.size(), 2u);
  const json failed = json::parse(jobs[1].body);
  const json& status = failed["entry"][0]["changes"][0]["value"]["statuses"][0];
  EXPECT_EQ(status["id"], "wamid.A");
  EXPECT_EQ(status["errors"][0]["code"], 131026);
  EXPECT_EQ(status["errors"][0]["error_data"]["details"], "gone");
  EXPECT_EQ(jobs[1].signature, HubSignature256("secret", jobs[1].body));
}

TEST(WebhookQueueTest, BeyondThePendingBoundStatusesAreDroppedAndCounted) {
  auto o = TestOptions();
  o.max_pending = 5;
  WebhookQueue q(o);
  EXPECT_TRUE(q.Add(Send("wamid.1"), kT0));
  EXPECT_FALSE(q.Add(Send("wamid.2"), kT0));  // 3 + 3 > 5: none of its statuses
  auto c = q.Counters();
  EXPECT_EQ(c.scheduled, 3u);
  EXPECT_EQ(c.dropped, 3u);
  EXPECT_EQ(c.pending, 3u);
  EXPECT_EQ(Pump(q, kT0 + milliseconds(100)), Statuses{"sent"});
  EXPECT_EQ(Pump(q, kT0 + milliseconds(300)), Statuses{"delivered"});
  EXPECT_TRUE(q.Add(Send("wamid.3"), kT0 + milliseconds(300)));  // 1 + 3 fit
  EXPECT_EQ(q.Counters().pending, 4u);
}

TEST(WebhookQueueTest, AtMostMaxInFlightPostsAreOut) {
  auto o = TestOptions();
  o.max_in_flight = 2;
  o.sent_ms = 0;
  WebhookQueue q(o);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(q.Add(Send("wamid." + std::to_string(i)), kT0));
  auto jobs = q.TakeDue(kT0, 100);
  EXPECT_EQ(jobs.size(), 2u);
  EXPECT_EQ(q.Counters().in_flight, 2u);
  EXPECT_FALSE(q.NextDue());  // full: only an answer makes room
  EXPECT_TRUE(q.TakeDue(kT0, 100).empty());
  q.Complete(std::move(jobs[0]), PostOutcome::kAnswered2xx, kT0);
  EXPECT_TRUE(q.NextDue());
  EXPECT_EQ(q.TakeDue(kT0, 100).size(), 1u);
}

TEST(WebhookQueueTest, RefusedPostsAreRetriedWithDoublingBackoffThenCountedFailedOnce) {
  auto o = TestOptions();
  o.delivered_ms = o.read_ms = -1;  // one status
  WebhookQueue q(o);                // 5 tries, 1 s doubling
  ASSERT_TRUE(q.Add(Send(), kT0));
  std::vector<WebhookJob> tries;
  TimePoint at = kT0 + milliseconds(100);
  EXPECT_EQ(Pump(q, at, PostOutcome::kRefused, &tries).size(), 1u);
  for (const int backoff_ms : {1000, 2000, 4000, 8000}) {
    EXPECT_EQ(q.NextDue(), at + milliseconds(backoff_ms));
    EXPECT_TRUE(Pump(q, at + milliseconds(backoff_ms - 1)).empty());
    at += milliseconds(backoff_ms);
    const auto outcome = backoff_ms == 4000 ? PostOutcome::kNoAnswer : PostOutcome::kRefused;
    EXPECT_EQ(Pump(q, at, outcome, &tries).size(), 1u);
  }
  EXPECT_FALSE(q.NextDue());
  const auto c = q.Counters();
  EXPECT_EQ(c.posted, 5u);
  EXPECT_EQ(c.refused, 4u);
  EXPECT_EQ(c.unanswered, 1u);
  EXPECT_EQ(c.retried, 4u);
  EXPECT_EQ(c.failed, 1u);
  EXPECT_EQ(c.answered_2xx, 0u);
  EXPECT_EQ(c.pending, 0u);
  ASSERT_EQ(tries.size(), 5u);
  for (const auto& t : tries) {  // Meta resends the same bytes
    EXPECT_EQ(t.body, tries[0].body);
    EXPECT_EQ(t.signature, tries[0].signature);
  }
  EXPECT_EQ(tries[4].attempt, 5);
}

TEST(WebhookQueueTest, ARetryThatSucceedsIsNotFailedAndLaterStatusesGoOn) {
  WebhookQueue q(TestOptions());
  ASSERT_TRUE(q.Add(Send(), kT0));
  EXPECT_EQ(Pump(q, kT0 + milliseconds(100), PostOutcome::kNoAnswer), Statuses{"sent"});
  // delivered does not wait for sent's retry.
  EXPECT_EQ(Pump(q, kT0 + milliseconds(300)), Statuses{"delivered"});
  EXPECT_EQ(Pump(q, kT0 + milliseconds(1100)), (Statuses{"read", "sent"}));
  const auto c = q.Counters();
  EXPECT_EQ(c.answered_2xx, 3u);
  EXPECT_EQ(c.unanswered, 1u);
  EXPECT_EQ(c.failed, 0u);
  EXPECT_EQ(c.posted, 4u);
}

TEST(WebhookQueueTest, DropPendingForgetsWaitingStatusesAndWhatPostsOutWouldFollow) {
  WebhookQueue q(TestOptions());
  ASSERT_TRUE(q.Add(Send("wamid.1"), kT0));
  ASSERT_TRUE(q.Add(Send("wamid.2"), kT0 + milliseconds(50)));
  auto out = q.TakeDue(kT0 + milliseconds(100), 10);
  ASSERT_EQ(out.size(), 1u);
  q.DropPending();
  q.ClearCounters();
  EXPECT_EQ(q.Counters().pending, 0u);
  EXPECT_EQ(q.Counters().in_flight, 1u);  // a gauge: the POST is still out
  q.Complete(std::move(out[0]), PostOutcome::kRefused, kT0 + milliseconds(100));
  const auto c = q.Counters();
  EXPECT_EQ(c.in_flight, 0u);
  EXPECT_EQ(c.refused, 0u);  // neither counted after the clear, nor retried, nor followed
  EXPECT_EQ(c.retried, 0u);
  EXPECT_FALSE(q.NextDue());
  EXPECT_EQ(c.ToJson(true)["pending"], 0u);
}

}  // namespace
}  // namespace socialgate::fake_graph
