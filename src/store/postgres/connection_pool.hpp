// File: store/postgres/connection_pool.hpp
//
// The connections the reads share (the writes have the committer's own): a call waits for a
// free one at most kWait, then fails with kUnavailable. A connection the server dropped is
// reopened when it is next taken (Connection::Reconnect), so the pool recovers by itself once
// the database is back; a read that finds its connection closed is run once more on a new one.
//
// Thread safety: With may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "store/postgres/connection.hpp"

namespace socialgate::store::postgres {

class ConnectionPool {
 public:
  static constexpr auto kWait = std::chrono::seconds(5);

  explicit ConnectionPool(std::vector<std::unique_ptr<Connection>> connections)
      : free_(std::move(connections)) {}

  // Runs `read` with a connection of the pool to itself.
  template <class Read>
  auto With(Read&& read) -> decltype(read(std::declval<Connection&>())) {
    using ReadResult = decltype(read(std::declval<Connection&>()));
    std::unique_ptr<Connection> connection;
    {
      std::unique_lock lock(mutex_);
      if (!freed_.wait_for(lock, kWait, [this] { return !free_.empty(); })) {
        return core::MakeError(core::ErrorCode::kUnavailable, "storage is busy, try again later",
                               "no database connection was free within 5 s");
      }
      connection = std::move(free_.back());
      free_.pop_back();
    }
    ReadResult result = [&]() -> ReadResult {
      SG_RETURN_IF_ERROR(connection->Reconnect());
      ReadResult first = read(*connection);
      if (first || !connection->Broken()) return first;
      // Closed by the server while idle (it shows only when used): a read is safe to repeat.
      SG_RETURN_IF_ERROR(connection->Reconnect());
      return read(*connection);
    }();
    {
      std::lock_guard lock(mutex_);
      free_.push_back(std::move(connection));
    }
    freed_.notify_one();
    return result;
  }

 private:
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Connection>> free_;
};

}  // namespace socialgate::store::postgres
