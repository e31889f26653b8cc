#include "dispatch/dispatch_metrics.hpp"

namespace socialgate::dispatch {

namespace {

constexpr std::size_t kMaxErrorCodeBytes = 32;

std::string_view OutcomeLabel(providers::SendOutcome::Kind kind) {
  switch (kind) {
    case providers::SendOutcome::Kind::kAccepted:
      return "accepted";
    case providers::SendOutcome::Kind::kRejected:
      return "rejected";
    case providers::SendOutcome::Kind::kRetryLater:
      return "retry_later";
  }
  return "retry_later";
}

bool IsCodeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

DispatchMetrics::DispatchMetrics(obs::Registry& registry)
    : requests_(registry.AddCounter(
          "socialgate_provider_requests_total",
          "Answers to the gateway's sends, by provider, outcome (accepted, rejected, "
          "retry_later) and the provider's error code.",
          {"provider", "outcome", "error_code"})),
      durations_(registry.AddHistogram("socialgate_provider_request_duration_seconds",
                                       "Time from a send's start to the provider's answer.",
                                       {"provider"}, obs::LatencyBuckets())),
      retries_(registry.AddCounter("socialgate_message_retries_total",
                                   "Attempts that failed for a passing reason and will be made "
                                   "again.",
                                   {"provider"})),
      messages_(registry.AddCounter(
          "socialgate_messages_total",
          "Attempt results recorded, by provider and the message's status after it (accepted, "
          "failed, queued).",
          {"provider", "status"})),
      registry_(registry),
      circuits_(registry.AddGauge("socialgate_circuit_open",
                                  "1 while the number's circuit breaker holds its sends off "
                                  "(its provider is failing), else 0.",
                                  {"domain", "number"})) {}

std::string DispatchMetrics::NumberLabel(const config::BusinessNumber& number, std::size_t index) {
  if (!number.meta.phone_number_id.empty()) return number.meta.phone_number_id;
  return "#" + std::to_string(index + 1);
}

obs::Registry::CollectorHandle DispatchMetrics::WatchCircuits(
    const config::Config& config, std::function<bool(const std::string& phone)> open) {
  struct Watched {
    std::string phone;
    obs::Gauge* gauge;
  };
  std::vector<Watched> watched;
  for (const auto& domain : config.domains) {
    for (std::size_t i = 0; i < domain.numbers.size(); ++i) {
      watched.push_back({domain.numbers[i].phone,
                         &circuits_.With({domain.name, NumberLabel(domain.numbers[i], i)})});
    }
  }
  return registry_.AddCollector([watched = std::move(watched), open = std::move(open)] {
    for (const auto& w : watched) w.gauge->Set(open(w.phone) ? 1 : 0);
  });
}

std::string DispatchMetrics::ErrorCodeLabel(std::string_view code) {
  if (code.empty()) return {};
  if (code.size() > kMaxErrorCodeBytes) return "other";
  for (char c : code) {
    if (!IsCodeChar(c)) return "other";
  }
  std::lock_guard lock(codes_mutex_);
  if (codes_.find(code) != codes_.end()) return std::string(code);
  if (codes_.size() >= kMaxErrorCodes) return "other";
  codes_.emplace(code);
  return std::string(code);
}

void DispatchMetrics::ProviderAnswered(std::string_view provider,
                                       const providers::SendOutcome& outcome,
                                       std::chrono::steady_clock::duration took) {
  requests_
      .With({std::string(provider), std::string(OutcomeLabel(outcome.kind)),
             ErrorCodeLabel(outcome.error_code)})
      .Add();
  durations_.With({std::string(provider)}).Observe(std::chrono::duration<double>(took).count());
}

void DispatchMetrics::Retried(std::string_view provider) {
  retries_.With({std::string(provider)}).Add();
}

void DispatchMetrics::Recorded(std::string_view provider, core::MessageStatus status) {
  messages_.With({std::string(provider), std::string(core::MessageStatusName(status))}).Add();
}

}  // namespace socialgate::dispatch
