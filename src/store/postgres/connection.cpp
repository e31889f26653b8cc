#include "store/postgres/connection.hpp"

#include <charconv>
#include <cstdlib>
#include <string>

#include <spdlog/spdlog.h>

#include "core/text.hpp"

namespace socialgate::store::postgres {
namespace {

using core::Result;

constexpr auto kReconnectEvery = std::chrono::seconds(1);

// The length of the well-formed UTF-8 sequence at the start of `s`, 0 when there is none.
std::size_t SequenceLength(std::string_view s) {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto cont = [&](std::size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  const unsigned char lead = b(0);
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return cont(1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (lead == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (lead == 0xED && b(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (lead == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (lead == 0xF4 && b(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

// `value` as PostgreSQL takes text: without NUL, ill-formed bytes replaced by U+FFFD.
std::string ValidText(std::string_view value) {
  if (value.find('\0') == std::string_view::npos && core::Utf8Length(value)) {
    return std::string(value);
  }
  std::string out;
  out.reserve(value.size());
  std::size_t i = 0;
  while (i < value.size()) {
    if (value[i] == '\0') {
      ++i;
      continue;
    }
    const std::size_t n = SequenceLength(value.substr(i));
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(value.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace

Params& Params::Text(std::string_view value) {
  Value v;
  v.owned = ValidText(value);
  v.length = v.owned.size();
  values_.push_back(std::move(v));
  return *this;
}

Params& Params::Int(std::int64_t value) {
  Value v;
  v.owned = std::to_string(value);
  v.length = v.owned.size();
  values_.push_back(std::move(v));
  return *this;
}

Params& Params::Bool(bool value) {
  Value v;
  v.owned.assign(1, value ? 't' : 'f');
  v.length = 1;
  values_.push_back(std::move(v));
  return *this;
}

Params& Params::Null() {
  Value v;
  v.null = true;
  values_.push_back(std::move(v));
  return *this;
}

Params& Params::BytesInPlace(std::string_view value) {
  Value v;
  v.external = value.data();
  v.length = value.size();
  v.binary = true;
  values_.push_back(std::move(v));
  return *this;
}

Params& Params::TextArray(const std::vector<std::string>& values) {
  // An array literal: every element double-quoted, with '"' and '\' escaped by a backslash.
  std::string literal = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) literal += ',';
    literal += '"';
    for (const char c : ValidText(values[i])) {
      if (c == '"' || c == '\\') literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  literal += '}';
  Value v;
  v.owned = std::move(literal);
  v.length = v.owned.size();
  values_.push_back(std::move(v));
  return *this;
}

Params::Arrays Params::ForLibpq() const {
  Arrays a;
  a.values.reserve(values_.size());
  for (const Value& v : values_) {
    a.values.push_back(v.null ? nullptr : (v.external != nullptr ? v.external : v.owned.c_str()));
    a.lengths.push_back(static_cast<int>(v.length));
    a.formats.push_back(v.binary ? 1 : 0);
  }
  return a;
}

std::int64_t Rows::Int64(int row, int column) const {
  const std::string_view text = View(row, column);
  std::int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

int Rows::Changed() const {
  const char* tuples = PQcmdTuples(result_.get());
  return tuples == nullptr || *tuples == '\0' ? 0 : std::atoi(tuples);
}

core::Error DatabaseError(std::string_view what, std::string_view message) {
  std::string detail(what);
  detail += ": ";
  // libpq's messages end in a newline and may span lines; the log wants one.
  for (const char c : message) detail += c == '\n' ? ' ' : c;
  while (!detail.empty() && detail.back() == ' ') detail.pop_back();
  return core::Error{core::ErrorCode::kUnavailable, "storage is unavailable, try again later",
                     std::move(detail)};
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::vector<std::string>& keywords,
                                                     const std::vector<std::string>& values) {
  std::vector<const char*> k;
  std::vector<const char*> v;
  for (std::size_t i = 0; i < keywords.size(); ++i) {
    k.push_back(keywords[i].c_str());
    v.push_back(values[i].c_str());
  }
  k.push_back(nullptr);
  v.push_back(nullptr);
  PGconn* raw = PQconnectdbParams(k.data(), v.data(), /*expand_dbname=*/1);
  if (raw == nullptr) {
    return core::MakeError(core::ErrorCode::kUnavailable, "storage is unavailable, try again later",
                           "connect: libpq is out of memory");
  }
  // The server's notices ("relation already exists, skipping") are not the gateway's news.
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  std::unique_ptr<Connection> connection(new Connection(raw));
  if (PQstatus(raw) != CONNECTION_OK) {
    return tl::unexpected(DatabaseError("connect", PQerrorMessage(raw)));
  }
  SG_RETURN_IF_ERROR(connection->SetUpSession());
  connection->session_ready_ = true;
  return connection;
}

Connection::~Connection() { PQfinish(conn_); }

Result<void> Connection::SetUpSession() {
  // synchronous_commit on: a COMMIT returns once the transaction is on disk (and on the
  // synchronous standbys, if any), so `result: true` means durable whatever the server's
  // default. A statement or lock wait has a limit, unless the URL's options set one already.
  SG_RETURN_IF_ERROR(
      Exec("SET synchronous_commit = on; SET client_encoding = 'UTF8'; "
           "SET TIME ZONE 'UTC'"));
  Params none;
  SG_ASSIGN_OR_RETURN(
      Rows timeouts,
      Query("SELECT current_setting('statement_timeout'), current_setting('lock_timeout')", none));
  if (timeouts.View(0, 0) == "0") SG_RETURN_IF_ERROR(Exec("SET statement_timeout = '30s'"));
  if (timeouts.View(0, 1) == "0") SG_RETURN_IF_ERROR(Exec("SET lock_timeout = '10s'"));
  return {};
}

Result<Rows> Connection::Check(ResultHandle result, std::string_view what) {
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Rows(std::move(result));
  std::string message = result ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn_);
  if (result) {
    if (const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE)) {
      message += std::string(" (SQLSTATE ") + state + ")";
    }
  }
  return tl::unexpected(DatabaseError(what, message));
}

Result<Rows> Connection::Run(const Sql& sql, const Params& params, bool binary_rows) {
  if (prepared_.find(sql.name) == prepared_.end()) {
    ResultHandle prepared(PQprepare(conn_, sql.name, sql.text.c_str(), 0, nullptr));
    SG_RETURN_IF_ERROR(Check(std::move(prepared), std::string("prepare ") + sql.name));
    prepared_.emplace(sql.name);
  }
  const Params::Arrays a = params.ForLibpq();
  ResultHandle result(PQexecPrepared(conn_, sql.name, params.size(), a.values.data(),
                                     a.lengths.data(), a.formats.data(), binary_rows ? 1 : 0));
  return Check(std::move(result), sql.name);
}

Result<void> Connection::Exec(std::string_view sql) {
  const std::string text(sql);
  ResultHandle result(PQexec(conn_, text.c_str()));
  SG_RETURN_IF_ERROR(Check(std::move(result), text.substr(0, 40)));
  return {};
}

Result<Rows> Connection::Query(const std::string& sql, const Params& params) {
  const Params::Arrays a = params.ForLibpq();
  ResultHandle result(PQexecParams(conn_, sql.c_str(), params.size(), nullptr, a.values.data(),
                                   a.lengths.data(), a.formats.data(), 0));
  return Check(std::move(result), sql.substr(0, 40));
}

bool Connection::InTransaction() const {
  const PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

Result<void> Connection::Reconnect() {
  if (!Broken()) return {};
  const auto now = std::chrono::steady_clock::now();
  if (last_failed_reconnect_ && now - *last_failed_reconnect_ < kReconnectEvery) {
    return tl::unexpected(DatabaseError("reconnect",
                                        "the database is unreachable; "
                                        "the next attempt is within a second"));
  }
  prepared_.clear();       // a new session has none
  session_ready_ = false;  // a half set-up session is not used: the next call reconnects
  PQreset(conn_);
  Result<void> ready = PQstatus(conn_) == CONNECTION_OK
                           ? SetUpSession()
                           : tl::unexpected(DatabaseError("reconnect", PQerrorMessage(conn_)));
  if (!ready) {
    last_failed_reconnect_ = now;
    return ready;
  }
  session_ready_ = true;
  last_failed_reconnect_.reset();
  spdlog::info("storage: reconnected to PostgreSQL");
  return {};
}

Result<void> Connection::Commit() {
  ResultHandle result(PQexec(conn_, "COMMIT"));
  SG_ASSIGN_OR_RETURN(Rows done, Check(std::move(result), "COMMIT"));
  if (done.CommandStatus() != "COMMIT") {
    return tl::unexpected(
        DatabaseError("COMMIT", "the transaction had failed and was rolled back"));
  }
  return {};
}

Result<void> Connection::RollBack(std::string_view after) {
  if (!InTransaction()) return {};
  if (auto done = Exec("ROLLBACK"); !done) {
    spdlog::error("storage: ROLLBACK after {} failed: {}", after, done.error().detail);
    return done;
  }
  return {};
}

}  // namespace socialgate::store::postgres
