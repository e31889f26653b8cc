#include "store/postgres/number_lease_statements.hpp"

namespace socialgate::store::postgres {
namespace {

using core::Result;

const Sql kHeartbeat{"heartbeat",
                     "INSERT INTO gateway_instances(owner, alive_until) VALUES($1, $2) "
                     "ON CONFLICT (owner) DO UPDATE SET alive_until = excluded.alive_until"};
const Sql kForgetInstances{"forget_instances",
                           "DELETE FROM gateway_instances WHERE alive_until < $1"};
const Sql kCountAlive{"count_instances",
                      "SELECT COUNT(*) FROM gateway_instances WHERE alive_until > $1"};
const Sql kAddNumbers{"add_numbers",
                      "INSERT INTO number_leases(number, owner, lease_until) "
                      "SELECT unnest($1::text[]), NULL, 0 ON CONFLICT (number) DO NOTHING"};
const Sql kRenew{"renew_numbers",
                 "UPDATE number_leases SET lease_until = $1 WHERE owner = $2 AND "
                 "number = ANY($3::text[]) RETURNING number"};
const Sql kGiveUp{"give_up_numbers",
                  "UPDATE number_leases SET owner = NULL, lease_until = $1 WHERE owner = $2 AND "
                  "number <> ALL($3::text[])"};
const Sql kTake{"take_numbers",
                "UPDATE number_leases SET owner = $1, lease_until = $2 WHERE number IN ("
                "SELECT number FROM number_leases WHERE number = ANY($3::text[]) AND "
                "owner IS DISTINCT FROM $1 AND lease_until <= $4 ORDER BY number LIMIT $5 "
                "FOR UPDATE SKIP LOCKED) RETURNING number"};

std::vector<std::string> Column(const Rows& rows) {
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) out.push_back(rows.Text(i, 0));
  return out;
}

}  // namespace

Result<void> NumberLeaseStatements::Heartbeat(std::string_view owner, std::int64_t alive_until_ms,
                                              std::int64_t forget_before_ms) {
  Params beat;
  beat.Text(owner).Int(alive_until_ms);
  SG_RETURN_IF_ERROR(db_.Run(kHeartbeat, beat));
  Params forget;
  forget.Int(forget_before_ms);
  SG_RETURN_IF_ERROR(db_.Run(kForgetInstances, forget));
  return {};
}

Result<int> NumberLeaseStatements::CountAlive(std::int64_t now_ms) {
  Params p;
  p.Int(now_ms);
  SG_ASSIGN_OR_RETURN(Rows rows, db_.Run(kCountAlive, p));
  return rows.Int(0, 0);
}

Result<void> NumberLeaseStatements::AddNumbers(const std::vector<std::string>& numbers) {
  Params p;
  p.TextArray(numbers);
  SG_RETURN_IF_ERROR(db_.Run(kAddNumbers, p));
  return {};
}

Result<std::vector<std::string>> NumberLeaseStatements::Renew(
    std::string_view owner, const std::vector<std::string>& numbers, std::int64_t until_ms) {
  Params p;
  p.Int(until_ms).Text(owner).TextArray(numbers);
  SG_ASSIGN_OR_RETURN(Rows rows, db_.Run(kRenew, p));
  return Column(rows);
}

Result<void> NumberLeaseStatements::GiveUp(std::string_view owner,
                                           const std::vector<std::string>& keep,
                                           std::int64_t free_at_ms) {
  Params p;
  p.Int(free_at_ms).Text(owner).TextArray(keep);
  SG_RETURN_IF_ERROR(db_.Run(kGiveUp, p));
  return {};
}

Result<std::vector<std::string>> NumberLeaseStatements::Take(
    std::string_view owner, const std::vector<std::string>& numbers, int count, std::int64_t now_ms,
    std::int64_t until_ms) {
  Params p;
  p.Text(owner).Int(until_ms).TextArray(numbers).Int(now_ms).Int(count);
  SG_ASSIGN_OR_RETURN(Rows rows, db_.Run(kTake, p));
  return Column(rows);
}

}  // namespace socialgate::store::postgres
