// File: store/sqlite/callback_statements.hpp
//
// The SQL of callbacks to callers in SQLite (table callbacks; store/callbacks.hpp). Every
// function needs the connection's mutex held; the writes run on the committer, inside its
// transaction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/callbacks.hpp"
#include "store/sqlite/connection.hpp"
#include "store/write.hpp"

namespace socialgate::store::sqlite {

// The domains whose changes become callbacks, as the statements take them.
struct CallbackDomains {
  std::vector<std::string> names;
  std::string json;  // names as a JSON array, for json_each
};

// The callback of message `id`'s change to `status`, when the message's domain is one of
// `domains` (nothing at all when there are none).
core::Result<void> AddCallback(Connection& db, const CallbackDomains& domains, std::string_view id,
                               core::MessageStatus status, std::int64_t at_ms,
                               std::string_view source, std::string_view error_code,
                               std::string_view error_message, std::int64_t now_ms);

// Fills Written::callbacks. Every 256th claim (counted in `claims`) also deletes old ones.
core::Result<Written> ClaimCallbacks(Connection& db, const CallbackClaim& claim,
                                     std::uint64_t& claims);
core::Result<Written> RecordCallback(Connection& db, const CallbackOutcome& outcome);
core::Result<std::vector<CallbackRecord>> ListCallbacks(Connection& db, const CallbackQuery& q);

}  // namespace socialgate::store::sqlite
