// File: tests/unit/support/postgres_test_database.hpp
//
// A fresh database on the test run's PostgreSQL cluster, dropped when it goes. The cluster is
// started by ctest's `postgres` fixture (scripts/test-postgres, tests/CMakeLists.txt), which
// tells its tests where it is in SOCIALGATE_TEST_POSTGRES_STATE; a test run without it fails
// with a sentence saying so (no test is skipped because a server is missing). A test that stops
// and starts its server has a PostgresTestCluster of its own (SOCIALGATE_SOURCE_DIR must name
// the source tree, for scripts/test-postgres).
//
// Thread safety: none needed; one per test.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

namespace socialgate::testing {

// The cluster's admin URL (database "postgres"); empty, with a test failure, when there is none.
inline std::string PostgresAdminUrl() {
  const char* state = std::getenv("SOCIALGATE_TEST_POSTGRES_STATE");
  std::string url;
  if (state != nullptr) {
    std::ifstream in(std::string(state) + "/url");
    std::getline(in, url);
  }
  if (url.empty()) {
    ADD_FAILURE() << "no test PostgreSQL: run this test through ctest (its `postgres` fixture "
                     "starts one), or start one with scripts/test-postgres start STATE and set "
                     "SOCIALGATE_TEST_POSTGRES_STATE=STATE";
  }
  return url;
}

// Runs one statement as the cluster's superuser; false (with a test failure) when it fails.
inline bool PostgresAdmin(const std::string& admin_url, const std::string& sql) {
  PGconn* conn = PQconnectdb(admin_url.c_str());
  bool ok = PQstatus(conn) == CONNECTION_OK;
  if (ok) {
    PGresult* r = PQexec(conn, sql.c_str());
    ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok) ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
    PQclear(r);
  } else {
    ADD_FAILURE() << "cannot reach the test PostgreSQL: " << PQerrorMessage(conn);
  }
  PQfinish(conn);
  return ok;
}

// The first column of the first row `sql` returns on `url`, as text; "" when there is none (or
// the query failed: a test failure).
inline std::string PostgresValue(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string value;
  PGresult* r = PQexec(conn, sql.c_str());
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    ADD_FAILURE() << sql << ": " << PQerrorMessage(conn);
  } else if (PQntuples(r) > 0) {
    value = PQgetvalue(r, 0, 0);
  }
  PQclear(r);
  PQfinish(conn);
  return value;
}

class PostgresTestDatabase {
 public:
  PostgresTestDatabase() : admin_url_(PostgresAdminUrl()) {
    if (admin_url_.empty()) return;
    std::random_device random;
    name_ = "sg_test_" + std::to_string(random()) + std::to_string(random());
    if (!PostgresAdmin(admin_url_, "CREATE DATABASE " + name_)) {
      name_.clear();
      return;
    }
    // The admin URL ends in "/postgres": the same server, this database.
    url_ = admin_url_.substr(0, admin_url_.rfind('/') + 1) + name_;
  }
  ~PostgresTestDatabase() {
    if (!name_.empty()) PostgresAdmin(admin_url_, "DROP DATABASE " + name_ + " WITH (FORCE)");
  }
  PostgresTestDatabase(const PostgresTestDatabase&) = delete;
  PostgresTestDatabase& operator=(const PostgresTestDatabase&) = delete;

  // The database's URL; empty when it could not be made (the test has failed already).
  const std::string& url() const { return url_; }
  const std::string& admin_url() const { return admin_url_; }
  // Runs `sql` in this database as the superuser.
  bool Run(const std::string& sql) const { return PostgresAdmin(url_, sql); }
  // The first column of the first row `sql` returns in this database (PostgresValue).
  std::string Value(const std::string& sql) const { return PostgresValue(url_, sql); }

 private:
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

#ifdef SOCIALGATE_SOURCE_DIR
// A cluster of the test's own (scripts/test-postgres), which the test stops and starts; removed
// when it goes.
class PostgresTestCluster {
 public:
  PostgresTestCluster() {
    char dir[] = "/tmp/sg-pg-state-XXXXXX";
    if (mkdtemp(dir) == nullptr) return;
    state_ = dir;
    ok_ = Script("start");
  }
  ~PostgresTestCluster() {
    if (state_.empty()) return;
    (void)Script("stop");
    std::filesystem::remove_all(state_);
  }
  PostgresTestCluster(const PostgresTestCluster&) = delete;
  PostgresTestCluster& operator=(const PostgresTestCluster&) = delete;

  bool ok() const { return ok_; }
  // The admin URL (database "postgres").
  std::string url() const {
    std::ifstream in(state_ + "/url");
    std::string line;
    std::getline(in, line);
    return line;
  }
  // Stops the server, keeping its data; Up starts it again on the same port.
  bool Down() { return Script("down"); }
  bool Up() { return Script("up"); }

 private:
  bool Script(const std::string& command) {
    const std::string line = std::string(SOCIALGATE_SOURCE_DIR) + "/scripts/test-postgres " +
                             command + " " + state_ + " >/dev/null";
    return std::system(line.c_str()) == 0;
  }
  std::string state_;
  bool ok_ = false;
};
#endif

}  // namespace socialgate::testing
