// File: dispatch/ack_listeners.hpp
//
// Who waits for the outcome of a message's first attempt (ack = "provider"): a listener is
// registered before the message is stored and called once, when the attempt's outcome is
// durable, then forgotten.
//
// Thread safety: all methods may be called from any thread. A listener runs on the thread
// that calls Tell (the store's, after the outcome is written) and must not block.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "core/message_status.hpp"

namespace socialgate::dispatch {

// What a listener learns about a message's first attempt.
struct AttemptResult {
  core::MessageStatus status = core::MessageStatus::kQueued;  // accepted, failed or queued (will
                                                              // be retried)
  std::string provider_message_id;
  std::string error_code;
  std::string error_message;
};

class AckListeners {
 public:
  using Listener = std::function<void(const AttemptResult&)>;

  // Registers `listener` for `message_id`, replacing any before it.
  void Listen(const std::string& message_id, Listener listener);
  // Drops the listener (e.g. the request timed out). Safe if it already ran.
  void Forget(const std::string& message_id);
  // Calls the listener of `message_id` with `result`, if there is one, and drops it.
  void Tell(const std::string& message_id, const AttemptResult& result);
  // Drops every listener (nobody waits for an answer any more).
  void Clear();

 private:
  std::mutex mutex_;
  std::map<std::string, Listener> listeners_;
};

}  // namespace socialgate::dispatch
