// File: store/number_leases.hpp
//
// Which gateway instance sends for which business number. Several instances on one database
// share the outbox, but each business number is sent for by one instance at a time, the holder
// of its lease: so Meta's per-number rate, its pair limit and the number's circuit breaker
// hold across instances without a database round trip per send (docs/scaling.md).
//
// Each instance renews its leases every few seconds, and with them its own heartbeat. From the
// instances alive, a renewal works out a fair share (the numbers divided among them, rounded
// up): an instance below its share takes free numbers (never leased, given up, or whose lease
// ran out because its holder died), one above it gives up the excess. A number given up, by a
// renewal or at shutdown, is free to take only after a hand-over time: the sends its last holder
// started count in the number's rate window until then.
//
// Thread safety: safe to call from many threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace socialgate::store {

struct NumberLeaseRenewal {
  std::string owner;                 // the instance (the dispatcher's lease owner name)
  std::vector<std::string> numbers;  // every business number it can send for
  std::int64_t now_ms = 0;
  std::int64_t lease_ms = 0;     // how long a lease (and the heartbeat) lasts unrenewed
  std::int64_t handover_ms = 0;  // a number given up is free to take this long after
};

class NumberLeases {
 public:
  virtual ~NumberLeases() = default;
  NumberLeases() = default;
  NumberLeases(const NumberLeases&) = delete;
  NumberLeases& operator=(const NumberLeases&) = delete;
  NumberLeases(NumberLeases&&) = delete;
  NumberLeases& operator=(NumberLeases&&) = delete;

  // Renews the owner's heartbeat and leases, gives up or takes numbers toward its fair share
  // (see the file comment), and gives `done` the numbers it holds now, each until
  // now_ms + lease_ms, once that is durable; numbers it holds but no longer lists are given up.
  // Runs on the store's thread; `done` must not block. Always queued, however many writes wait.
  virtual void RenewNumberLeasesAsync(
      NumberLeaseRenewal renewal,
      std::function<void(core::Result<std::vector<std::string>>)> done) = 0;

  // Gives up every number `owner` holds, free to take at now_ms + handover_ms, and ends its
  // heartbeat (clean shutdown).
  virtual core::Result<void> ReleaseNumberLeases(std::string_view owner, std::int64_t now_ms,
                                                 std::int64_t handover_ms) = 0;
};

}  // namespace socialgate::store
