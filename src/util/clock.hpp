// File: util/clock.hpp
//
// The monotonic time a component reads, behind an interface so that a test can drive it:
// SteadyClock() is std::chrono::steady_clock; ManualClock stands still until told to move.
// Only what decides (pacing, backoff) reads a Clock; threads still wait on real time.
//
// Thread safety: Now() and Advance() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>

namespace socialgate::util {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;

  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

// std::chrono::steady_clock::now(). Lives for the whole program.
const Clock& SteadyClock();

// A clock that moves only when Advance is called; starts at `start`.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint() + std::chrono::hours(1))
      : ticks_(start.time_since_epoch().count()) {}

  TimePoint Now() const override { return TimePoint(Duration(ticks_.load())); }
  void Advance(Duration by) { ticks_ += by.count(); }

 private:
  std::atomic<Duration::rep> ticks_;
};

}  // namespace socialgate::util
