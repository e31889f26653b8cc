#include "util/start_limit.hpp"

#include <algorithm>

namespace socialgate::util {

StartLimit::StartLimit(int limit, Clock::duration window)
    : limit_(std::max(1, limit)), window_(window) {}

StartLimit::Clock::duration StartLimit::WindowFor(double per_second) {
  const auto slot = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / std::max(1.0, per_second)));
  return std::chrono::seconds(1) + std::max<Clock::duration>(std::chrono::milliseconds(10), slot);
}

StartLimit::Clock::time_point StartLimit::EarliestStart(Clock::time_point at,
                                                        Clock::time_point now) {
  // Forget only what no window from now on holds: the window of a start at `now` still needs
  // the starts before at - window when `at` is ahead.
  ForgetUpTo(std::min(at, now) - window_);
  const auto in_window =
      starts_.end() - std::upper_bound(starts_.begin(), starts_.end(), at - window_);
  if (in_window < limit_) return at;
  // Full: once the oldest of the last `limit` leaves the window.
  return std::max(at, LeavesWindow(limit_));
}

void StartLimit::Count(Clock::time_point t) {
  starts_.push_back(starts_.empty() ? t : std::max(t, starts_.back()));
}

std::optional<StartLimit::Clock::time_point> StartLimit::TryReserve(Clock::time_point now) {
  ForgetUpTo(now - window_);
  const int in_window = static_cast<int>(starts_.size());
  if (in_window + reserved_ < limit_) {
    ++reserved_;
    return std::nullopt;
  }
  // The reservations, once sent, stay a window: none frees a place before now + window.
  if (reserved_ >= limit_) return now + window_;
  // Otherwise once enough of the counted starts have left the window.
  return LeavesWindow(limit_ - reserved_);
}

void StartLimit::Sent(Clock::time_point t) {
  if (reserved_ > 0) --reserved_;
  Count(t);
}

void StartLimit::Unsent() {
  if (reserved_ > 0) --reserved_;
}

void StartLimit::ForgetUpTo(Clock::time_point t) {
  while (!starts_.empty() && starts_.front() <= t) starts_.pop_front();
}

StartLimit::Clock::time_point StartLimit::LeavesWindow(int nth_last) const {
  return starts_[starts_.size() - static_cast<std::size_t>(nth_last)] + window_;
}

std::optional<StartLimit::Clock::time_point> StartLimit::last() const {
  if (starts_.empty()) return std::nullopt;
  return starts_.back();
}

}  // namespace socialgate::util
