// File: dispatch/token_bucket.hpp
//
// A token bucket: `rate` tokens a second, at most `capacity` saved up. With capacity 1 it paces
// sends evenly, so no one-second window ever holds more than `rate` sends (how business numbers
// are held to their tier); a larger capacity allows bursts (Meta's pair limit does).
//
// Reserve() may take a token that is not there yet, returning how long until it would have
// been: the caller waits that long and the next caller queues behind it, so sends deferred
// together are spread out instead of all coming back at once.
//
// Thread safety: none; its owner guards it (FlowControl holds its pair buckets under its mutex).
#pragma once

#include <chrono>

namespace socialgate::dispatch {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double rate_per_second, double capacity, Clock::time_point now);

  // Takes a token now or in the future; returns how long until it is due (zero: now).
  Clock::duration Reserve(Clock::time_point now);

  // Gives back a token Reserve took that will not be used: the next reservation comes one
  // token's time sooner. The bucket never holds more than its capacity.
  void Unreserve(Clock::time_point now);

  // How long until a token is available (zero when one is).
  Clock::duration TimeUntilAvailable(Clock::time_point now);

  // True when the bucket is full: nothing of it needs remembering.
  bool Full(Clock::time_point now);

 private:
  void Refill(Clock::time_point now);

  double rate_;
  double capacity_;
  double tokens_;  // may be negative: reserved future tokens
  Clock::time_point last_;
};

}  // namespace socialgate::dispatch
