// File: util/clock.hpp
//
// The time a component reads, behind an interface so that a test can drive it: Now() is
// monotonic (for intervals: pacing, backoff, how long a remembered credential holds) and
// UnixMillis() is the wall clock (for what is stored: a session's expiry). SystemClock() reads
// std::chrono::steady_clock and the system clock; ManualClock stands still until told to move.
// Only what decides reads a Clock; threads still wait on real time.
//
// Thread safety: Now() and Advance() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace socialgate::util {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;

  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  // Milliseconds since the Unix epoch.
  virtual std::int64_t UnixMillis() const = 0;
};

// The process's clocks: std::chrono::steady_clock and the system clock. Lives for the whole
// program.
const Clock& SystemClock();

// A clock that moves only when Advance is called; starts at `start`, when the wall clock reads
// `unix_millis` (both move together).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint() + std::chrono::hours(1),
                       std::int64_t unix_millis = 1'795'607'820'000)
      : start_(start), unix_start_(unix_millis), ticks_(start.time_since_epoch().count()) {}

  TimePoint Now() const override { return TimePoint(Duration(ticks_.load())); }
  std::int64_t UnixMillis() const override {
    return unix_start_ +
           std::chrono::duration_cast<std::chrono::milliseconds>(Now() - start_).count();
  }
  void Advance(Duration by) { ticks_ += by.count(); }

 private:
  const TimePoint start_;
  const std::int64_t unix_start_;
  std::atomic<Duration::rep> ticks_;
};

}  // namespace socialgate::util
