#include "store/postgres/idempotency_statements.hpp"

namespace socialgate::store::postgres {
namespace {

using core::Result;

const Sql kInsertKey{
    "insert_idempotency_key",
    "INSERT INTO idempotency_keys(domain, key, message_id, request_hash, created_at) "
    "VALUES($1, $2, $3, $4, $5) ON CONFLICT (domain, key) DO UPDATE SET "
    "message_id = excluded.message_id, request_hash = excluded.request_hash, "
    "answer_status = NULL, answer_body = NULL, created_at = excluded.created_at "
    "WHERE idempotency_keys.created_at < $6"};
const Sql kPurgeKeys{"purge_idempotency_keys",
                     "DELETE FROM idempotency_keys WHERE created_at < $1"};
const Sql kFindKey{"find_idempotency_key",
                   "SELECT message_id, request_hash, answer_status, answer_body "
                   "FROM idempotency_keys WHERE domain = $1 AND key = $2 AND created_at >= $3"};
const Sql kSaveAnswer{"save_idempotent_answer",
                      "UPDATE idempotency_keys SET answer_status = $1, answer_body = $2 "
                      "WHERE domain = $3 AND key = $4 AND answer_status IS NULL"};

}  // namespace

Result<void> InsertIdempotencyKey(Connection& db, const NewMessage& m) {
  Params p;
  p.Text(m.domain)
      .Text(m.idempotency->key)
      .Text(m.id)
      .Text(m.idempotency->request_hash)
      .Int(m.now_ms)
      .Int(m.now_ms - kIdempotencyKeyLifetimeMs);
  SG_ASSIGN_OR_RETURN(Rows done, db.Run(kInsertKey, p));
  if (done.Changed() == 0) {
    return core::MakeError(core::ErrorCode::kAlreadyExists, "Idempotency-Key: is already in use");
  }
  return {};
}

Result<void> PurgeIdempotencyKeys(Connection& db, std::int64_t now_ms) {
  Params p;
  p.Int(now_ms - kIdempotencyKeyLifetimeMs);
  SG_RETURN_IF_ERROR(db.Run(kPurgeKeys, p));
  return {};
}

Result<std::optional<IdempotencyRecord>> FindIdempotencyKey(Connection& db, std::string_view domain,
                                                            std::string_view key,
                                                            std::int64_t now_ms) {
  Params p;
  p.Text(domain).Text(key).Int(now_ms - kIdempotencyKeyLifetimeMs);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kFindKey, p));
  if (rows.size() == 0) return std::optional<IdempotencyRecord>();
  IdempotencyRecord r;
  r.message_id = rows.Text(0, 0);
  r.request_hash = rows.Text(0, 1);
  if (!rows.IsNull(0, 2)) r.answer_status = rows.Int(0, 2);
  r.answer_body = rows.Text(0, 3);
  return std::optional<IdempotencyRecord>(std::move(r));
}

Result<Written> SaveIdempotentAnswer(Connection& db, const IdempotentAnswer& a) {
  Params p;
  p.Int(a.status).Text(a.body).Text(a.domain).Text(a.key);
  SG_RETURN_IF_ERROR(db.Run(kSaveAnswer, p));
  return Written{};
}

}  // namespace socialgate::store::postgres
