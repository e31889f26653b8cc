#include "net/start_limit.hpp"

#include <algorithm>

namespace socialgate::net {

StartLimit::StartLimit(int limit, Clock::duration window)
    : limit_(std::max(1, limit)), window_(window) {}

std::optional<StartLimit::Clock::time_point> StartLimit::TryStart(Clock::time_point now) {
  while (!starts_.empty() && starts_.front() <= now - window_) starts_.pop_front();
  if (static_cast<int>(starts_.size()) >= limit_) {
    // Once the oldest of the last `limit` leaves the window.
    return starts_[starts_.size() - static_cast<std::size_t>(limit_)] + window_;
  }
  starts_.push_back(std::max(now, starts_.empty() ? now : starts_.back()));
  return std::nullopt;
}

}  // namespace socialgate::net
