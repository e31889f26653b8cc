#include "store/group_committer.hpp"

#include <chrono>
#include <future>
#include <utility>

#include "obs/metrics.hpp"
#include "util/thread_name.hpp"

namespace socialgate::store {

using core::Result;

GroupCommitter::~GroupCommitter() { Stop(); }

void GroupCommitter::Start(const std::string& thread_name) {
  std::lock_guard lock(queue_mutex_);
  thread_ = std::thread([this, thread_name] {
    util::NameThisThread(thread_name.c_str());
    Run();
  });
  thread_id_ = thread_.get_id();  // before any other thread can queue a write
  started_ = true;
}

void GroupCommitter::Stop() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();  // drains the queue first
    return;
  }
  // Never started: nothing will commit what waits, but every `done` still gets its answer.
  std::deque<Job> unanswered;
  {
    std::lock_guard lock(queue_mutex_);
    unanswered.swap(queue_);
  }
  for (auto& job : unanswered) {
    if (job.done) {
      job.done(core::MakeError(core::ErrorCode::kUnavailable, "storage is unavailable",
                               "the store closed before its committer started"));
    }
  }
}

void GroupCommitter::WriteAsync(Write write, Done done) {
  const WhenFull when_full = WhenFullFor(write);
  {
    std::unique_lock lock(queue_mutex_);
    const bool room = when_full == WhenFull::kQueue || queue_.size() < kMaxQueuedWrites;
    if (room && !stopping_) {
      queue_.push_back(Job{std::move(write), std::move(done)});
      lock.unlock();
      queue_cv_.notify_one();
      return;
    }
  }
  done(core::MakeError(core::ErrorCode::kUnavailable, "storage is busy, try again later",
                       "the write queue is full or the store is closing"));
}

Result<Written> GroupCommitter::WriteAndWait(Write write) {
  bool inline_batch = false;
  {
    std::lock_guard lock(queue_mutex_);
    inline_batch = !started_ || std::this_thread::get_id() == thread_id_;
  }
  if (inline_batch) {
    // From a `done` callback (or before the committer runs): a batch of one, here.
    std::vector<Result<Written>> results;
    engine_.Hold([&] { CommitBatch({&write}, results); });
    return std::move(results.front());
  }
  std::promise<Result<Written>> answer;
  auto answered = answer.get_future();
  WriteAsync(std::move(write), [&answer](Result<Written> r) { answer.set_value(std::move(r)); });
  return answered.get();
}

void GroupCommitter::Drain() {
  std::promise<void> drained;
  auto done = drained.get_future();
  {
    std::lock_guard lock(queue_mutex_);
    if (!started_ || ended_ || std::this_thread::get_id() == thread_id_) return;
    queue_.push_back(
        Job{std::nullopt, [&drained](const Result<Written>&) { drained.set_value(); }});
  }
  queue_cv_.notify_one();
  done.wait();
}

namespace {

// What each batch costs and holds; storage errors for the alert rules.
struct CommitMetrics {
  obs::Histogram& duration;
  obs::Histogram& writes;
  obs::Counter& failed_writes;

  static CommitMetrics& Get() {
    static CommitMetrics metrics{
        obs::DefaultRegistry()
            .AddHistogram("socialgate_storage_commit_duration_seconds",
                          "Time to write and commit one batch of the store's writes (one "
                          "transaction, one fsync).",
                          {}, obs::LatencyBuckets())
            .Get(),
        obs::DefaultRegistry()
            .AddHistogram("socialgate_storage_commit_batch_writes",
                          "Writes committed together in one transaction.", {},
                          {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024})
            .Get(),
        obs::DefaultRegistry()
            .AddCounter("socialgate_storage_write_errors_total",
                        "Writes the store could not commit because the database failed or was "
                        "unavailable.")
            .Get()};
    return metrics;
  }
};

}  // namespace

void GroupCommitter::Run() {
  CommitMetrics& metrics = CommitMetrics::Get();
  std::vector<Job> jobs;
  std::vector<const Write*> batch;
  std::vector<Result<Written>> results;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {  // stopping, and every write has been answered
        ended_ = true;
        return;
      }
      std::size_t writes = 0;
      while (!queue_.empty() && writes < kMaxBatch) {
        if (queue_.front().write) ++writes;
        jobs.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    for (auto& job : jobs) {  // once `jobs` no longer moves
      if (job.write) batch.push_back(&*job.write);
    }
    if (!batch.empty()) {
      const auto started = std::chrono::steady_clock::now();
      engine_.Hold([&] { CommitBatch(batch, results); });
      metrics.duration.Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      metrics.writes.Observe(static_cast<double>(batch.size()));
      for (const auto& r : results) {
        // A duplicate or a row not found is the write's own answer, not the database failing.
        if (!r && (r.error().code == core::ErrorCode::kUnavailable ||
                   r.error().code == core::ErrorCode::kInternal)) {
          metrics.failed_writes.Add();
        }
      }
    }
    // The writes' answers in their order, then the Drains that came with them.
    std::size_t next = 0;
    for (auto& job : jobs) {
      if (job.write && job.done) job.done(std::move(results[next]));
      if (job.write) ++next;
    }
    for (auto& job : jobs) {
      if (!job.write) job.done(Written{});
    }
    jobs.clear();
    batch.clear();
  }
}

void GroupCommitter::CommitBatch(const std::vector<const Write*>& batch,
                                 std::vector<Result<Written>>& results) {
  // A transaction still open here was left by a ROLLBACK that failed: it is undone before
  // anything is written, and while it cannot be, nothing is (see Transactor::RollBack).
  if (auto undone = engine_.RollBack("an earlier failure"); !undone) {
    results.assign(batch.size(), Result<Written>(tl::unexpected(undone.error())));
    return;
  }
  results.assign(batch.size(), Result<Written>());
  if (CommitWithoutSavepoints(batch, results)) return;
  results.assign(batch.size(), Result<Written>());
  CommitWithSavepoints(batch, results);
}

bool GroupCommitter::CommitWithoutSavepoints(const std::vector<const Write*>& batch,
                                             std::vector<Result<Written>>& results) {
  if (auto begun = engine_.Begin(); !begun) {
    for (auto& r : results) r = tl::unexpected(begun.error());
    return true;
  }
  const bool clean = engine_.ApplyAll(batch, results);
  if (clean && engine_.InTransaction()) {
    // Every failed write left nothing behind: the others are committed.
    std::int64_t depth_change = 0;
    for (const auto& r : results) {
      if (r) depth_change += r->outbox_depth_change;
    }
    Commit(results, depth_change);
    return true;
  }
  // A failed write left part of itself, or the engine rolled the transaction back (a full disk,
  // an I/O error, a lost connection).
  if (auto undone = engine_.RollBack("a failed write"); !undone) {
    // What the transaction holds is unknown: no write of the batch is reported stored, and
    // none runs again into it.
    for (auto& r : results) {
      if (r) r = tl::unexpected(undone.error());
    }
    return true;
  }
  if (batch.size() > 1) return false;  // again with savepoints, so the failed write fails alone
  if (results[0]) results[0] = tl::unexpected(engine_.RolledBack());
  return true;
}

void GroupCommitter::CommitWithSavepoints(const std::vector<const Write*>& batch,
                                          std::vector<Result<Written>>& results) {
  const auto fail_all = [&](const core::Error& error) {
    for (auto& r : results) r = tl::unexpected(error);
  };
  std::int64_t depth_change = 0;  // of the writes kept so far
  if (auto begun = engine_.Begin(); !begun) return fail_all(begun.error());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (auto saved = engine_.Savepoint(); !saved) {
      (void)engine_.RollBack("a failed SAVEPOINT");  // every write fails, whatever it says
      return fail_all(saved.error());
    }
    results[i] = engine_.Apply(*batch[i]);
    if (!engine_.InTransaction()) {
      // The engine rolled the whole transaction back (a full disk, an I/O error): the writes
      // before this one are gone too, so none of the batch may be reported as stored.
      return fail_all(results[i] ? engine_.RolledBack() : results[i].error());
    }
    // A failed write is undone alone. If even that fails, what the batch holds is unknown:
    // roll it all back and report every write as not stored.
    Result<void> closed = results[i] ? Result<void>() : engine_.RollBackToSavepoint();
    if (closed) closed = engine_.ReleaseSavepoint();
    if (!closed) {
      (void)engine_.RollBack("a failed RELEASE or ROLLBACK TO");  // as above
      return fail_all(closed.error());
    }
    if (results[i]) depth_change += results[i]->outbox_depth_change;
  }
  Commit(results, depth_change);
}

void GroupCommitter::Commit(std::vector<Result<Written>>& results,
                            std::int64_t outbox_depth_change) {
  if (auto committed = engine_.Commit(outbox_depth_change); !committed) {
    (void)engine_.RollBack("a failed COMMIT");  // every write fails, whatever it says
    for (auto& r : results) {
      if (r) r = tl::unexpected(committed.error());
    }
  }
}

}  // namespace socialgate::store
