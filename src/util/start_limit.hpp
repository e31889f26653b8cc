// File: util/start_limit.hpp
//
// At most `limit` starts in any `window`: the count behind a business number's rate. The
// dispatcher paces a number's sends with one (EarliestStart, Count) as it hands them over; the
// HTTP client holds the number's posts to another (TryStart) as it really starts them, since
// its event loop may take them up late, its thread waiting for a busy CPU like any other, and
// then start a bunch at once: a provider counting arrivals would see more than the rate in
// some second.
//
// Thread safety: none; each owner uses its own from one thread (the pump, the client's loop).
#pragma once

#include <chrono>
#include <deque>
#include <optional>

namespace socialgate::util {

class StartLimit {
 public:
  using Clock = std::chrono::steady_clock;

  StartLimit(int limit, Clock::duration window);

  // The earliest time, `at` or later, at which one more start keeps to the limit, given the
  // starts counted so far. `at` may lie ahead of `now` (a slot booked in advance); starts no
  // window from `now` on can hold are forgotten.
  Clock::time_point EarliestStart(Clock::time_point at, Clock::time_point now);
  // A start at `t` (not before the last one counted).
  void Count(Clock::time_point t);
  // Counts a start at `now` if it keeps to the limit (nullopt); otherwise says when one may.
  std::optional<Clock::time_point> TryStart(Clock::time_point now);

  int limit() const { return limit_; }
  Clock::duration window() const { return window_; }
  // The last start counted, if any is still remembered.
  std::optional<Clock::time_point> last() const;

 private:
  const int limit_;
  const Clock::duration window_;
  std::deque<Clock::time_point> starts_;  // oldest first
};

}  // namespace socialgate::util
