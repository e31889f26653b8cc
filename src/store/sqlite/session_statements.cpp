#include "store/sqlite/session_statements.hpp"

#include <string>

namespace socialgate::store::sqlite {

using core::Result;

Result<Written> CreateSession(Connection& db, const Session& session) {
  {
    SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare("DELETE FROM sessions WHERE expires_at <= ?"));
    Statement s(stmt);
    s.Bind(session.created_at_ms);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("purge sessions"));
  }
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("INSERT INTO sessions(token_hash, domain, user_name, created_at, expires_at) "
                 "VALUES(?,?,?,?,?)"));
  Statement s(stmt);
  s.Bind(session.token_hash)
      .Bind(session.domain)
      .Bind(session.user)
      .Bind(session.created_at_ms)
      .Bind(session.expires_at_ms);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("insert session"));
  return Written{};
}

Result<std::optional<Session>> FindSession(Connection& db, std::string_view token_hash,
                                           std::int64_t now_ms) {
  SG_ASSIGN_OR_RETURN(auto stmt,
                      db.Prepare("SELECT domain, user_name, created_at, expires_at FROM sessions "
                                 "WHERE token_hash = ? AND expires_at > ?"));
  Statement s(stmt);
  s.Bind(token_hash).Bind(now_ms);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<Session>();
  if (rc != SQLITE_ROW) return tl::unexpected(db.Error("find session"));
  return std::optional<Session>(
      Session{std::string(token_hash), s.Text(0), s.Text(1), s.Int64(2), s.Int64(3)});
}

Result<Written> DeleteSession(Connection& db, const SessionDeletion& deletion) {
  SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare("DELETE FROM sessions WHERE token_hash = ?"));
  Statement s(stmt);
  s.Bind(deletion.token_hash);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("delete session"));
  Written written;
  written.changed = db.Changes();
  return written;
}

Result<Written> SaveTrustedAddress(Connection& db, const TrustedAddressSave& save) {
  {
    SG_ASSIGN_OR_RETURN(auto stmt,
                        db.Prepare("DELETE FROM trusted_addresses WHERE last_success_at < ?"));
    Statement s(stmt);
    s.Bind(save.forget_before_ms);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("forget old trusted addresses"));
  }
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("INSERT INTO trusted_addresses(domain, user_name, address, last_success_at) "
                 "VALUES(?,?,?,?) ON CONFLICT(domain, user_name, address) DO UPDATE SET "
                 "last_success_at = max(last_success_at, excluded.last_success_at)"));
  Statement s(stmt);
  const TrustedAddress& t = save.trusted;
  s.Bind(t.domain).Bind(t.user).Bind(t.address).Bind(t.last_success_ms);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("save trusted address"));
  return Written{};
}

Result<std::vector<TrustedAddress>> ListTrustedAddresses(Connection& db, std::int64_t since_ms,
                                                         int limit) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("SELECT domain, user_name, address, last_success_at FROM trusted_addresses "
                 "WHERE last_success_at >= ? ORDER BY last_success_at DESC LIMIT ?"));
  Statement s(stmt);
  s.Bind(since_ms).Bind(static_cast<std::int64_t>(limit));
  std::vector<TrustedAddress> out;
  int rc = SQLITE_ROW;
  while ((rc = s.Step()) == SQLITE_ROW) {
    out.push_back(TrustedAddress{s.Text(0), s.Text(1), s.Text(2), s.Int64(3)});
  }
  if (rc != SQLITE_DONE) return tl::unexpected(db.Error("list trusted addresses"));
  return out;
}

}  // namespace socialgate::store::sqlite
