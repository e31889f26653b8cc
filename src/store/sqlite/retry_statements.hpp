// File: store/sqlite/retry_statements.hpp
//
// Outbox::RetryMessage in SQLite: a failed message back in the queue, with a `queued` event in
// its history. A write: it runs on the committer, inside its transaction.
#pragma once

#include "core/error.hpp"
#include "store/records.hpp"
#include "store/sqlite/connection.hpp"
#include "store/write.hpp"

namespace socialgate::store::sqlite {

// Written::retried says what it did; Written::outbox_depth_change is +1 when it requeued.
core::Result<Written> RetryMessage(Connection& db, const MessageRetry& retry);

}  // namespace socialgate::store::sqlite
