// File: dispatch/flow_control.hpp
//
// Decides whether a claimed message may go to its provider now: the business number's circuit
// breaker must let it through, the (number, customer) pair must be under Meta's pair rate
// limit, and the number under its messages-per-second tier. When not, it says how long to wait
// and the pacer (pacer.hpp) gives the message back to the queue until then, unsent and
// uncounted.
//
// Numbers are paced evenly (a bucket of capacity 1), so no second ever holds more sends for a
// number than its configured rate. Pace() books a number's future slots up to a horizon: the
// pacer keeps such a message and sends it at its slot, instead of giving it back to the
// store and claiming it again (a write and a read per wait, thousands a second at full rate). A
// pair that must wait has its future slot reserved, so messages to one customer are spread out
// rather than all retried at once.
//
// Thread safety: all methods may be called from many threads at once.
#pragma once

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "dispatch/circuit_breaker.hpp"
#include "dispatch/token_bucket.hpp"
#include "providers/provider.hpp"
#include "util/start_limit.hpp"

namespace socialgate::dispatch {

class FlowControl {
 public:
  using Clock = std::chrono::steady_clock;

  // `start` is when the buckets begin to fill (tests pass their own clock's start).
  explicit FlowControl(const config::Config& config, Clock::time_point start = Clock::now());

  // A configuration reload: each business number of `config` paced at its rate from now on. A
  // new number, or one whose rate changed, starts with a fresh bucket and circuit; one that
  // stays as it was keeps both; one no longer configured is forgotten.
  void SetNumbers(const config::Config& config, Clock::time_point now = Clock::now());

  // Numbers whose messages cannot go within `booked_beyond` (slots booked that far ahead, or
  // circuit open): not worth claiming. `until_change`, when given, gets how long until the
  // first of them is worth claiming again (an open circuit counts as `kBreakerRecheck`).
  std::vector<std::string> ThrottledNumbers(Clock::time_point now,
                                            Clock::duration booked_beyond = Clock::duration::zero(),
                                            Clock::duration* until_change = nullptr);
  static constexpr auto kBreakerRecheck = std::chrono::milliseconds(20);
  // Whether ThrottledNumbers would name `number` now.
  bool Throttled(const std::string& number, Clock::time_point now, Clock::duration booked_beyond);

  struct Admission {
    // Send after this long (zero: now). The number's slot at that time is the message's.
    Clock::duration send_after{};
    // Set when no slot was taken: give the message back and try again after this long.
    std::optional<Clock::duration> give_back;
    // The circuit is half-open and this send is its probe: it goes even though the circuit
    // counts as open until it reports back (see CircuitOpen).
    bool probe = false;
  };

  // When `message_id` may be sent: now, at a slot of its number booked up to `horizon` ahead,
  // or not yet (give it back).
  Admission Pace(const std::string& message_id, const std::string& number,
                 const std::string& customer, Clock::time_point now, Clock::duration horizon);

  // At acceptance: when the (business number, customer) pair limit has no slot free now, takes
  // the message's future slot and returns how long until it comes; the slot is the message's
  // own (Pace does not charge the pair again), and storing the message due then means nothing
  // claims it early. Zero when a slot is free now: Pace takes it at send time as usual.
  Clock::duration ReservePair(const std::string& message_id, const std::string& number,
                              const std::string& customer, Clock::time_point now);

  // Gives back the pair slot ReservePair took for `message_id`, a message not stored after all
  // (its insert failed): the pair's next message takes it instead of queueing behind it. Does
  // nothing when ReservePair took no slot (one was free, or no pair limit is configured).
  void ReleasePair(const std::string& message_id, const std::string& number,
                   const std::string& customer, Clock::time_point now);

  // The most sends `number` may start in any RateWindow(number): its rate, at least 1 (0:
  // unknown number, no limit). Booked slots keep to it, but a send that starts late would
  // bring the next ones closer; the dispatcher counts each window's sends too.
  int PerSecond(const std::string& number);

  // The window a number's rate is held over, and its slots paced to match
  // (util::StartLimit::WindowFor).
  Clock::duration RateWindow(const std::string& number);
  static Clock::duration RateWindowFor(double rate) { return util::StartLimit::WindowFor(rate); }
  // A configured rate as sends per RateWindowFor(rate): at least 1.
  static int PerSecondFor(double rate) { return util::StartLimit::PerSecondFor(rate); }

  // True while the number's circuit is open: a send paced for later, when its slot comes,
  // goes back to the queue instead (unless it is the probe).
  bool CircuitOpen(const std::string& number, Clock::time_point now);

  // Tells the number's circuit breaker how the provider answered an admitted send: a failure
  // when the provider said it is unwell (SendOutcome::provider_unwell), a success otherwise.
  void Report(const std::string& number, const providers::SendOutcome& outcome,
              Clock::time_point now);

 private:
  // The pair's bucket, made on first use. REQUIRES: mutex_ held.
  TokenBucket& PairBucket(const std::string& number, const std::string& customer,
                          Clock::time_point now);

  struct Number {
    Number(double rate, const config::DispatchSettings& d, Clock::time_point now)
        : per_second(PerSecondFor(rate)),
          window(RateWindowFor(rate)),
          bucket(per_second / std::chrono::duration<double>(window).count(), 1, now),
          breaker(d.breaker_failures, d.breaker_cooldown, d.breaker_max_cooldown) {}
    const int per_second;
    const Clock::duration window;
    TokenBucket bucket;  // guarded by FlowControl::mutex_
    CircuitBreaker breaker;
  };
  Number* Find(const std::string& number);
  // Throttled (circuit open, or slots booked beyond `booked_beyond`): how long until it is
  // worth claiming for again (an open circuit counts as kBreakerRecheck); nullopt when not.
  // REQUIRES: mutex_ held.
  std::optional<Clock::duration> UntilUnthrottled(Number& n, Clock::time_point now,
                                                  Clock::duration booked_beyond);
  void ForgetIdlePairs(Clock::time_point now);

  const config::DispatchSettings settings_;
  // Guarded by numbers_mutex_ (taken before mutex_, never after). A Number is never freed
  // before the FlowControl: Find's pointer stays valid after a SetNumbers replaced it.
  mutable std::shared_mutex numbers_mutex_;
  std::map<std::string, std::unique_ptr<Number>, std::less<>> numbers_;
  std::vector<std::unique_ptr<Number>> retired_;  // replaced or removed by SetNumbers

  std::mutex mutex_;  // guards buckets, pairs_, prepaid_
  std::map<std::string, TokenBucket> pairs_;
  std::set<std::string> prepaid_;  // message ids whose pair token is already reserved
  Clock::time_point next_cleanup_;
};

}  // namespace socialgate::dispatch
