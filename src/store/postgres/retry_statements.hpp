// File: store/postgres/retry_statements.hpp
//
// Outbox::RetryMessage in PostgreSQL: a failed message back in the queue, with a `queued` event
// in its history, as store/sqlite/retry_statements.hpp does for SQLite. A write: it runs on the
// committer, inside its transaction.
#pragma once

#include "core/error.hpp"
#include "store/postgres/connection.hpp"
#include "store/records.hpp"
#include "store/write.hpp"

namespace socialgate::store::postgres {

// Written::retried says what it did; Written::outbox_depth_change is +1 when it requeued.
core::Result<Written> RetryMessage(Connection& db, const MessageRetry& retry);

}  // namespace socialgate::store::postgres
