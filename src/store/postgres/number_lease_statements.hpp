// File: store/postgres/number_lease_statements.hpp
//
// The SQL of number leases in PostgreSQL (tables gateway_instances and number_leases): the
// statements store/number_lease_table.hpp works a renewal out with. Numbers are taken FOR
// UPDATE SKIP LOCKED: two instances taking at once take different numbers. The writes run on
// the committer, inside its transaction.
#pragma once

#include "store/number_lease_table.hpp"
#include "store/postgres/connection.hpp"

namespace socialgate::store::postgres {

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
  Connection& db_;
};

}  // namespace socialgate::store::postgres
