// File: store/postgres/connection.hpp
//
// One libpq connection, and what every statement file of the PostgreSQL engine shares: a
// statement as a name and its SQL (prepared on first use on each connection, and again after a
// reconnect), parameters, result rows, errors.
//
// Parameters go in text format, but byte strings (bytea) in binary; rows come back in text
// format unless asked for binary (only MediaBytes does). Text handed to PostgreSQL must be UTF-8
// without NUL bytes: Params::Text makes it so (a provider's error message is untrusted), where
// SQLite would have stored the bytes as they were.
//
// A connection the server dropped (a restart, a killed backend, a network failure) is reopened
// by Reconnect; while the database is down, attempts are a second apart and every use between
// them fails at once with kUnavailable instead of waiting for a connect.
//
// Thread safety: none; one thread uses a connection at a time (the engine's mutex or pool).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>

#include "core/error.hpp"

namespace socialgate::store::postgres {

// A statement: `name` is its prepared statement's name on every connection, unique in the
// engine (a string literal); `text` its SQL with $1, $2... for parameters.
struct Sql {
  const char* name;
  std::string text;
};

// The parameters of one statement, in order.
class Params {
 public:
  // Made valid for a text column: NUL bytes dropped, bytes that are not UTF-8 replaced by U+FFFD.
  Params& Text(std::string_view value);
  Params& Int(std::int64_t value);
  Params& Bool(bool value);
  Params& Null();
  // A bytea parameter in binary format, read in place: `value` must outlive the statement.
  Params& BytesInPlace(std::string_view value);
  // A text[] parameter from strings (each made valid as Text makes it).
  Params& TextArray(const std::vector<std::string>& values);

  int size() const { return static_cast<int>(values_.size()); }

  // The parameters as libpq's PQexecParams and PQexecPrepared take them; valid while this lives.
  struct Arrays {
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
  };
  Arrays ForLibpq() const;

 private:
  struct Value {
    std::string owned;
    const char* external = nullptr;  // BytesInPlace
    std::size_t length = 0;
    bool null = false;
    bool binary = false;
  };
  std::vector<Value> values_;
};

struct ResultCloser {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultHandle = std::unique_ptr<PGresult, ResultCloser>;

// The rows a statement returned, and how many rows it changed.
class Rows {
 public:
  explicit Rows(ResultHandle result) : result_(std::move(result)) {}

  int size() const { return PQntuples(result_.get()); }
  int columns() const { return PQnfields(result_.get()); }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string_view View(int row, int column) const {
    return {PQgetvalue(result_.get(), row, column),
            static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
  }
  std::string Text(int row, int column) const { return std::string(View(row, column)); }
  // 0 for NULL or a value that is not an integer (columns are typed: it does not happen).
  std::int64_t Int64(int row, int column) const;
  int Int(int row, int column) const { return static_cast<int>(Int64(row, column)); }
  bool Bool(int row, int column) const { return View(row, column) == "t"; }
  // INSERT, UPDATE, DELETE: the rows it changed.
  int Changed() const;
  // The command's tag, e.g. "COMMIT" or "INSERT 0 1".
  std::string_view CommandStatus() const { return PQcmdStatus(result_.get()); }

 private:
  ResultHandle result_;
};

// The engine's error: kUnavailable (the database refused or is unreachable: the caller answers
// 503, and a new message is not stored), with `what` and PostgreSQL's message as the logged
// detail (never the password: the URL holds none, see OpenPostgresUrl).
core::Error DatabaseError(std::string_view what, std::string_view message);

class Connection {
 public:
  // Connects with libpq's keywords and values (nullptr-terminated arrays, expand_dbname on),
  // then sets up the session (synchronous_commit on, UTF-8, timeouts: connection.cpp).
  static core::Result<std::unique_ptr<Connection>> Open(const std::vector<std::string>& keywords,
                                                        const std::vector<std::string>& values);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  Connection(Connection&&) = delete;
  Connection& operator=(Connection&&) = delete;

  // Runs `sql` (prepared on this connection on first use) with `params`.
  core::Result<Rows> Run(const Sql& sql, const Params& params, bool binary_rows = false);
  // Runs `sql` through the simple query protocol (several statements may be given), unprepared.
  core::Result<void> Exec(std::string_view sql);
  // Runs one unprepared statement with parameters and returns its rows (rare statements).
  core::Result<Rows> Query(const std::string& sql, const Params& params);

  // Whether the connection to the server was lost.
  bool Broken() const { return !session_ready_ || PQstatus(conn_) != CONNECTION_OK; }
  // Whether a transaction is open (also one that failed and waits for its ROLLBACK). False
  // once the connection is lost: the server has rolled the transaction back.
  bool InTransaction() const;
  // Whether the open transaction failed (a statement's error): only ROLLBACK undoes it.
  bool TransactionFailed() const { return PQtransactionStatus(conn_) == PQTRANS_INERROR; }
  // Reopens a lost connection. After an attempt that failed, the next is made a second later
  // at the earliest (kUnavailable meanwhile): while the server cannot be reached, callers fail
  // at once instead of each waiting for a connect.
  core::Result<void> Reconnect();
  // COMMITs the open transaction: an error unless the server answers COMMIT (a transaction
  // that failed is rolled back by its COMMIT, which then answers ROLLBACK without an error).
  core::Result<void> Commit();
  // Rolls back the open transaction, if there is one (see store::Transactor::RollBack). A lost
  // connection has none: the server rolled it back.
  core::Result<void> RollBack(std::string_view after);

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  core::Result<void> SetUpSession();
  core::Result<Rows> Check(ResultHandle result, std::string_view what);

  PGconn* conn_;
  bool session_ready_ = false;                   // SetUpSession succeeded on this session
  std::set<std::string, std::less<>> prepared_;  // statement names prepared on conn_
  std::optional<std::chrono::steady_clock::time_point> last_failed_reconnect_;
};

}  // namespace socialgate::store::postgres
