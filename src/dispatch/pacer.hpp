// File: dispatch/pacer.hpp
//
// Paces the claimed messages of each business number (FlowControl books the slots): a message
// whose slot comes within kHorizon waits here, in memory, and is handed over when its slot comes;
// one whose number may not send that soon (slots booked beyond it, the pair limit, an open
// circuit) is given back to the queue, due when it may. The pacer also counts each number's
// sends over its rate window as they start (util::StartLimit) and never starts more than the
// rate in one; a pump that ran late catches up at twice the rate at most, not in one burst.
//
// Time is read from the util::Clock given at construction, so tests drive it.
// Thread safety: none; the pump thread owns the pacer.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "dispatch/flow_control.hpp"
#include "providers/provider.hpp"
#include "store/records.hpp"
#include "util/clock.hpp"
#include "util/start_limit.hpp"

namespace socialgate::dispatch {

class Pacer {
 public:
  using MessagePtr = std::shared_ptr<const store::StoredMessage>;
  using TimePoint = util::Clock::TimePoint;
  using Duration = util::Clock::Duration;

  // How far ahead a number's send slots are booked for claimed messages. Beyond it they go
  // back to the store; a number booked half this far is not claimed for. (Milliseconds: in
  // whole seconds, kHorizon / 2 would be zero.)
  static constexpr auto kHorizon = std::chrono::milliseconds(1000);

  // `flow` and `clock` must outlive the pacer.
  Pacer(FlowControl& flow, const util::Clock& clock);

  struct Verdict {
    bool send_now = false;  // counted as started: send it now
    // Set: give the message back, due after this long. Neither: kept until its slot comes.
    std::optional<Duration> give_back;
  };
  // What to do with a claimed message that `provider` is to send.
  Verdict Admit(const MessagePtr& message, providers::Provider* provider);

  using SendFn = std::function<void(const MessagePtr&, providers::Provider*)>;
  using GiveBackFn = std::function<void(const MessagePtr&)>;
  // Hands the kept messages whose slot has come to `send` (counted as started), or to
  // `give_back` when their number's circuit opened since they were kept (unless the message is
  // the half-open circuit's probe); returns when the next kept message is due.
  std::optional<TimePoint> SendDue(const SendFn& send, const GiveBackFn& give_back);

  // Every kept message, earliest first; the pacer keeps none after.
  std::vector<MessagePtr> TakeKept();

 private:
  // The time `message` may start: `at`, or later when its number's last window is full.
  TimePoint Spaced(const store::StoredMessage& message, TimePoint at);
  void CountSend(const store::StoredMessage& message, TimePoint now);

  FlowControl& flow_;
  const util::Clock& clock_;
  // Messages waiting for their number's booked slot, earliest first.
  struct Kept {
    TimePoint at;
    MessagePtr message;
    providers::Provider* provider;
    bool probe;  // the half-open circuit's probe (FlowControl::Admission::probe)
    bool operator>(const Kept& other) const { return at > other.at; }
  };
  std::priority_queue<Kept, std::vector<Kept>, std::greater<>> kept_;
  // Each number's sends over its FlowControl::RateWindow, counted as they start.
  std::map<std::string, util::StartLimit, std::less<>> last_second_;
};

}  // namespace socialgate::dispatch
