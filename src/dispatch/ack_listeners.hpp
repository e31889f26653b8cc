// File: dispatch/ack_listeners.hpp
//
// Who waits for the outcome of a message's first attempt (ack = "provider"): a listener is
// registered before the message is stored and called once, when the attempt's outcome is
// durable, then forgotten.
//
// The instance that sends the message tells its listener as it records the outcome. When
// another instance holds the message's business number (docs/scaling.md), the outcome is
// recorded there: the dispatcher reads the states of such messages whose listeners have waited
// a while (Overdue) from the store, and FirstAttemptResult says which first attempts ended.
//
// Thread safety: all methods may be called from any thread. A listener runs on the thread
// that calls Tell (the store's, after the outcome is written, or the dispatcher's timer thread)
// and must not block.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/message_status.hpp"
#include "store/records.hpp"
#include "util/clock.hpp"

namespace socialgate::dispatch {

// What a listener learns about a message's first attempt.
struct AttemptResult {
  core::MessageStatus status = core::MessageStatus::kQueued;  // accepted, failed or queued (will
                                                              // be retried)
  std::string provider_message_id;
  std::string error_code;
  std::string error_message;
};

// The result of a message's first attempt as the store shows it, once that attempt has ended;
// nullopt while it has not begun or is still under way. A status that moved on since (sent,
// delivered, read) is the attempt's `accepted`, as the instance that sent it told its own.
std::optional<AttemptResult> FirstAttemptResult(const store::AttemptState& state);

class AckListeners {
 public:
  using Listener = std::function<void(const AttemptResult&)>;

  // `clock` dates each registration (Overdue).
  explicit AckListeners(const util::Clock& clock) : clock_(clock) {}

  // Registers `listener` for `message_id`, sent from business number `number`, replacing any
  // before it.
  void Listen(const std::string& message_id, const std::string& number, Listener listener);
  // Drops the listener (e.g. the request timed out). Safe if it already ran.
  void Forget(const std::string& message_id);
  // Calls the listener of `message_id` with `result`, if there is one, and drops it.
  void Tell(const std::string& message_id, const AttemptResult& result);
  // Drops every listener (nobody waits for an answer any more).
  void Clear();

  // Up to `limit` messages whose listeners were registered before `before` and whose number
  // `elsewhere` says another instance sends for.
  std::vector<std::string> Overdue(util::Clock::TimePoint before,
                                   const std::function<bool(const std::string&)>& elsewhere,
                                   std::size_t limit) const;

 private:
  struct Waiting {
    std::string number;
    util::Clock::TimePoint since;
    Listener listener;
  };
  const util::Clock& clock_;
  mutable std::mutex mutex_;
  std::map<std::string, Waiting> listeners_;
};

}  // namespace socialgate::dispatch
