// File: store/sqlite/checkpointer.hpp
//
// Copies the WAL back into the database file on its own thread and its own connection, so
// the committer does not stop for it. SQLite's automatic checkpoint runs inside the COMMIT
// that crosses its threshold: every thousand pages the one thread all writes wait for spent
// milliseconds copying pages instead of committing, a tenth of its time under load and the
// ingest run's slowest answers.
//
// The checkpoints are PASSIVE: they copy what no reader still needs and never block the
// writer. SQLite starts the WAL file over only when a write transaction begins with every
// frame copied, which a writer that never pauses may not meet; so once the WAL is large the
// committer itself runs a PASSIVE checkpoint between batches (RestartIfLarge), which finds
// little left to copy and lets the next batch start the file over.
//
// A read keeps the frames written after it began until it ends (reader_pool.hpp), and reads
// that overlap without pause would keep the WAL from ever starting over. Past kCapPages the
// thread's checkpoint is a RESTART instead: it waits (at most kCapWait, new writes waiting with
// it) for the reads running then to end, copies everything and has the next write start the
// file over; the writer's journal_size_limit then cuts the file back.
//
// Thread safety: Committed may be called from any thread; RestartIfLarge on the writer's.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <sqlite3.h>

#include "core/error.hpp"

namespace socialgate::store::sqlite {

class Checkpointer {
 public:
  // Copies once this many pages await copying (SQLite's default threshold).
  static constexpr int kCopyAtPages = 1000;
  // The writer checkpoints itself beyond this many pages in the WAL (16 MiB of 4 KiB pages).
  static constexpr int kRestartAtPages = 4000;
  // Beyond this many pages (64 MiB) the checkpoints wait for the reads in the way.
  static constexpr int kCapPages = 4 * kRestartAtPages;
  static constexpr int kCapWaitMs = 1000;

  // Opens a second connection to the database at `path` (in WAL mode) and starts the thread;
  // sets `writer`'s WAL hook (replacing its automatic checkpoints) to report each commit.
  static core::Result<std::unique_ptr<Checkpointer>> Start(const std::string& path,
                                                           sqlite3* writer);
  // Stops the thread after its current checkpoint; the writer's hook must be gone first
  // (close the writer, or call sqlite3_wal_hook(writer, nullptr, nullptr)).
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;
  Checkpointer(Checkpointer&&) = delete;
  Checkpointer& operator=(Checkpointer&&) = delete;

  // A commit left `wal_pages` pages in the WAL.
  void Committed(int wal_pages);

  // On the writer's connection between transactions: a PASSIVE checkpoint once the WAL holds
  // kRestartAtPages pages. REQUIRES: the writer connection's mutex held.
  void RestartIfLarge(sqlite3* writer);

 private:
  Checkpointer() = default;
  void Run();

  sqlite3* db_ = nullptr;  // the checkpointer's own connection
  std::atomic<int> wal_pages_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<int> copied_pages_{0};  // of wal_pages_, as of the last checkpoint
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace socialgate::store::sqlite
