// File: store/postgres/retention_statements.hpp
//
// The SQL of the message retention in PostgreSQL: Conversations::DeleteOldMessages's batch. Run
// on the committer, inside its transaction. (Storage::ReclaimSpace has nothing to do here:
// autovacuum makes the deleted rows' space reusable, tuned for these tables by migration 13.)
#pragma once

#include "core/error.hpp"
#include "store/postgres/connection.hpp"
#include "store/write.hpp"

namespace socialgate::store::postgres {

// Conversations::DeleteOldMessages's write.
core::Result<Written> DeleteOldMessages(Connection& db, const MessageDeletion& deletion);

}  // namespace socialgate::store::postgres
