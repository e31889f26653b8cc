// File: store/sqlite/number_lease_statements.hpp
//
// The SQL of number leases in SQLite (tables gateway_instances and number_leases): the
// statements store/number_lease_table.hpp works a renewal out with. One instance per SQLite
// database holds every number; the tables are the same as PostgreSQL's all the same. Every
// function needs the connection's mutex held; the writes run on the committer, inside its
// transaction.
#pragma once

#include "store/number_lease_table.hpp"
#include "store/sqlite/connection.hpp"

namespace socialgate::store::sqlite {

class NumberLeaseStatements final : public NumberLeaseTable {
 public:
  explicit NumberLeaseStatements(Connection& db) : db_(db) {}

  core::Result<void> Heartbeat(std::string_view owner, std::int64_t alive_until_ms,
                               std::int64_t forget_before_ms) override;
  core::Result<int> CountAlive(std::int64_t now_ms) override;
  core::Result<void> AddNumbers(const std::vector<std::string>& numbers) override;
  core::Result<std::vector<std::string>> Renew(std::string_view owner,
                                               const std::vector<std::string>& numbers,
                                               std::int64_t until_ms) override;
  core::Result<void> GiveUp(std::string_view owner, const std::vector<std::string>& keep,
                            std::int64_t free_at_ms) override;
  core::Result<std::vector<std::string>> Take(std::string_view owner,
                                              const std::vector<std::string>& numbers, int count,
                                              std::int64_t now_ms, std::int64_t until_ms) override;

 private:
  // Steps `s` to its end, collecting column 0 of each row.
  core::Result<std::vector<std::string>> Column(Statement& s, std::string_view what);

  Connection& db_;
};

}  // namespace socialgate::store::sqlite
