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
// before storing the message; it is called once, after the outcome of the first attempt is
// durable, and must not block: from the store's thread when this instance sent it, or from the
// dispatcher's timer thread when another instance did (read from the store).
//
// The parts, each in its own file: the Pump claims (pump.hpp), the Pacer keeps each number to
// its rate (pacer.hpp, with FlowControl), NumberOwnership says which numbers this instance sends
// for (number_ownership.hpp), the LeaseKeeper renews leases (lease_keeper.hpp), the
// RetryPolicy turns an outcome into the attempt's record (retry_policy.hpp), and AckListeners
// waits for first attempts (ack_listeners.hpp). The Dispatcher assembles them and runs each
// attempt: the provider's send, its outcome's record, and the listener.
//
// Thread safety: all public methods may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "dispatch/ack_listeners.hpp"
#include "dispatch/dispatch_metrics.hpp"
#include "dispatch/flow_control.hpp"
#include "dispatch/lease_keeper.hpp"
#include "dispatch/number_ownership.hpp"
#include "dispatch/pacer.hpp"
#include "dispatch/pump.hpp"
#include "dispatch/retry_policy.hpp"
#include "providers/provider.hpp"
#include "store/outbox.hpp"
#include "util/timer_queue.hpp"
#include "util/work_pool.hpp"

namespace socialgate::dispatch {

// Finds the provider for a business number (E.164 digits); nullptr when none is configured.
using ProviderLookup = std::function<providers::Provider*(std::string_view service_phone)>;

class Dispatcher {
 public:
  using Listener = AckListeners::Listener;

  // `config` must outlive the dispatcher: its [dispatch] settings, each domain's retry limits
  // and each number's rate are read from it. Only the numbers `number_leases` grants this
  // instance are sent for (NumberOwnership).
  Dispatcher(store::Outbox& store, store::NumberLeases& number_leases, ProviderLookup providers,
             const config::Config& config);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void Start();

  // A configuration reload (app/config_reload.hpp): each domain's retry limits, each number's
  // rate, and the numbers this instance sends for, from `config` from now on; [dispatch] stays
  // as it was at start. REQUIRES: `config` outlives the dispatcher (config::LiveConfig keeps
  // every configuration); one call at a time.
  void Reconfigure(const config::Config& config);

  // Stops claiming, lets in-flight sends finish and their outcomes be recorded (sends waiting
  // for a worker thread are given back unsent), and returns this instance's leases to the
  // queue so another instance or the next start sends them at once, and its business numbers
  // to the other instances (after the hand-over).
  void Stop();

  // New work was stored: wake a worker now instead of at the next poll.
  void Notify();
  // A message of business number `number` was stored: wake the pump if this instance sends
  // for it and it has room (another instance's holder finds it at its next poll,
  // dispatch.poll_interval_ms; a number booked ahead when it has room again).
  void Notify(const std::string& number);

  // For a message about to be stored: takes its slot in Meta's pair limit (see
  // FlowControl::ReservePair) and returns how long until the slot, so the message is stored
  // due then instead of being claimed and given back until it comes. Zero when another
  // instance sends for the number: its holder keeps the pair limit.
  std::chrono::milliseconds ReservePairSlot(const std::string& message_id,
                                            const std::string& number, const std::string& customer);
  // For a message ReservePairSlot was called for and that was not stored after all (its insert
  // failed): gives its slot back (see FlowControl::ReleasePair), so that customer's next
  // messages do not wait behind a message that will never be sent.
  void ReleasePairSlot(const std::string& message_id, const std::string& number,
                       const std::string& customer);

  // Registers `listener` for the first attempt of `message_id`, sent from business number
  // `number`. When another instance sends for the number, the outcome is read from the store
  // (every kAckWatchEvery, for listeners waiting that long).
  void Listen(const std::string& message_id, const std::string& number, Listener listener);
  // Drops the listener (e.g. the request timed out). Safe if it already ran.
  void Forget(const std::string& message_id);

  const std::string& owner() const { return owner_; }

  // How often the first attempts other instances make of messages this one waits for are read.
  static constexpr auto kAckWatchEvery = std::chrono::milliseconds(100);
  // At most this many messages in each read.
  static constexpr std::size_t kAckWatchBatch = 1000;

 private:
  using MessagePtr = std::shared_ptr<const store::StoredMessage>;

  // Sends one claimed message now, keeps it for its booked slot, or gives it back when its
  // number may not send soon. On the pump thread.
  void Begin(MessagePtr message);
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
  // A provider's answer to a send begun at `started`: counted (DispatchMetrics), then Complete.
  void Answered(const MessagePtr& message, providers::Provider* provider,
                providers::SendOutcome outcome, std::chrono::steady_clock::time_point started);
  // Turns a send's outcome into the attempt's durable record (RetryPolicy). `provider_name`:
  // for the metrics ("" when no provider took part).
  void Complete(const MessagePtr& message, providers::SendOutcome outcome, bool sent,
                std::string_view provider_name = {});
  // Writes `end`; once durable, tells the listener `result` (if any) and ends the message's
  // time in flight. A write the store refuses is tried again later (RecordRetryDelay) until it
  // is stored, the lease is lost, or the dispatcher stops; the listener hears "queued" meanwhile.
  // `tries`: the writes of `end` refused so far.
  void Record(const MessagePtr& message, store::AttemptEnd end, std::optional<AttemptResult> result,
              int tries = 0);
  void GiveBack(const MessagePtr& message, std::int64_t due_at_ms);
  // Reads the states of messages whose listeners wait for another instance's first attempt,
  // tells those whose attempt ended, and comes again after kAckWatchEvery (while watching_).
  void WatchFirstAttemptsElsewhere();

  store::Outbox& store_;
  ProviderLookup providers_;
  const config::DispatchSettings settings_;
  const util::Clock& clock_;
  FlowControl flow_;
  const std::string owner_;  // this process's lease owner name
  RetryPolicy retry_;
  AckListeners listeners_;
  LeaseKeeper leases_;
  NumberOwnership numbers_;
  Pacer pacer_;  // pump thread only
  Pump pump_;
  DispatchMetrics metrics_{obs::DefaultRegistry()};

  std::mutex lifecycle_mutex_;
  bool started_ = false;
  std::unique_ptr<util::WorkPool> blocking_;        // threads for sends that block
  std::atomic<bool> watching_{false};               // WatchFirstAttemptsElsewhere goes on
  obs::Registry::CollectorHandle circuit_metrics_;  // before flow_ goes: it reads it
  // The dispatcher's timers: outcomes the store refused, written again; the watch on other
  // instances' first attempts. Last: destroyed (its thread joined) first.
  util::TimerQueue timers_;
};

}  // namespace socialgate::dispatch
