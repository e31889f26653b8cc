#include "dispatch/token_bucket.hpp"

#include <algorithm>

namespace socialgate::dispatch {
namespace {

// Refills are computed in floating point: 100 ms at 10/s may come to 0.9999999999 tokens.
constexpr double kEpsilon = 1e-9;

TokenBucket::Clock::duration SecondsToDuration(double seconds) {
  return std::chrono::duration_cast<TokenBucket::Clock::duration>(
      std::chrono::duration<double>(seconds));
}

}  // namespace

TokenBucket::TokenBucket(double rate_per_second, double capacity, Clock::time_point now)
    : rate_(rate_per_second), capacity_(std::max(1.0, capacity)), tokens_(capacity_), last_(now) {}

void TokenBucket::Refill(Clock::time_point now) {
  if (now <= last_) return;
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(capacity_, tokens_ + elapsed * rate_);
  last_ = now;
}

TokenBucket::Clock::duration TokenBucket::Reserve(Clock::time_point now) {
  Refill(now);
  tokens_ -= 1.0;
  if (tokens_ >= -kEpsilon) return Clock::duration::zero();
  return SecondsToDuration(-tokens_ / rate_);
}

void TokenBucket::Unreserve(Clock::time_point now) {
  Refill(now);
  tokens_ = std::min(capacity_, tokens_ + 1.0);
}

TokenBucket::Clock::duration TokenBucket::TimeUntilAvailable(Clock::time_point now) {
  Refill(now);
  if (tokens_ >= 1.0 - kEpsilon) return Clock::duration::zero();
  return SecondsToDuration((1.0 - tokens_) / rate_);
}

bool TokenBucket::Full(Clock::time_point now) {
  Refill(now);
  return tokens_ >= capacity_ - kEpsilon;
}

}  // namespace socialgate::dispatch
