// File: store/sqlite/reader_pool.hpp
//
// Read-only connections to a database file in WAL mode, shared by the engine's reads that
// callers wait on (a message's status, the message list, transcripts, callbacks). In WAL mode a
// reader never waits for the writer nor the writer for a reader, so a slow read (a list page that
// scans the domain's messages for a rare status) holds up neither the committer's writes nor
// the other reads; on the writer's own connection it held up everything. Each read sees what
// was committed when it began, so an answered write is always seen by a later read; each read
// runs in one read transaction, so its statements see one state. A long read keeps the WAL from
// starting over while it runs; the checkpointer bounds the WAL then (checkpointer.hpp).
//
// A call waits for a free connection at most kWait, then fails with kUnavailable.
// Thread safety: With may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "store/sqlite/connection.hpp"

namespace socialgate::store::sqlite {

class ReaderPool {
 public:
  static constexpr auto kWait = std::chrono::seconds(5);

  // `size` read-only connections to the database file at `path` (in WAL mode already).
  static core::Result<std::unique_ptr<ReaderPool>> Open(const std::string& path, int size);

  // Runs `read` with a connection of the pool to itself.
  template <class Read>
  auto With(Read&& read) -> decltype(read(std::declval<Connection&>())) {
    std::unique_ptr<Connection> connection;
    {
      std::unique_lock lock(mutex_);
      if (!freed_.wait_for(lock, kWait, [this] { return !free_.empty(); })) {
        return core::MakeError(core::ErrorCode::kUnavailable, "storage is busy, try again later",
                               "no SQLite read connection was free within 5 s");
      }
      connection = std::move(free_.back());
      free_.pop_back();
    }
    // One read transaction: a read of several statements (a message, then its media and its
    // history) sees one snapshot, whatever commits meanwhile.
    using ReadResult = decltype(read(std::declval<Connection&>()));
    ReadResult result = [&]() -> ReadResult {
      SG_RETURN_IF_ERROR(connection->ExecPrepared("BEGIN"));
      ReadResult got = read(*connection);
      // COMMIT of a read transaction ends it; were it to fail, ROLLBACK ends it.
      if (!connection->ExecPrepared("COMMIT")) (void)connection->RollBack("a read");
      return got;
    }();
    {
      std::lock_guard lock(mutex_);
      free_.push_back(std::move(connection));
    }
    freed_.notify_one();
    return result;
  }

 private:
  explicit ReaderPool(std::vector<std::unique_ptr<Connection>> connections)
      : free_(std::move(connections)) {}

  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Connection>> free_;
};

}  // namespace socialgate::store::sqlite
