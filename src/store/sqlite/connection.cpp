#include "store/sqlite/connection.hpp"

#include <spdlog/spdlog.h>

namespace socialgate::store::sqlite {

using core::Result;

std::string Statement::Text(int col) const {
  const unsigned char* t = sqlite3_column_text(stmt_, col);
  return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t));
}

Result<sqlite3_stmt*> Connection::Prepare(const char* sql) {
  for (auto& [text, stmt] : statements_) {
    if (text == sql) return stmt.get();
  }
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) !=
      SQLITE_OK) {
    return tl::unexpected(Error("prepare"));
  }
  statements_.emplace_back(sql, StmtHandle(raw));
  return raw;
}

Result<void> Connection::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string detail = err != nullptr ? err : "unknown";
    sqlite3_free(err);
    return core::MakeError(core::ErrorCode::kUnavailable, "storage is unavailable, try again later",
                           "exec: " + detail);
  }
  return {};
}

Result<void> Connection::ExecPrepared(const char* sql) {
  SG_ASSIGN_OR_RETURN(auto stmt, Prepare(sql));
  Statement s(stmt);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(Error(sql));
  return {};
}

core::Error Connection::Error(std::string_view what) const {
  const int rc = sqlite3_extended_errcode(db_.get());
  return core::Error{
      core::ErrorCode::kUnavailable, "storage is unavailable, try again later",
      std::string(what) + ": " + sqlite3_errmsg(db_.get()) + " (rc " + std::to_string(rc) + ")"};
}

Result<void> Connection::RollBack(std::string_view after) {
  if (!InTransaction()) return {};
  if (sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr) == SQLITE_OK) return {};
  core::Error error = Error("ROLLBACK after " + std::string(after));
  spdlog::error("store: {}; the connection's state is unknown", error.detail);
  return tl::unexpected(std::move(error));
}

}  // namespace socialgate::store::sqlite
