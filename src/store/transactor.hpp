// File: store/transactor.hpp
//
// What an engine gives the group committer (group_committer.hpp): its write connection's
// transactions and savepoints, and the application of one write record inside them. The
// committer decides how writes are batched and which are undone; the engine only runs SQL.
//
// Thread safety: the committer calls everything but Hold from inside Hold's `batch`, on one
// thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/write.hpp"

namespace socialgate::store {

class Transactor {
 public:
  virtual ~Transactor() = default;
  Transactor() = default;
  Transactor(const Transactor&) = delete;
  Transactor& operator=(const Transactor&) = delete;
  Transactor(Transactor&&) = delete;
  Transactor& operator=(Transactor&&) = delete;

  // Runs `batch` with the write connection held (no read runs on it meanwhile), then whatever
  // upkeep the engine does between batches.
  virtual void Hold(const std::function<void()>& batch) = 0;

  // Rolls back the open transaction, if there is one. A ROLLBACK that fails leaves the
  // connection in a state nobody knows (its transaction may still be open, holding writes nobody
  // will commit): that is logged with the engine's message and returned, and no write of the
  // transaction may be reported as stored. `after` names what failed, for the log.
  virtual core::Result<void> RollBack(std::string_view after) = 0;

  // Opens the batch's transaction.
  virtual core::Result<void> Begin() = 0;

  // Applies one write in the open transaction (or savepoint).
  virtual core::Result<Written> Apply(const Write& write) = 0;

  // Applies a batch in the open transaction, filling `results` (one per write, already sized),
  // as Apply would one by one; an engine may take fewer round trips (PostgreSQL inserts a
  // batch's new messages with one statement). True when every write that failed left nothing
  // of itself in the transaction: the committer commits the others. False when the transaction
  // holds part of a failed write, or the engine rolled it back (InTransaction): the committer
  // rolls back and applies each write under a savepoint. This default applies each write and
  // stops at the first failure.
  virtual bool ApplyAll(const std::vector<const Write*>& batch,
                        std::vector<core::Result<Written>>& results) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      results[i] = Apply(*batch[i]);
      if (!results[i] || !InTransaction()) return false;
    }
    return true;
  }

  // False when the engine has rolled the open transaction back by itself (SQLite does on a full
  // disk or an I/O error): every write of it is gone.
  virtual bool InTransaction() = 0;

  // One write's savepoint: opened before it, then released, or rolled back to and released.
  virtual core::Result<void> Savepoint() = 0;
  virtual core::Result<void> RollBackToSavepoint() = 0;
  virtual core::Result<void> ReleaseSavepoint() = 0;

  // COMMITs the open transaction (one fsync); once it is durable, the outbox depth the engine
  // keeps moves by `outbox_depth_change`.
  virtual core::Result<void> Commit(std::int64_t outbox_depth_change) = 0;

  // The error of a write that succeeded in a transaction rolled back under it.
  virtual core::Error RolledBack() = 0;
};

}  // namespace socialgate::store
