// File: dispatch/dispatcher.hpp
//
// Delivers stored messages. One pump thread claims due messages from the Outbox with a lease, up
// to `max_in_flight` at once, and hands each to the Provider of its business number: without a
// thread when the provider sends asynchronously (an HTTP request on the client's event loop),
// on one of `workers` threads when the send must block (a media upload first). Each outcome is
// recorded durably before anyone is told: accepted, failed for good, or rescheduled with
// exponential backoff and full jitter (honouring the provider's Retry-After) until
// max_attempts, after which it fails with the reason. Outcomes are written asynchronously and
// share the store's group commits. A restart resumes every queued message; a process that died
// leaves leases that expire and are claimed again.
//
// Callers that want the outcome of the first attempt (ack = "provider") register a listener
// before storing the message; it is called once, from the store's thread, after the outcome of
// the first attempt is durable, and must not block.
//
// Thread safety: all public methods may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "dispatch/flow_control.hpp"
#include "providers/provider.hpp"
#include "store/outbox.hpp"
#include "util/start_limit.hpp"
#include "util/work_pool.hpp"

namespace socialgate::dispatch {

// What a listener learns about a message's first attempt.
struct AttemptResult {
  std::string status;  // "accepted", "failed" or "queued" (will be retried)
  std::string provider_message_id;
  std::string error_code;
  std::string error_message;
};

// Finds the provider for a business number (E.164 digits); nullptr when none is configured.
using ProviderLookup = std::function<providers::Provider*(std::string_view service_phone)>;

class Dispatcher {
 public:
  using Listener = std::function<void(const AttemptResult&)>;

  // `config` must outlive the dispatcher: its [dispatch] settings, each domain's retry limits
  // and each number's rate are read from it.
  Dispatcher(store::Outbox& store, ProviderLookup providers, const config::Config& config);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void Start();

  // Stops claiming, lets in-flight sends finish and their outcomes be recorded (sends waiting
  // for a worker thread are given back unsent), and returns this instance's leases to the
  // queue so another instance or the next start sends them at once.
  void Stop();

  // New work was stored: wake a worker now instead of at the next poll.
  void Notify();

  // For a message about to be stored: takes its slot in Meta's pair limit (see
  // FlowControl::ReservePair) and returns how long until the slot, so the message is stored
  // due then instead of being claimed and given back until it comes.
  std::chrono::milliseconds ReservePairSlot(const std::string& message_id,
                                            const std::string& number, const std::string& customer);
  // For a message ReservePairSlot was called for and that was not stored after all (its insert
  // failed): gives its slot back (see FlowControl::ReleasePair), so that customer's next
  // messages do not wait behind a message that will never be sent.
  void ReleasePairSlot(const std::string& message_id, const std::string& number,
                       const std::string& customer);

  // Registers `listener` for the first attempt of `message_id`. Returns a token for Forget.
  void Listen(const std::string& message_id, Listener listener);
  // Drops the listener (e.g. the request timed out). Safe if it already ran.
  void Forget(const std::string& message_id);

  const std::string& owner() const { return owner_; }

 private:
  using MessagePtr = std::shared_ptr<const store::StoredMessage>;

  void RunPump();
  // What the claim in flight asked for (pump thread only).
  struct ClaimAsked {
    int limit = 0;
    std::vector<std::string> skipped;  // throttled numbers, not claimed for
    FlowControl::Clock::duration until_unthrottled{};
  };
  // Claims without waiting (the pump keeps sending paced messages meanwhile); OnClaimed hands
  // the result to the pump, which begins the messages (TakeClaim) and returns when to claim
  // next.
  void StartClaim(int limit, ClaimAsked& asked);
  void OnClaimed(core::Result<store::Claim> claim);
  FlowControl::Clock::time_point TakeClaim(core::Result<store::Claim> claim,
                                           const ClaimAsked& asked);
  // Claimed but never to be begun (stopping): back to the queue. GiveBackCounted's messages
  // are already counted in in_flight_.
  void GiveBackClaimed(std::vector<store::StoredMessage> messages);
  void GiveBackCounted(std::vector<store::StoredMessage> messages);
  // Renews the leases of every message this process has claimed and not yet finished, every
  // third of the lease, so a slow send is never claimed by another worker meanwhile.
  void RunLeaseKeeper();
  void Hold(const std::vector<store::StoredMessage>& messages);
  void Drop(const std::string& id);
  // Sends one claimed message now, keeps it for its booked slot, or gives it back when its
  // number may not send soon. On the pump thread.
  void Begin(MessagePtr message);
  // Sends the kept messages whose slot has come; returns when the next one is due.
  std::optional<FlowControl::Clock::time_point> SendPacedDue();
  // Starts the provider's send: SendAsync from the pump, or Send on a worker thread. A provider
  // that throws (a bug: the contract says it never does) gets its attempt retried with an
  // "internal_error" outcome and a log line; the exception goes no further. An async answer
  // given twice is logged and the second ignored.
  void Send(const MessagePtr& message, providers::Provider* provider);
  // Send on a worker thread, with the media bytes read from the store first; an exception
  // becomes an "internal_error" outcome.
  providers::SendOutcome SendBlocking(const store::StoredMessage& message,
                                      providers::Provider* provider);
  providers::SendOutcome SendBlockingUnguarded(const store::StoredMessage& message,
                                               providers::Provider* provider);
  // Turns a send's outcome into the attempt's durable record.
  void Complete(const MessagePtr& message, providers::SendOutcome outcome, bool sent);
  // Writes `end`; once durable (or refused), tells the listener `result` (if any) and ends the
  // message's time in flight.
  void Record(const MessagePtr& message, store::AttemptEnd end,
              std::optional<AttemptResult> result);
  void GiveBack(const MessagePtr& message, std::int64_t due_at_ms);
  bool Stopping();
  void EndInFlight(const std::string& id, bool wake_for_due);
  // The time `message` may start: `at`, or later when its number's last second is full.
  FlowControl::Clock::time_point Spaced(const store::StoredMessage& message,
                                        FlowControl::Clock::time_point at);
  void CountSend(const store::StoredMessage& message, FlowControl::Clock::time_point now);
  // In-flight sends below the window's top at which the waiting pump is woken to claim again.
  int RefillAt() const;
  void Tell(const std::string& message_id, const AttemptResult& result);
  std::int64_t BackoffMillis(int attempts, std::optional<std::chrono::milliseconds> retry_after);
  // The domain's limits, falling back to [dispatch].
  int MaxAttempts(const std::string& domain) const;
  std::chrono::milliseconds MaxAge(const std::string& domain) const;

  store::Outbox& store_;
  ProviderLookup providers_;
  const config::Config& config_;
  const config::DispatchSettings settings_;
  FlowControl flow_;
  const std::string owner_;  // this process's lease owner name

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t notifications_ = 0;
  bool wake_pending_ = false;  // the pump has been woken for notifications and not yet claimed
  int in_flight_ = 0;          // claimed messages whose outcome is not yet recorded
  std::condition_variable drained_;  // in_flight_ reached 0
  bool started_ = false;
  bool pump_wants_room_ = false;                            // the pump waits for in_flight_ to drop
  bool claim_in_flight_ = false;                            // a ClaimDueAsync has not answered yet
  std::optional<core::Result<store::Claim>> claim_result_;  // for the pump to take
  std::thread pump_;
  // Messages waiting for their number's booked slot (pump thread only), earliest first.
  struct Paced {
    FlowControl::Clock::time_point at;
    MessagePtr message;
    providers::Provider* provider;
    bool probe;  // the half-open circuit's probe (FlowControl::Admission::probe)
    bool operator>(const Paced& other) const { return at > other.at; }
  };
  std::priority_queue<Paced, std::vector<Paced>, std::greater<>> paced_;
  // Each number's sends over its FlowControl::RateWindow, counted as they start (pump thread
  // only), so no window holds more than its rate even when late slots are caught up.
  std::map<std::string, util::StartLimit, std::less<>> last_second_;
  std::unique_ptr<util::WorkPool> blocking_;  // threads for sends that block
  std::thread lease_keeper_;
  std::condition_variable keeper_wake_;  // its own, so Notify() never wakes it instead

  std::mutex held_mutex_;
  std::multiset<std::string> held_;  // claimed by this process and not finished

  std::mutex listeners_mutex_;
  std::map<std::string, Listener> listeners_;

  std::mutex rng_mutex_;
  std::mt19937_64 rng_;
};

}  // namespace socialgate::dispatch
