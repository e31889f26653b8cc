#include "dispatch/retry_policy.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <random>

namespace socialgate::dispatch {

RetryPolicy::RetryPolicy(const config::Config& config, Jitter jitter)
    : config_(&config), settings_(config.dispatch), jitter_(std::move(jitter)) {}

std::int64_t RetryPolicy::BackoffMillis(
    int attempts, std::optional<std::chrono::milliseconds> retry_after) const {
  // Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(attempts-1))].
  const int shift = std::clamp(attempts - 1, 0, 30);
  const std::int64_t ceiling = std::min<std::int64_t>(settings_.max_backoff.count(),
                                                      settings_.base_backoff.count() << shift);
  std::int64_t delay = jitter_(std::max<std::int64_t>(ceiling, 0));
  if (retry_after) delay = std::max<std::int64_t>(delay, retry_after->count());
  return delay;
}

int RetryPolicy::MaxAttempts(const std::string& domain) const {
  const config::Domain* d = config_.load()->FindDomain(domain);
  return d != nullptr && d->max_attempts > 0 ? d->max_attempts : settings_.max_attempts;
}

std::chrono::milliseconds RetryPolicy::MaxAge(const std::string& domain) const {
  const config::Domain* d = config_.load()->FindDomain(domain);
  return d != nullptr && d->max_age.count() > 0 ? d->max_age : settings_.max_age;
}

std::string HumanDuration(std::int64_t ms) {
  if (ms < 120'000) return std::to_string((ms + 500) / 1000) + " s";
  if (ms < 7'200'000) return std::to_string((ms + 30'000) / 60'000) + " min";
  return std::to_string((ms + 1'800'000) / 3'600'000) + " h";
}

AttemptDecision RetryPolicy::Decide(const store::StoredMessage& message,
                                    providers::SendOutcome outcome, const std::string& owner,
                                    std::int64_t now_ms) const {
  AttemptDecision d;
  store::AttemptEnd& end = d.end;
  AttemptResult& result = d.result;
  end.id = message.id;
  end.owner = owner;
  end.now_ms = now_ms;
  switch (outcome.kind) {
    case providers::SendOutcome::Kind::kAccepted:
      end.kind = store::AttemptEnd::Kind::kAccepted;
      end.provider_message_id = outcome.provider_message_id;
      end.wa_id = outcome.wa_id;
      result.status = core::MessageStatus::kAccepted;
      result.provider_message_id = outcome.provider_message_id;
      break;
    case providers::SendOutcome::Kind::kRejected:
      end.kind = store::AttemptEnd::Kind::kFailed;
      result.status = core::MessageStatus::kFailed;
      break;
    case providers::SendOutcome::Kind::kRetryLater: {
      const std::int64_t next = now_ms + BackoffMillis(message.attempts, outcome.retry_after);
      const std::int64_t age_at_next = next - message.created_at_ms;
      if (message.attempts >= MaxAttempts(message.domain) ||
          age_at_next > MaxAge(message.domain).count()) {
        outcome.error_message = "gave up after " + std::to_string(message.attempts) +
                                (message.attempts == 1 ? " attempt" : " attempts") + " over " +
                                HumanDuration(now_ms - message.created_at_ms) +
                                ": last error: " + outcome.error_message;
        end.kind = store::AttemptEnd::Kind::kFailed;
        result.status = core::MessageStatus::kFailed;
      } else {
        end.kind = store::AttemptEnd::Kind::kRescheduled;
        end.next_attempt_at_ms = next;
        result.status = core::MessageStatus::kQueued;
      }
      break;
    }
  }
  if (end.kind != store::AttemptEnd::Kind::kAccepted) {
    end.error_code = outcome.error_code;
    end.error_message = outcome.error_message;
  }
  result.error_code = std::move(outcome.error_code);
  result.error_message = std::move(outcome.error_message);
  return d;
}

RetryPolicy::Jitter RandomJitter() {
  struct Source {
    std::mutex mutex;
    std::mt19937_64 rng{std::random_device{}()};
  };
  auto source = std::make_shared<Source>();
  return [source](std::int64_t ceiling) {
    std::lock_guard lock(source->mutex);
    return std::uniform_int_distribution<std::int64_t>(0, ceiling)(source->rng);
  };
}

}  // namespace socialgate::dispatch
