#include "dispatch/pacer.hpp"

#include <algorithm>
#include <chrono>

#include "obs/metrics.hpp"

namespace socialgate::dispatch {

Pacer::Pacer(FlowControl& flow, const util::Clock& clock) : flow_(flow), clock_(clock) {}

namespace {

// Sends the rate limits (a number's rate, a customer's pair limit) or an open circuit held back:
// kept in memory for a slot within the horizon, or given back to the queue for later.
struct PacingMetrics {
  obs::Counter& kept;
  obs::Counter& given_back;
  obs::Histogram& wait;

  static PacingMetrics& Get() {
    static obs::CounterFamily& waits = obs::DefaultRegistry().AddCounter(
        "socialgate_rate_limit_waits_total",
        "Sends held back by a rate limit or an open circuit: kept for a slot soon, or given "
        "back to the queue.",
        {"kind"});
    static PacingMetrics metrics{
        waits.With({"kept"}), waits.With({"given_back"}),
        obs::DefaultRegistry()
            .AddHistogram("socialgate_rate_limit_wait_seconds",
                          "How long a send kept for its slot waits for it.", {},
                          obs::LatencyBuckets())
            .Get()};
    return metrics;
  }
};
// Registered at start, so that a scrape shows the families before the first wait.
[[maybe_unused]] const PacingMetrics& kPacingRegistered = PacingMetrics::Get();

}  // namespace

Pacer::Verdict Pacer::Admit(const MessagePtr& message, providers::Provider* provider) {
  PacingMetrics& metrics = PacingMetrics::Get();
  const auto& m = message->message;
  // Rate limits and the circuit breaker may say "not now": keep the message for its booked
  // slot when it comes soon, otherwise give it back unsent.
  const auto now = clock_.Now();
  const auto admission = flow_.Pace(message->id, m.service_phone, m.customer_phone, now, kHorizon);
  if (admission.give_back) {
    metrics.given_back.Add();
    return {false, admission.give_back};
  }
  const auto at = Spaced(*message, now + admission.send_after);
  if (at > now) {
    metrics.kept.Add();
    metrics.wait.Observe(std::chrono::duration<double>(at - now).count());
    kept_.push(Kept{at, message, provider, admission.probe});
    return {};
  }
  CountSend(*message, clock_.Now());
  return {true, std::nullopt};
}

std::optional<Pacer::TimePoint> Pacer::SendDue(const SendFn& send, const GiveBackFn& give_back) {
  const auto now = clock_.Now();
  while (!kept_.empty() && kept_.top().at <= now) {
    Kept next = kept_.top();
    kept_.pop();
    if (!next.probe && flow_.CircuitOpen(next.message->message.service_phone, now)) {
      // The provider went down since this message was paced: it waits in the queue, which is
      // not claimed from while the circuit is open, instead of adding to the failures.
      give_back(next.message);
      continue;
    }
    const auto at = Spaced(*next.message, now);
    if (at > now) {
      next.at = at;
      kept_.push(std::move(next));
      continue;
    }
    CountSend(*next.message, clock_.Now());
    send(next.message, next.provider);
  }
  if (kept_.empty()) return std::nullopt;
  return kept_.top().at;
}

std::vector<Pacer::MessagePtr> Pacer::TakeKept() {
  std::vector<MessagePtr> out;
  while (!kept_.empty()) {
    out.push_back(kept_.top().message);
    kept_.pop();
  }
  return out;
}

Pacer::TimePoint Pacer::Spaced(const store::StoredMessage& message, TimePoint at) {
  auto it = last_second_.find(message.message.service_phone);
  if (it == last_second_.end()) return at;
  auto& starts = it->second;
  // A pump that ran late catches up at twice the rate at most, not in one burst: a burst
  // leaves the HTTP client's loop unevenly, and its requests reach the provider closer to the
  // next second's than they started.
  if (const auto last = starts.last()) {
    at = std::max(at, *last + starts.window() / (2 * starts.limit()));
  }
  return starts.EarliestStart(at, clock_.Now());
}

void Pacer::CountSend(const store::StoredMessage& message, TimePoint now) {
  const std::string& number = message.message.service_phone;
  const int limit = flow_.PerSecond(number);
  if (limit <= 0) return;
  const auto window = flow_.RateWindow(number);
  auto it = last_second_.find(number);
  if (it != last_second_.end() && (it->second.limit() != limit || it->second.window() != window)) {
    last_second_.erase(it);  // a reload changed the number's rate: counted afresh at the new one
    it = last_second_.end();
  }
  if (it == last_second_.end()) {
    it = last_second_.emplace(number, util::StartLimit(limit, window)).first;
  }
  it->second.Count(now);
}

}  // namespace socialgate::dispatch
