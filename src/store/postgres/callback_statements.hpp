// File: store/postgres/callback_statements.hpp
//
// The SQL of callbacks to callers in PostgreSQL (table callbacks; store/callbacks.hpp), as
// store/sqlite/callback_statements.hpp does for SQLite. Claims take rows FOR UPDATE SKIP LOCKED,
// so instances sharing the database never post one callback at once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/callbacks.hpp"
#include "store/postgres/connection.hpp"
#include "store/write.hpp"

namespace socialgate::store::postgres {

// The domains whose changes become callbacks.
using CallbackDomains = std::vector<std::string>;

// The callback of message `id`'s change to `status`, when the message's domain is one of
// `domains` (nothing at all when there are none).
core::Result<void> AddCallback(Connection& db, const CallbackDomains& domains, std::string_view id,
                               core::MessageStatus status, std::int64_t at_ms,
                               std::string_view source, std::string_view error_code,
                               std::string_view error_message, std::int64_t now_ms);

// The same for many messages' acceptance at once (a batch of outcomes).
core::Result<void> AddAcceptedCallbacks(Connection& db, const CallbackDomains& domains,
                                        const std::vector<std::string>& ids, std::int64_t now_ms);

// Fills Written::callbacks. Every 256th claim (counted in `claims`) also deletes old ones.
core::Result<Written> ClaimCallbacks(Connection& db, const CallbackClaim& claim,
                                     std::uint64_t& claims);
core::Result<Written> RecordCallback(Connection& db, const CallbackOutcome& outcome);
core::Result<std::vector<CallbackRecord>> ListCallbacks(Connection& db, const CallbackQuery& q);

}  // namespace socialgate::store::postgres
