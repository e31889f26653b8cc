// File: net/start_limit.hpp
//
// At most `limit` requests started in any `window`, counted when the HTTP client really starts
// each one. The dispatcher paces a business number's sends to its rate as it hands them over,
// but the client's event loop may take them up late (its thread waits for a busy CPU like any
// other) and then start a bunch at once: a provider counting arrivals would see more than the
// rate in some second. A request of a number over its limit waits in the client until it fits.
//
// Thread safety: used by the HTTP client's event-loop thread only (requests carry it there).
#pragma once

#include <chrono>
#include <deque>
#include <optional>

namespace socialgate::net {

class StartLimit {
 public:
  using Clock = std::chrono::steady_clock;

  StartLimit(int limit, Clock::duration window);

  // A request may start at `now` (counted: nullopt), or must wait until the time returned.
  std::optional<Clock::time_point> TryStart(Clock::time_point now);

 private:
  const int limit_;
  const Clock::duration window_;
  std::deque<Clock::time_point> starts_;  // within the last window, oldest first
};

}  // namespace socialgate::net
