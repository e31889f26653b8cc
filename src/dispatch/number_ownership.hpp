// File: dispatch/number_ownership.hpp
//
// The business numbers this instance sends for (store/number_leases.hpp): one instance per
// number at a time, so each number's rate, pair limit and circuit breaker hold across instances
// (docs/scaling.md). Its thread (`sg-numbers`) renews the leases every third of the lease: a
// number granted is held until the time the renewal was *asked* plus the lease, so a renewal
// that fails or answers late never has the instance send past its lease; a number the answer
// leaves out is given up at once. The dispatcher claims for held numbers only and checks again
// before each send.
//
// Time is read from the util::Clock given at construction, so tests drive it (RenewOnce).
// Thread safety: Owns, NotHeld, SetNumbers and RenewOnce may be called from any thread; Start, Stop
// and Release from one at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "store/number_leases.hpp"
#include "util/clock.hpp"

namespace socialgate::dispatch {

class NumberOwnership {
 public:
  // `numbers`: every business number this instance can send for. `handover`: how long a number
  // given up stays free of any holder (the sends started before count in its rate window).
  // `on_gain` runs (on the renewing thread) when numbers were gained: worth claiming for now.
  NumberOwnership(store::NumberLeases& leases, std::string owner, std::vector<std::string> numbers,
                  std::chrono::milliseconds lease, std::chrono::milliseconds handover,
                  const util::Clock& clock, std::function<void()> on_gain);
  ~NumberOwnership();
  NumberOwnership(const NumberOwnership&) = delete;
  NumberOwnership& operator=(const NumberOwnership&) = delete;

  // Starts renewing: at once, then every third of the lease.
  void Start();
  // Stops renewing (at once, even between renewals) and joins the thread. The numbers held stay
  // held until their leases end, or Release.
  void Stop();
  // Gives up every number, free to take after the hand-over (clean shutdown: call it once no
  // send is in flight). Holds nothing after, even if the store refused.
  void Release();

  // One renewal: asks, waits for the answer (at most a lease), and holds what it granted.
  core::Result<void> RenewOnce();

  // Replaces the numbers this instance can send for (a configuration reload): one no longer
  // among them is not sent for from now on (its lease runs out by itself); new ones are asked
  // for at once, by the renewing thread. `handover`: as at construction, for the new numbers.
  void SetNumbers(std::vector<std::string> numbers, std::chrono::milliseconds handover);

  // Whether this instance may send for `number` now.
  bool Owns(std::string_view number) const;
  // The numbers this instance can send for but does not hold now: not to be claimed for.
  std::vector<std::string> NotHeld() const;

  std::chrono::milliseconds lease() const { return lease_; }

 private:
  void Run();

  store::NumberLeases& leases_;
  const std::string owner_;
  std::vector<std::string> numbers_;  // guarded by held_mutex_
  const std::chrono::milliseconds lease_;
  std::atomic<std::chrono::milliseconds::rep> handover_ms_;  // SetNumbers may lengthen it
  const util::Clock& clock_;
  const std::function<void()> on_gain_;

  mutable std::mutex held_mutex_;
  std::map<std::string, util::Clock::TimePoint, std::less<>> held_until_;

  std::mutex run_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool renew_now_ = false;  // SetNumbers asked for a renewal before the period ends
  std::thread thread_;
};

}  // namespace socialgate::dispatch
