// File: store/group_committer.hpp
//
// Group commit, for any engine: writes (write.hpp records) from many threads wait in one queue;
// one committer thread takes up to kMaxBatch of them at a time, applies them in one transaction
// through the engine's Transactor, and one COMMIT (one fsync) answers the whole batch.
//
// A batch runs without a savepoint per write (two statements less each), applied by the
// engine's Transactor::ApplyAll (in fewer round trips where the engine can). A write that fails
// leaving nothing of itself behind fails alone and the rest commit. Only when a failed write of
// a batch of several left part of itself is the batch rolled back and run again, now with a
// savepoint per write, so that write fails alone. A ROLLBACK that fails leaves the transaction's
// state unknown: every write of the batch fails, and the next batch rolls back again before it
// writes anything (and fails while it cannot). A write's record is applied again after such a
// rollback: records are data, and what a write produced is returned by each application afresh
// (Written).
//
// While kMaxQueuedWrites writes wait, a write whose WhenFullFor is kRefuse is refused at once with
// kUnavailable (its `done` runs on the caller's thread); every other write is queued.
//
// Thread safety: every method may be called from any thread. `done` runs on the committer
// thread after its batch's COMMIT (or on the caller's, for a refusal) and must not block; a
// WriteAndWait from a `done` runs there and then, as a batch of its own.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "store/transactor.hpp"
#include "store/write.hpp"

namespace socialgate::store {

class GroupCommitter {
 public:
  using Done = std::function<void(core::Result<Written>)>;

  static constexpr std::size_t kMaxBatch = 1024;
  static constexpr std::size_t kMaxQueuedWrites = 65'536;

  // `engine` must outlive the committer. Nothing runs until Start.
  explicit GroupCommitter(Transactor& engine) : engine_(engine) {}
  // Stop().
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;
  GroupCommitter(GroupCommitter&&) = delete;
  GroupCommitter& operator=(GroupCommitter&&) = delete;

  // Starts the committer thread, named `thread_name`. Before it, WriteAndWait runs its write on
  // the caller's thread (a batch of its own); WriteAsync's writes wait in the queue for it.
  void Start(const std::string& thread_name);

  // Answers every queued write (committed, or kUnavailable if the thread never started), then
  // stops the thread; writes after it are refused.
  void Stop();

  // Queues `write`; `done` gets its result (see the file comment).
  void WriteAsync(Write write, Done done);

  // `write`, waiting for its result.
  core::Result<Written> WriteAndWait(Write write);

  // Returns once every write queued before the call has been committed and answered (its `done`
  // has run): at shutdown, before what those callbacks use is torn down. From the committer
  // thread (a `done`), before Start, or once the thread has ended, returns at once.
  void Drain();

 private:
  struct Job {
    std::optional<Write> write;  // nullopt: a Drain, answered after the batch it came with
    Done done;
  };

  void Run();
  // Runs `batch` in one transaction and fills `results`. REQUIRES: inside engine_.Hold.
  void CommitBatch(const std::vector<const Write*>& batch,
                   std::vector<core::Result<Written>>& results);
  // False when a write of a batch of several failed and left part of itself: all was rolled
  // back, for CommitWithSavepoints to run it again so that write is undone alone.
  bool CommitWithoutSavepoints(const std::vector<const Write*>& batch,
                               std::vector<core::Result<Written>>& results);
  void CommitWithSavepoints(const std::vector<const Write*>& batch,
                            std::vector<core::Result<Written>>& results);
  // COMMIT of the open transaction; a failure fails every write that had not.
  void Commit(std::vector<core::Result<Written>>& results, std::int64_t outbox_depth_change);

  Transactor& engine_;
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Job> queue_;
  bool started_ = false;
  bool stopping_ = false;
  bool ended_ = false;  // the committer thread has answered its last job
  std::thread thread_;
  std::thread::id thread_id_;
};

}  // namespace socialgate::store
