#include "fake-graph/webhook_queue.hpp"

#include <algorithm>
#include <utility>

namespace socialgate::fake_graph {

bool IsWebhookUrl(std::string_view url) {
  for (const std::string_view scheme :
       {std::string_view("http://"), std::string_view("https://")}) {
    if (url.size() > scheme.size() && url.substr(0, scheme.size()) == scheme) return true;
  }
  return false;
}

nlohmann::ordered_json WebhookCounters::ToJson(bool enabled) const {
  return {{"enabled", enabled},           {"scheduled", scheduled}, {"posted", posted},
          {"answered_2xx", answered_2xx}, {"refused", refused},     {"failed", failed},
          {"pending", pending},           {"in_flight", in_flight}, {"unanswered", unanswered},
          {"retried", retried},           {"dropped", dropped}};
}

void PlanSteps(const WebhookOptions& options, WebhookPlan& plan) {
  plan.step_count = 0;
  const auto add = [&plan](StatusKind status, std::int64_t delay_ms) {
    if (delay_ms < 0) return;
    plan.steps[plan.step_count++] = {status, std::chrono::milliseconds(delay_ms)};
  };
  add(StatusKind::kSent, options.sent_ms);
  if (plan.send.failure) {
    add(StatusKind::kFailed, options.delivered_ms);
  } else {
    add(StatusKind::kDelivered, options.delivered_ms);
    add(StatusKind::kRead, options.read_ms);
  }
  std::stable_sort(plan.steps.begin(), plan.steps.begin() + static_cast<long>(plan.step_count),
                   [](const auto& a, const auto& b) { return a.delay < b.delay; });
}

void FillPost(const WebhookOptions& options, std::int64_t unix_seconds, WebhookJob& job) {
  if (!job.body.empty()) return;
  if (job.plan->message_body) {
    job.body = *job.plan->message_body;
    job.signature = HubSignature256(options.app_secret, job.body);
    return;
  }
  if (job.plan->template_event) {
    TemplateStatusEvent event = *job.plan->template_event;
    event.waba_id = options.waba_id;
    event.timestamp = unix_seconds;
    job.body = TemplateStatusWebhookBody(event);
    job.signature = HubSignature256(options.app_secret, job.body);
    return;
  }
  const AcceptedSend& send = job.plan->send;
  StatusEvent event;
  event.waba_id = options.waba_id;
  event.phone_number_id = send.phone_number_id;
  event.wamid = send.wamid;
  event.status = job.status();
  event.timestamp = unix_seconds;
  event.recipient_id = send.recipient_id;
  event.biz_opaque_callback_data = send.biz_opaque_callback_data;
  if (event.status == StatusKind::kSent || event.status == StatusKind::kDelivered) {
    event.conversation_id = ConversationId(send.phone_number_id, send.recipient_id);
  }
  if (event.status == StatusKind::kFailed) event.error = send.failure;
  job.body = StatusWebhookBody(event);
  job.signature = HubSignature256(options.app_secret, job.body);
}

WebhookQueue::WebhookQueue(WebhookOptions options) : options_(std::move(options)) {}

bool WebhookQueue::Add(AcceptedSend send, TimePoint answered_at) {
  auto plan = std::make_shared<WebhookPlan>();
  plan->send = std::move(send);
  plan->answered_at = answered_at;
  plan->epoch = epoch_;
  PlanSteps(options_, *plan);
  return Schedule(std::move(plan));
}

bool WebhookQueue::AddTemplateEvent(TemplateStatusEvent event, TimePoint now) {
  auto plan = std::make_shared<WebhookPlan>();
  plan->template_event = std::move(event);
  plan->answered_at = now;
  plan->epoch = epoch_;
  plan->steps[0] = {StatusKind::kSent, std::chrono::milliseconds(0)};  // the status is unused
  plan->step_count = 1;
  return Schedule(std::move(plan));
}

bool WebhookQueue::AddMessageEvent(std::string body, TimePoint now) {
  auto plan = std::make_shared<WebhookPlan>();
  plan->message_body = std::move(body);
  plan->answered_at = now;
  plan->epoch = epoch_;
  plan->steps[0] = {StatusKind::kSent, std::chrono::milliseconds(0)};  // the status is unused
  plan->step_count = 1;
  return Schedule(std::move(plan));
}

bool WebhookQueue::Schedule(std::shared_ptr<WebhookPlan> plan) {
  if (plan->step_count == 0) return false;
  if (counters_.pending + plan->step_count > options_.max_pending) {
    counters_.dropped += plan->step_count;
    return false;
  }
  counters_.scheduled += plan->step_count;
  counters_.pending += plan->step_count;
  const auto due = plan->answered_at + plan->steps[0].delay;
  Push(due, WebhookJob{std::move(plan), 0, 1, {}, {}});
  return true;
}

void WebhookQueue::Push(TimePoint due, WebhookJob job) {
  heap_.push_back(Entry{due, next_seq_++, std::move(job)});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
}

std::vector<WebhookJob> WebhookQueue::TakeDue(TimePoint now, std::size_t max) {
  std::vector<WebhookJob> out;
  while (!heap_.empty() && out.size() < max && counters_.in_flight < options_.max_in_flight &&
         heap_.front().due <= now) {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    out.push_back(std::move(heap_.back().job));
    heap_.pop_back();
    --counters_.pending;
    ++counters_.in_flight;
    ++counters_.posted;
  }
  return out;
}

std::optional<WebhookQueue::TimePoint> WebhookQueue::NextDue() const {
  if (heap_.empty() || counters_.in_flight >= options_.max_in_flight) return std::nullopt;
  return heap_.front().due;
}

void WebhookQueue::Complete(WebhookJob job, PostOutcome outcome, TimePoint now) {
  if (counters_.in_flight > 0) --counters_.in_flight;
  if (job.plan->epoch != epoch_) return;  // dropped meanwhile: neither retried nor followed
  switch (outcome) {
    case PostOutcome::kAnswered2xx:
      ++counters_.answered_2xx;
      break;
    case PostOutcome::kRefused:
      ++counters_.refused;
      break;
    case PostOutcome::kNoAnswer:
      ++counters_.unanswered;
      break;
  }
  // The message's next status follows the first try of this one, whatever its answer.
  if (job.attempt == 1 && job.step + 1 < job.plan->step_count) {
    const auto& next = job.plan->steps[job.step + 1];
    Push(std::max(job.plan->answered_at + next.delay, now),
         WebhookJob{job.plan, job.step + 1, 1, {}, {}});
  }
  if (outcome == PostOutcome::kAnswered2xx) return;
  if (job.attempt >= options_.max_attempts) {
    ++counters_.failed;
    return;
  }
  // 1st retry after first_retry_delay, then doubling (the shift is bounded by max_attempts).
  const auto backoff =
      options_.first_retry_delay * (std::int64_t{1} << std::min(job.attempt - 1, 30));
  ++job.attempt;
  ++counters_.retried;
  ++counters_.pending;
  Push(now + backoff, std::move(job));
}

void WebhookQueue::DropPending() {
  heap_.clear();
  counters_.pending = 0;
  ++epoch_;
}

void WebhookQueue::ClearCounters() {
  const auto pending = counters_.pending;
  const auto in_flight = counters_.in_flight;
  counters_ = WebhookCounters{};
  counters_.pending = pending;
  counters_.in_flight = in_flight;
}

WebhookCounters WebhookQueue::Counters() const { return counters_; }

}  // namespace socialgate::fake_graph
