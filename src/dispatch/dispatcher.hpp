// File: dispatch/dispatcher.hpp
//
// Delivers stored messages. Worker threads claim due messages from the Store with a lease, hand
// each to the Provider of its business number, and record the outcome durably before anyone is
// told: accepted, failed for good, or rescheduled with exponential backoff and full jitter
// (honouring the provider's Retry-After) until max_attempts, after which it fails with the
// reason. A restart resumes every queued message; a worker that died leaves a lease that
// expires and is claimed again.
//
// Callers that want the outcome of the first attempt (ack = "provider") register a listener
// before storing the message; it is called once, from a worker thread, after the outcome of the
// first attempt is durable.
//
// Thread safety: all public methods may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "dispatch/flow_control.hpp"
#include "providers/provider.hpp"
#include "store/store.hpp"

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
  Dispatcher(store::Store& store, ProviderLookup providers, const config::Config& config);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void Start();

  // Stops claiming, lets in-flight sends finish, and returns this instance's leases to the
  // queue so another instance or the next start sends them at once.
  void Stop();

  // New work was stored: wake a worker now instead of at the next poll.
  void Notify();

  // For a message about to be stored: takes its slot in Meta's pair limit (see
  // FlowControl::ReservePair) and returns how long until the slot, so the message is stored
  // due then instead of being claimed and given back until it comes.
  std::chrono::milliseconds ReservePairSlot(const std::string& message_id,
                                            const std::string& number, const std::string& customer);

  // Registers `listener` for the first attempt of `message_id`. Returns a token for Forget.
  void Listen(const std::string& message_id, Listener listener);
  // Drops the listener (e.g. the request timed out). Safe if it already ran.
  void Forget(const std::string& message_id);

  const std::string& owner() const { return owner_; }

 private:
  void RunWorker();
  // Renews the leases of every message this process has claimed and not yet finished, every
  // third of the lease, so a slow send is never claimed by another worker meanwhile.
  void RunLeaseKeeper();
  void Hold(const std::vector<store::StoredMessage>& messages);
  void Drop(const std::string& id);
  void Deliver(store::StoredMessage& message);
  void Tell(const std::string& message_id, const AttemptResult& result);
  std::int64_t BackoffMillis(int attempts, std::optional<std::chrono::milliseconds> retry_after);
  // The domain's limits, falling back to [dispatch].
  int MaxAttempts(const std::string& domain) const;
  std::chrono::milliseconds MaxAge(const std::string& domain) const;

  store::Store& store_;
  ProviderLookup providers_;
  const config::Config& config_;
  const config::DispatchSettings settings_;
  FlowControl flow_;
  const std::string owner_;  // this process's lease owner name

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t notifications_ = 0;
  bool wake_pending_ = false;  // a worker has been woken for notifications and not yet claimed
  std::vector<std::thread> workers_;
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
