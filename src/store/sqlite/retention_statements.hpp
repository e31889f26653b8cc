// File: store/sqlite/retention_statements.hpp
//
// The SQL of the message retention in SQLite: Conversations::DeleteOldMessages's batch and
// Storage::ReclaimSpace's incremental vacuum. Both need the connection's mutex held and run on
// the committer, inside its transaction.
#pragma once

#include <cstdint>

#include "core/error.hpp"
#include "store/sqlite/connection.hpp"
#include "store/write.hpp"

namespace socialgate::store::sqlite {

// Conversations::DeleteOldMessages's write.
core::Result<Written> DeleteOldMessages(Connection& db, const MessageDeletion& deletion);

// Storage::ReclaimSpace's write: PRAGMA incremental_vacuum of up to max_pages free pages, on a
// database whose auto_vacuum is INCREMENTAL (nothing on another); Written::changed the pages
// given back.
core::Result<Written> ReclaimSpace(Connection& db, std::int64_t max_pages);

}  // namespace socialgate::store::sqlite
