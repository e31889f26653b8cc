#include "store/sqlite/idempotency_statements.hpp"

namespace socialgate::store::sqlite {

using core::Result;

Result<void> InsertIdempotencyKey(Connection& db, const NewMessage& m) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("INSERT INTO idempotency_keys(domain, key, message_id, request_hash, created_at) "
                 "VALUES(?,?,?,?,?) ON CONFLICT(domain, key) DO UPDATE SET message_id = "
                 "excluded.message_id, "
                 "request_hash = excluded.request_hash, answer_status = NULL, answer_body = NULL, "
                 "created_at = excluded.created_at WHERE idempotency_keys.created_at < ?"));
  Statement s(stmt);
  s.Bind(m.domain)
      .Bind(m.idempotency->key)
      .Bind(m.id)
      .Bind(m.idempotency->request_hash)
      .Bind(m.now_ms)
      .Bind(m.now_ms - kIdempotencyKeyLifetimeMs);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("insert key"));
  if (db.Changes() == 0) {
    return core::MakeError(core::ErrorCode::kAlreadyExists, "Idempotency-Key: is already in use");
  }
  return {};
}

Result<void> PurgeIdempotencyKeys(Connection& db, std::int64_t now_ms) {
  SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare("DELETE FROM idempotency_keys WHERE created_at < ?"));
  Statement s(stmt);
  s.Bind(now_ms - kIdempotencyKeyLifetimeMs);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("purge keys"));
  return {};
}

Result<std::optional<IdempotencyRecord>> FindIdempotencyKey(Connection& db, std::string_view domain,
                                                            std::string_view key,
                                                            std::int64_t now_ms) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare(
          "SELECT message_id, request_hash, answer_status, answer_body FROM idempotency_keys "
          "WHERE domain = ? AND key = ? AND created_at >= ?"));
  Statement s(stmt);
  s.Bind(domain).Bind(key).Bind(now_ms - kIdempotencyKeyLifetimeMs);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<IdempotencyRecord>();
  if (rc != SQLITE_ROW) return tl::unexpected(db.Error("find key"));
  IdempotencyRecord r;
  r.message_id = s.Text(0);
  r.request_hash = s.Text(1);
  if (!s.IsNull(2)) r.answer_status = s.Int(2);
  r.answer_body = s.Text(3);
  return std::optional<IdempotencyRecord>(std::move(r));
}

Result<Written> SaveIdempotentAnswer(Connection& db, const IdempotentAnswer& a) {
  SG_ASSIGN_OR_RETURN(auto stmt,
                      db.Prepare("UPDATE idempotency_keys SET answer_status = ?, answer_body = ? "
                                 "WHERE domain = ? AND key = ? AND answer_status IS NULL"));
  Statement s(stmt);
  s.Bind(static_cast<std::int64_t>(a.status)).Bind(a.body).Bind(a.domain).Bind(a.key);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("save answer"));
  return Written{};
}

}  // namespace socialgate::store::sqlite
