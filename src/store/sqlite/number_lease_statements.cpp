#include "store/sqlite/number_lease_statements.hpp"

#include "store/string_array.hpp"

namespace socialgate::store::sqlite {

using core::Result;

Result<std::vector<std::string>> NumberLeaseStatements::Column(Statement& s,
                                                               std::string_view what) {
  std::vector<std::string> out;
  int rc = 0;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(s.Text(0));
  if (rc != SQLITE_DONE) return tl::unexpected(db_.Error(what));
  return out;
}

Result<void> NumberLeaseStatements::Heartbeat(std::string_view owner, std::int64_t alive_until_ms,
                                              std::int64_t forget_before_ms) {
  {
    SG_ASSIGN_OR_RETURN(
        auto stmt,
        db_.Prepare("INSERT INTO gateway_instances(owner, alive_until) VALUES(?, ?) "
                    "ON CONFLICT(owner) DO UPDATE SET alive_until = excluded.alive_until"));
    Statement s(stmt);
    s.Bind(owner).Bind(alive_until_ms);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("heartbeat"));
  }
  SG_ASSIGN_OR_RETURN(auto stmt,
                      db_.Prepare("DELETE FROM gateway_instances WHERE alive_until < ?"));
  Statement s(stmt);
  s.Bind(forget_before_ms);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("forget instances"));
  return {};
}

Result<int> NumberLeaseStatements::CountAlive(std::int64_t now_ms) {
  SG_ASSIGN_OR_RETURN(auto stmt,
                      db_.Prepare("SELECT COUNT(*) FROM gateway_instances WHERE alive_until > ?"));
  Statement s(stmt);
  s.Bind(now_ms);
  if (s.Step() != SQLITE_ROW) return tl::unexpected(db_.Error("count instances"));
  return s.Int(0);
}

Result<void> NumberLeaseStatements::AddNumbers(const std::vector<std::string>& numbers) {
  SG_ASSIGN_OR_RETURN(auto stmt,
                      db_.Prepare("INSERT INTO number_leases(number, owner, lease_until) "
                                  "SELECT value, NULL, 0 FROM json_each(?) WHERE true "
                                  "ON CONFLICT(number) DO NOTHING"));
  Statement s(stmt);
  s.Bind(EncodeStringArray(numbers));
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("add numbers"));
  return {};
}

Result<std::vector<std::string>> NumberLeaseStatements::Renew(
    std::string_view owner, const std::vector<std::string>& numbers, std::int64_t until_ms) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db_.Prepare("UPDATE number_leases SET lease_until = ? WHERE owner = ? AND number IN "
                  "(SELECT value FROM json_each(?)) RETURNING number"));
  Statement s(stmt);
  s.Bind(until_ms).Bind(owner).Bind(EncodeStringArray(numbers));
  return Column(s, "renew number leases");
}

Result<void> NumberLeaseStatements::GiveUp(std::string_view owner,
                                           const std::vector<std::string>& keep,
                                           std::int64_t free_at_ms) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db_.Prepare("UPDATE number_leases SET owner = NULL, lease_until = ? WHERE owner = ? AND "
                  "number NOT IN (SELECT value FROM json_each(?))"));
  Statement s(stmt);
  s.Bind(free_at_ms).Bind(owner).Bind(EncodeStringArray(keep));
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("give up numbers"));
  return {};
}

Result<std::vector<std::string>> NumberLeaseStatements::Take(
    std::string_view owner, const std::vector<std::string>& numbers, int count, std::int64_t now_ms,
    std::int64_t until_ms) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db_.Prepare("UPDATE number_leases SET owner = ?1, lease_until = ?2 WHERE number IN ("
                  "SELECT number FROM number_leases WHERE number IN "
                  "(SELECT value FROM json_each(?3)) AND (owner IS NULL OR owner <> ?1) AND "
                  "lease_until <= ?4 ORDER BY number LIMIT ?5) RETURNING number"));
  Statement s(stmt);
  s.Bind(owner)
      .Bind(until_ms)
      .Bind(EncodeStringArray(numbers))
      .Bind(now_ms)
      .Bind(static_cast<std::int64_t>(count));
  return Column(s, "take numbers");
}

}  // namespace socialgate::store::sqlite
