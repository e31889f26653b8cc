// File: store/postgres/session_statements.hpp
//
// The SQL of login sessions (table sessions) and of the addresses users are trusted from (table
// trusted_addresses) in PostgreSQL, as store/sqlite/session_statements.hpp does for SQLite. A
// session stored by one instance is found by every other: a user logs in on one and sends
// through another.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/postgres/connection.hpp"
#include "store/sessions.hpp"
#include "store/trusted_addresses.hpp"
#include "store/write.hpp"

namespace socialgate::store::postgres {

// Removes the sessions expired when `session` was created, then stores it.
core::Result<Written> CreateSession(Connection& db, const Session& session);
core::Result<std::optional<Session>> FindSession(Connection& db, std::string_view token_hash,
                                                 std::int64_t now_ms);
// Written::changed: how many were deleted.
core::Result<Written> DeleteSession(Connection& db, const SessionDeletion& deletion);
// Forgets the addresses last trusted before save.forget_before_ms, then records save.trusted.
core::Result<Written> SaveTrustedAddress(Connection& db, const TrustedAddressSave& save);
core::Result<std::vector<TrustedAddress>> ListTrustedAddresses(Connection& db,
                                                               std::int64_t since_ms, int limit);

}  // namespace socialgate::store::postgres
