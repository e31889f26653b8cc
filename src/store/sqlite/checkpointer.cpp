#include "store/sqlite/checkpointer.hpp"

#include <chrono>

#include "util/thread_name.hpp"

namespace socialgate::store::sqlite {
namespace {

int OnCommit(void* self, sqlite3* /*db*/, const char* /*schema*/, int wal_pages) {
  static_cast<Checkpointer*>(self)->Committed(wal_pages);
  return SQLITE_OK;
}

}  // namespace

core::Result<std::unique_ptr<Checkpointer>> Checkpointer::Start(const std::string& path,
                                                                sqlite3* writer) {
  std::unique_ptr<Checkpointer> c(new Checkpointer());
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &c->db_, flags, nullptr) != SQLITE_OK) {
    std::string detail = c->db_ != nullptr ? sqlite3_errmsg(c->db_) : "out of memory";
    sqlite3_close_v2(c->db_);
    c->db_ = nullptr;
    return core::MakeError(core::ErrorCode::kUnavailable,
                           "cannot open the SQLite database '" + path + "' to checkpoint it",
                           detail);
  }
  // Its own commits never happen; its checkpoints sync the WAL and the database file as the
  // writer's would (synchronous=FULL).
  sqlite3_exec(c->db_, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);
  sqlite3_busy_timeout(c->db_, kCapWaitMs);  // only a RESTART checkpoint waits
  c->thread_ = std::thread([raw = c.get()] {
    util::NameThisThread("sg-checkpoint");
    raw->Run();
  });
  sqlite3_wal_hook(writer, &OnCommit, c.get());
  return c;
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  sqlite3_close_v2(db_);
}

void Checkpointer::Committed(int wal_pages) {
  wal_pages_.store(wal_pages, std::memory_order_relaxed);
  if (wal_pages - copied_pages_.load(std::memory_order_relaxed) >= kCopyAtPages) {
    wake_.notify_one();
  }
}

void Checkpointer::RestartIfLarge(sqlite3* writer) {
  if (wal_pages_.load(std::memory_order_relaxed) < kRestartAtPages) return;
  int log = 0;
  int copied = 0;
  // SQLITE_BUSY while this thread's checkpoint runs: the next batch tries again.
  sqlite3_wal_checkpoint_v2(writer, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
}

void Checkpointer::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    // Woken at the threshold; otherwise once a second, so a quiet gateway's WAL is copied
    // back soon after the last write.
    wake_.wait_for(lock, std::chrono::seconds(1));
    if (stopping_) break;
    const int pages = wal_pages_.load(std::memory_order_relaxed);
    int copied = copied_pages_.load(std::memory_order_relaxed);
    if (pages < copied) copied = 0;  // the WAL was started over
    if (pages == copied) continue;
    lock.unlock();
    int log = 0;
    int done = 0;
    // RESTART waits in the busy handler (kCapWaitMs) for the reads in the way, then SQLITE_BUSY.
    const int mode = pages >= kCapPages ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE;
    const int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, mode, &log, &done);
    copied_pages_.store(rc == SQLITE_OK && done >= 0 ? done : copied, std::memory_order_relaxed);
    lock.lock();
  }
}

}  // namespace socialgate::store::sqlite
