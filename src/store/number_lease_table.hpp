// File: store/number_lease_table.hpp
//
// How a renewal of number leases is worked out (store/number_leases.hpp), for any engine: the
// engine gives the few statements over its tables (gateway_instances, number_leases) and these
// functions decide, inside the committer's transaction, which numbers to renew, give up or take.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/write.hpp"

namespace socialgate::store {

// An engine's statements over the lease tables, each run in the open transaction.
class NumberLeaseTable {
 public:
  virtual ~NumberLeaseTable() = default;
  NumberLeaseTable() = default;
  NumberLeaseTable(const NumberLeaseTable&) = delete;
  NumberLeaseTable& operator=(const NumberLeaseTable&) = delete;
  NumberLeaseTable(NumberLeaseTable&&) = delete;
  NumberLeaseTable& operator=(NumberLeaseTable&&) = delete;

  // Sets `owner`'s heartbeat to `alive_until_ms`, and forgets the instances whose heartbeat
  // ended before `forget_before_ms`.
  virtual core::Result<void> Heartbeat(std::string_view owner, std::int64_t alive_until_ms,
                                       std::int64_t forget_before_ms) = 0;
  // The instances whose heartbeat is later than `now_ms`.
  virtual core::Result<int> CountAlive(std::int64_t now_ms) = 0;
  // Adds a free row for each of `numbers` not in the table yet.
  virtual core::Result<void> AddNumbers(const std::vector<std::string>& numbers) = 0;
  // Extends to `until_ms` the leases `owner` holds on any of `numbers`; those numbers.
  virtual core::Result<std::vector<std::string>> Renew(std::string_view owner,
                                                       const std::vector<std::string>& numbers,
                                                       std::int64_t until_ms) = 0;
  // Gives up every number `owner` holds but those in `keep`: free to take at `free_at_ms`.
  virtual core::Result<void> GiveUp(std::string_view owner, const std::vector<std::string>& keep,
                                    std::int64_t free_at_ms) = 0;
  // Takes up to `count` of `numbers` that are free at `now_ms` (never leased, given up, or
  // their lease ended) and that no other transaction holds, until `until_ms`; those taken.
  virtual core::Result<std::vector<std::string>> Take(std::string_view owner,
                                                      const std::vector<std::string>& numbers,
                                                      int count, std::int64_t now_ms,
                                                      std::int64_t until_ms) = 0;
};

// The heartbeats of instances gone for longer than this are forgotten.
inline constexpr std::int64_t kForgetInstancesAfterMs = 24LL * 3600 * 1000;

// NumberLeases::RenewNumberLeasesAsync's write: Written::numbers holds the numbers held now,
// sorted.
core::Result<Written> RenewNumberLeases(NumberLeaseTable& table, const NumberLeaseRenewal& renewal);

// NumberLeases::ReleaseNumberLeases's write.
core::Result<Written> ReleaseNumberLeases(NumberLeaseTable& table,
                                          const NumberLeaseRelease& release);

}  // namespace socialgate::store
