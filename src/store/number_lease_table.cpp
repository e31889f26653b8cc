#include "store/number_lease_table.hpp"

#include <algorithm>

namespace socialgate::store {

using core::Result;

Result<Written> RenewNumberLeases(NumberLeaseTable& table, const NumberLeaseRenewal& r) {
  const std::int64_t until = r.now_ms + r.lease_ms;
  SG_RETURN_IF_ERROR(table.Heartbeat(r.owner, until, r.now_ms - kForgetInstancesAfterMs));
  SG_ASSIGN_OR_RETURN(const int alive, table.CountAlive(r.now_ms));
  SG_RETURN_IF_ERROR(table.AddNumbers(r.numbers));
  SG_ASSIGN_OR_RETURN(std::vector<std::string> held, table.Renew(r.owner, r.numbers, until));
  std::sort(held.begin(), held.end());
  // The numbers divided among the live instances (this one among them), rounded up: every
  // number has a taker, and none holds more than one number above another's share.
  const int instances = std::max(alive, 1);
  const int count = static_cast<int>(r.numbers.size());
  const int share = (count + instances - 1) / instances;
  if (static_cast<int>(held.size()) > share) held.resize(static_cast<std::size_t>(share));
  // The excess, and numbers held but no longer listed, are given up.
  SG_RETURN_IF_ERROR(table.GiveUp(r.owner, held, r.now_ms + r.handover_ms));
  if (static_cast<int>(held.size()) < share) {
    SG_ASSIGN_OR_RETURN(
        std::vector<std::string> taken,
        table.Take(r.owner, r.numbers, share - static_cast<int>(held.size()), r.now_ms, until));
    held.insert(held.end(), taken.begin(), taken.end());
    std::sort(held.begin(), held.end());
  }
  Written written;
  written.numbers = std::move(held);
  return written;
}

Result<Written> ReleaseNumberLeases(NumberLeaseTable& table, const NumberLeaseRelease& release) {
  SG_RETURN_IF_ERROR(table.GiveUp(release.owner, {}, release.now_ms + release.handover_ms));
  // Its heartbeat ends now: the others count it out at their next renewal.
  SG_RETURN_IF_ERROR(
      table.Heartbeat(release.owner, release.now_ms, release.now_ms - kForgetInstancesAfterMs));
  return Written{};
}

}  // namespace socialgate::store
