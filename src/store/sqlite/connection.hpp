// File: store/sqlite/connection.hpp
//
// One SQLite connection with its cache of prepared statements, and what every statement file
// of the engine shares: positional binding, errors, rollback.
//
// Thread safety: none; one thread at a time: the engine's mutex around the writer's, the
// reader pool around each read connection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sqlite3.h>

#include "core/error.hpp"

namespace socialgate::store::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

// A prepared statement with positional binding; reset on destruction so it can be reused.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&&) = delete;
  Statement& operator=(Statement&&) = delete;

  Statement& Bind(std::string_view v) {
    sqlite3_bind_text(stmt_, ++index_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(std::int64_t v) {
    sqlite3_bind_int64(stmt_, ++index_, v);
    return *this;
  }
  Statement& BindNull() {
    sqlite3_bind_null(stmt_, ++index_);
    return *this;
  }
  // For a large value that outlives the statement's step (this Statement's scope): SQLite reads
  // it in place instead of copying it (a 5 MB image once less in memory).
  Statement& BindBlobInPlace(std::string_view v) {
    sqlite3_bind_blob64(stmt_, ++index_, v.data(), v.size(), SQLITE_STATIC);
    return *this;
  }
  // SQLITE_ROW or SQLITE_DONE, or an error code.
  int Step() { return sqlite3_step(stmt_); }
  // Column `col` of the current row as text ("" for NULL).
  std::string Text(int col) const;
  // Column `col` as bytes, NULs included ("" for NULL).
  std::string Blob(int col) const {
    const void* b = sqlite3_column_blob(stmt_, col);
    return b == nullptr ? std::string()
                        : std::string(static_cast<const char*>(b),
                                      static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  std::int64_t Int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  int Int(int col) const { return sqlite3_column_int(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
  int index_ = 0;
};

class Connection {
 public:
  explicit Connection(DbHandle db) : db_(std::move(db)) {}

  sqlite3* get() const { return db_.get(); }

  // The cached prepared statement for `sql`, keyed by the pointer: pass string literals (or
  // strings that live as long as the connection).
  core::Result<sqlite3_stmt*> Prepare(const char* sql);
  // Runs `sql` (several statements may be given) without caching it.
  core::Result<void> Exec(const char* sql);
  // Runs the cached statement `sql`, which returns no rows.
  core::Result<void> ExecPrepared(const char* sql);

  // The storage's error for SQLite's last failure on this connection: kUnavailable (a full
  // disk or an I/O failure refuses new work, 503, rather than failing the request for good), with
  // `what` and SQLite's message as the logged detail.
  core::Error Error(std::string_view what) const;

  // Rolls back the open transaction, if there is one: SQLite rolls a transaction back itself on
  // some errors (a full disk, an I/O error), and then nothing is left to do. A ROLLBACK that
  // fails leaves the connection in a state nobody knows: that is logged with SQLite's message and
  // returned (see store::Transactor::RollBack).
  core::Result<void> RollBack(std::string_view after);

  // Whether a transaction is open.
  bool InTransaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }
  // Rows changed by the last statement.
  int Changes() const { return sqlite3_changes(db_.get()); }

 private:
  struct StmtFinalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

  DbHandle db_;
  std::vector<std::pair<const char*, StmtHandle>> statements_;
};

}  // namespace socialgate::store::sqlite
