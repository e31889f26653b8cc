#include "dispatch/ack_listeners.hpp"

namespace socialgate::dispatch {

std::optional<AttemptResult> FirstAttemptResult(const store::AttemptState& state) {
  using core::MessageStatus;
  switch (state.status) {
    case MessageStatus::kQueued:
      // Not begun yet, or begun and rescheduled (a passing failure: retried).
      if (state.attempts == 0) return std::nullopt;
      return AttemptResult{MessageStatus::kQueued, "", state.error_code, state.error_message};
    case MessageStatus::kSending:
      // The first attempt under way; a later one means the first was rescheduled.
      if (state.attempts <= 1) return std::nullopt;
      return AttemptResult{MessageStatus::kQueued, "", state.error_code, state.error_message};
    case MessageStatus::kFailed:
      return AttemptResult{MessageStatus::kFailed, "", state.error_code, state.error_message};
    case MessageStatus::kAccepted:
    case MessageStatus::kSent:
    case MessageStatus::kDelivered:
    case MessageStatus::kRead:
      // The attempt's outcome was `accepted`; what came after is delivery, told by GET.
      return AttemptResult{MessageStatus::kAccepted, state.provider_message_id, "", ""};
  }
  return std::nullopt;
}

void AckListeners::Listen(const std::string& message_id, const std::string& number,
                          Listener listener) {
  std::lock_guard lock(mutex_);
  listeners_[message_id] = Waiting{number, clock_.Now(), std::move(listener)};
}

void AckListeners::Forget(const std::string& message_id) {
  std::lock_guard lock(mutex_);
  listeners_.erase(message_id);
}

void AckListeners::Tell(const std::string& message_id, const AttemptResult& result) {
  Listener listener;
  {
    std::lock_guard lock(mutex_);
    auto it = listeners_.find(message_id);
    if (it == listeners_.end()) return;
    listener = std::move(it->second.listener);
    listeners_.erase(it);
  }
  listener(result);
}

void AckListeners::Clear() {
  std::lock_guard lock(mutex_);
  listeners_.clear();
}

std::vector<std::string> AckListeners::Overdue(
    util::Clock::TimePoint before, const std::function<bool(const std::string&)>& elsewhere,
    std::size_t limit) const {
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  for (const auto& [id, waiting] : listeners_) {
    if (out.size() >= limit) break;
    if (waiting.since < before && elsewhere(waiting.number)) out.push_back(id);
  }
  return out;
}

}  // namespace socialgate::dispatch
