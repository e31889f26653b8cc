// File: store/postgres/idempotency_statements.hpp
//
// The SQL of Idempotency-Keys in PostgreSQL (table idempotency_keys), as
// store/sqlite/idempotency_statements.hpp does for SQLite. Two instances storing the same key
// at once meet at its primary key: the second waits for the first's transaction and then finds
// the key in use.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/error.hpp"
#include "store/idempotency_keys.hpp"
#include "store/postgres/connection.hpp"
#include "store/write.hpp"

namespace socialgate::store::postgres {

// The key of `m` (which has one), for its message (stored first): kAlreadyExists when the key
// is in use in the domain. A key older than a day is free again: its old record is replaced.
core::Result<void> InsertIdempotencyKey(Connection& db, const NewMessage& m);
// Deletes the keys expired at `now_ms`.
core::Result<void> PurgeIdempotencyKeys(Connection& db, std::int64_t now_ms);
core::Result<std::optional<IdempotencyRecord>> FindIdempotencyKey(Connection& db,
                                                                  std::string_view domain,
                                                                  std::string_view key,
                                                                  std::int64_t now_ms);
core::Result<Written> SaveIdempotentAnswer(Connection& db, const IdempotentAnswer& answer);

}  // namespace socialgate::store::postgres
