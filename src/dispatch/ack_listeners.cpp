#include "dispatch/ack_listeners.hpp"

namespace socialgate::dispatch {

void AckListeners::Listen(const std::string& message_id, Listener listener) {
  std::lock_guard lock(mutex_);
  listeners_[message_id] = std::move(listener);
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
    listener = std::move(it->second);
    listeners_.erase(it);
  }
  listener(result);
}

void AckListeners::Clear() {
  std::lock_guard lock(mutex_);
  listeners_.clear();
}

}  // namespace socialgate::dispatch
