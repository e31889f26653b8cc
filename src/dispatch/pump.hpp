// File: dispatch/pump.hpp
//
// The pump: one thread (`sg-pump`) that claims due messages from the store with a lease and
// hands each to its Hooks to begin, keeping at most `max_in_flight` claimed messages whose
// outcome is not yet recorded. Claims are asynchronous (the pump goes on handing over paced
// messages while one commits), at most kClaimBatch each, and skip the numbers that cannot send
// within half the pacer's horizon. The pump claims again at once after a claim that took all
// it asked for, otherwise when the next message is due, a throttled number may send again, the
// poll interval passes, or Notify says new work was stored (or numbers were gained). A full window
// waits for outcomes (EndInFlight) to free a quarter of it before claiming again.
//
// On stop, claimed messages not yet begun and the pacer's kept ones go back to the queue,
// due now; a claim still in flight gives its messages back when it answers.
//
// Thread safety: Notify, Stopping and EndInFlight may be called from any thread; Start,
// RequestStop, Join and WaitDrained from one thread at a time.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "dispatch/flow_control.hpp"
#include "store/outbox.hpp"
#include "util/clock.hpp"

namespace socialgate::dispatch {

class Pump {
 public:
  using MessagePtr = std::shared_ptr<const store::StoredMessage>;
  using TimePoint = util::Clock::TimePoint;

  // Claims per store round trip: large enough that claiming is a small share of a send's
  // cost, small enough that one claim does not hold the committer for long.
  static constexpr int kClaimBatch = 256;

  // What the pump hands its claimed messages to. All but `hold` run on the pump thread (or,
  // for `hold` and `give_back`, on the store's when a claim answers after RequestStop).
  struct Hooks {
    // Claimed messages, before they count in flight: their leases are to be kept.
    std::function<void(const std::vector<store::StoredMessage>&)> hold;
    // A claimed message, held and counted in flight: send it, keep it for its slot, or give
    // it back. Its time in flight ends with EndInFlight.
    std::function<void(MessagePtr)> begin;
    // A claimed message, held and counted in flight, that will not be begun (stopping): back
    // to the queue, due now. Its time in flight ends with EndInFlight.
    std::function<void(MessagePtr)> give_back;
    // Hands over the paced messages whose slot has come; returns when the next one is due.
    std::function<std::optional<TimePoint>()> send_due;
    // At stop: every paced message back to the queue.
    std::function<void()> give_back_kept;
    // The business numbers another instance sends for now: not claimed for.
    std::function<std::vector<std::string>()> not_held;
  };

  // `store`, `flow`, `clock` and `settings` must outlive the pump.
  Pump(store::Outbox& store, FlowControl& flow, const util::Clock& clock,
       const config::DispatchSettings& settings, std::string owner, Hooks hooks);
  ~Pump();
  Pump(const Pump&) = delete;
  Pump& operator=(const Pump&) = delete;

  void Start();
  // Stops claiming and wakes the thread, which gives back what it has not begun and ends.
  void RequestStop();
  void Join();
  // Waits until every claimed message's time in flight has ended and no claim is in flight.
  void WaitDrained();

  // New work was stored: claim now instead of at the next poll.
  void Notify();
  bool Stopping();
  // A claimed message's time in flight ended (its outcome or give-back recorded, or refused).
  // `due_later`: it is due again later, maybe before the pump's planned claim.
  void EndInFlight(bool due_later);

 private:
  // What the claim in flight asked for (pump thread only).
  struct ClaimAsked {
    int limit = 0;
    std::vector<std::string> skipped;  // throttled numbers and others' numbers, not claimed for
    bool throttled = false;  // some of `skipped` are throttled, until_unthrottled says how long
    FlowControl::Clock::duration until_unthrottled{};
  };
  void Run();
  // Claims without waiting; OnClaimed hands the result to the pump, which begins the messages
  // (TakeClaim) and learns when to claim next.
  void StartClaim(int limit, ClaimAsked& asked);
  void OnClaimed(core::Result<store::Claim> claim);
  TimePoint TakeClaim(core::Result<store::Claim> claim, const ClaimAsked& asked);
  // Claimed but never to be begun (stopping): back to the queue. GiveBackCounted's messages
  // are already counted in in_flight_.
  void GiveBackClaimed(std::vector<store::StoredMessage> messages);
  void GiveBackCounted(std::vector<store::StoredMessage> messages);
  // In-flight sends below the window's top at which the waiting pump is woken to claim again.
  int RefillAt() const;

  store::Outbox& store_;
  FlowControl& flow_;
  const util::Clock& clock_;
  const config::DispatchSettings& settings_;
  const std::string owner_;
  const Hooks hooks_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t notifications_ = 0;
  bool wake_pending_ = false;  // the pump has been woken for notifications and not yet claimed
  int in_flight_ = 0;          // claimed messages whose outcome is not yet recorded
  std::condition_variable drained_;                         // in_flight_ reached 0
  bool wants_room_ = false;                                 // the pump waits for in_flight_ to drop
  bool claim_in_flight_ = false;                            // a ClaimDueAsync has not answered yet
  std::optional<core::Result<store::Claim>> claim_result_;  // for the pump to take
  std::thread thread_;
};

}  // namespace socialgate::dispatch
