// File: util/start_limit.hpp
//
// At most `limit` starts in any `window`: the count behind a business number's rate. The
// dispatcher paces a number's sends with one (EarliestStart, Count) as it hands them over; the
// HTTP client holds the number's posts to another as they really leave (TryReserve, then Sent
// or Unsent): a post handed to libcurl may wait there for a free connection, for seconds when
// the upstream is slow, and then leave with others in a bunch, so a post counts when libcurl
// writes it, and the ones reserved and not yet written count as if they left now. Then no
// window of writes holds more than `limit`: the writes in one are either reserved by the last
// reservation made in it, which saw them all, or were written within a window of that time.
//
// Thread safety: none; each owner uses its own from one thread (the pump, the client's loop).
#pragma once

#include <algorithm>
#include <chrono>
#include <deque>
#include <optional>

namespace socialgate::util {

class StartLimit {
 public:
  using Clock = std::chrono::steady_clock;

  StartLimit(int limit, Clock::duration window);

  // A business number's rate of `per_second` sends as a start limit: PerSecondFor(per_second)
  // starts in any WindowFor(per_second). The dispatcher's pacing and a provider's own count of
  // its posts use the same, so both hold the number to one rate over one window.
  static StartLimit ForRate(double per_second) {
    return StartLimit(PerSecondFor(per_second), WindowFor(per_second));
  }
  // The window a rate is held over: a second plus one slot (at least 10 ms). Requests reach the
  // provider a little closer together than they started (an HTTP client's loop, the network, a
  // busy machine), and the limit is about what the provider receives in any second: one send
  // would have to arrive a whole slot late for the provider to count one too many.
  static Clock::duration WindowFor(double per_second);
  // A rate as starts per WindowFor(per_second): at least 1.
  static int PerSecondFor(double per_second) { return std::max(1, static_cast<int>(per_second)); }

  // The earliest time, `at` or later, at which one more start keeps to the limit, given the
  // starts counted so far. `at` may lie ahead of `now` (a slot booked in advance); starts no
  // window from `now` on can hold are forgotten.
  Clock::time_point EarliestStart(Clock::time_point at, Clock::time_point now);
  // A start at `t` (not before the last one counted).
  void Count(Clock::time_point t);
  // Reserves a start if one more keeps to the limit, counting the starts of the window ending
  // `now` and the reservations not yet sent (nullopt); otherwise says when to ask again.
  std::optional<Clock::time_point> TryReserve(Clock::time_point now);
  // A reserved start left at `t` (is counted then); Unsent: it never left.
  void Sent(Clock::time_point t);
  void Unsent();
  int reserved() const { return reserved_; }

  int limit() const { return limit_; }
  Clock::duration window() const { return window_; }
  // The last start counted, if any is still remembered.
  std::optional<Clock::time_point> last() const;

 private:
  // Drops the starts at or before `t`.
  void ForgetUpTo(Clock::time_point t);
  // When the `nth_last` start counted (1: the last) leaves the window; needs that many.
  Clock::time_point LeavesWindow(int nth_last) const;

  const int limit_;
  const Clock::duration window_;
  std::deque<Clock::time_point> starts_;  // oldest first
  int reserved_ = 0;
};

}  // namespace socialgate::util
