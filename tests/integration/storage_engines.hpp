// File: tests/integration/storage_engines.hpp
//
// The storage engines the integration tests that touch storage run on (restart, crash,
// idempotency): each such test is a TEST_P over kStorageEngines, and gives its gateway the
// database of an EngineDatabase.
//
//   class RestartTest : public ::testing::TestWithParam<StorageEngine> { ... };
//   INSTANTIATE_TEST_SUITE_P(Engines, RestartTest, kStorageEngines, StorageEngineName);
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "support/postgres_test_database.hpp"

namespace socialgate::testing {

enum class StorageEngine { kSqlite, kPostgres };

inline const auto kStorageEngines =
    ::testing::Values(StorageEngine::kSqlite, StorageEngine::kPostgres);

inline std::string StorageEngineName(const ::testing::TestParamInfo<StorageEngine>& info) {
  return info.param == StorageEngine::kSqlite ? "Sqlite" : "Postgres";
}

// How GoogleTest prints the parameter.
inline void PrintTo(StorageEngine engine, std::ostream* out) {
  *out << (engine == StorageEngine::kSqlite ? "SQLite" : "PostgreSQL");
}

// A test's database: SQLite's is the gateway's own file in its directory (url() is empty, the
// GatewayProcess default); PostgreSQL's a fresh database on the test run's cluster, dropped
// after the test. Restarts of the gateway reach the same database either way.
class EngineDatabase {
 public:
  explicit EngineDatabase(StorageEngine engine) {
    if (engine == StorageEngine::kPostgres) {
      postgres_ = std::make_unique<PostgresTestDatabase>();
      url_ = postgres_->url();
    }
  }
  // The gateway's storage URL; empty: GatewayProcess's SQLite file.
  const std::string& url() const { return url_; }
  // The PostgreSQL database (nullptr on SQLite), for a test that looks inside.
  const PostgresTestDatabase* postgres() const { return postgres_.get(); }

 private:
  std::unique_ptr<PostgresTestDatabase> postgres_;
  std::string url_;
};

}  // namespace socialgate::testing
