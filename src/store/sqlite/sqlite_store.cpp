#include "store/sqlite/sqlite_store.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "store/sqlite/checkpointer.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/string_array.hpp"
#include "store/status_order.hpp"
#include "util/thread_name.hpp"

namespace socialgate::store::sqlite {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

core::Error SqliteError(sqlite3* db, std::string_view what) {
  const int rc = sqlite3_extended_errcode(db);
  // A full disk or an I/O failure refuses new work (503) rather than failing the request for
  // good: the caller can try again once space is back.
  const ErrorCode code = ErrorCode::kUnavailable;
  return core::Error{
      code, "storage is unavailable, try again later",
      std::string(what) + ": " + sqlite3_errmsg(db) + " (rc " + std::to_string(rc) + ")"};
}

// Rolls back the connection's open transaction, if it has one: SQLite rolls a transaction back
// itself on some errors (a full disk, an I/O error), and then nothing is left to do. A ROLLBACK
// that fails leaves the connection in a state nobody knows (its transaction may still be open,
// holding writes nobody will commit): that is logged with SQLite's message and returned, and no
// write of the transaction may be reported as stored.
Result<void> RollBack(sqlite3* db, std::string_view after) {
  if (sqlite3_get_autocommit(db) != 0) return {};
  if (sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr) == SQLITE_OK) return {};
  core::Error error = SqliteError(db, "ROLLBACK after " + std::string(after));
  spdlog::error("store: {}; the connection's state is unknown", error.detail);
  return tl::unexpected(std::move(error));
}

std::string ToJson(const std::vector<std::string>& v) { return EncodeStringArray(v); }

std::vector<std::string> FromJson(const unsigned char* text) {
  if (text == nullptr) return {};
  return DecodeStringArray(reinterpret_cast<const char*>(text));
}

std::string ColumnText(sqlite3_stmt* s, int col) {
  const unsigned char* t = sqlite3_column_text(s, col);
  return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t));
}

// Counted in the outbox depth (PendingCount).
bool IsPending(std::string_view status) { return status == "queued" || status == "sending"; }

core::MediaKind KindFromName(std::string_view name) {
  if (name == "image") return core::MediaKind::kImage;
  if (name == "video") return core::MediaKind::kVideo;
  return core::MediaKind::kDocument;
}

// A prepared statement with positional binding; reset on destruction so it can be reused.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&&) = delete;
  Statement& operator=(Statement&&) = delete;

  Statement& Bind(std::string_view v) {
    sqlite3_bind_text(stmt_, ++index_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(std::int64_t v) {
    sqlite3_bind_int64(stmt_, ++index_, v);
    return *this;
  }
  // For a large value that outlives the statement's step (this Statement's scope): SQLite reads
  // it in place instead of copying it (a 5 MB image once less in memory).
  Statement& BindBlobInPlace(std::string_view v) {
    sqlite3_bind_blob64(stmt_, ++index_, v.data(), v.size(), SQLITE_STATIC);
    return *this;
  }
  // SQLITE_ROW or SQLITE_DONE, or an error code.
  int Step() { return sqlite3_step(stmt_); }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
  int index_ = 0;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(DbHandle db) : db_(std::move(db)) {}
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  SqliteStore(SqliteStore&&) = delete;
  SqliteStore& operator=(SqliteStore&&) = delete;

  // Starts the committer thread (after Migrate), and for a database file in WAL mode the
  // checkpointer that copies the WAL back into it (see Checkpointer).
  Result<void> StartCommitter(const std::string& path);

  // Store implementation
  Result<void> Insert(const NewMessage& m) override;
  void InsertAsync(NewMessage m, std::function<void(Result<void>)> done) override;
  void Flush() override {
    (void)Write([]() -> Result<void> { return {}; });
  }
  Result<std::optional<IdempotencyRecord>> FindIdempotencyKey(std::string_view domain,
                                                              std::string_view key,
                                                              std::int64_t now_ms) override;
  Result<void> SaveIdempotentAnswer(std::string_view domain, std::string_view key, int status,
                                    std::string_view body) override;
  Result<std::optional<StoredMessage>> Get(std::string_view domain, std::string_view id) override;
  Result<std::vector<StoredMessage>> ClaimDue(
      std::int64_t now_ms, std::string_view owner, std::int64_t lease_ms, int limit,
      const std::vector<std::string>& skip_numbers) override;
  void ClaimDueAsync(std::int64_t now_ms, std::string owner, std::int64_t lease_ms, int limit,
                     std::vector<std::string> skip_numbers,
                     std::function<void(Result<Claim>)> done) override;
  Result<void> Release(std::string_view id, std::string_view owner,
                       std::int64_t next_attempt_at_ms) override;
  Result<std::string> MediaBytes(std::string_view id) override;
  Result<void> ExtendLeases(const std::vector<std::string>& ids, std::string_view owner,
                            std::int64_t lease_until_ms) override;
  Result<void> MarkAccepted(std::string_view id, std::string_view owner,
                            std::string_view provider_message_id, std::string_view wa_id,
                            std::int64_t now_ms) override;
  Result<void> MarkFailed(std::string_view id, std::string_view owner, std::string_view error_code,
                          std::string_view error_message, std::int64_t now_ms) override;
  Result<void> Reschedule(std::string_view id, std::string_view owner,
                          std::int64_t next_attempt_at_ms, std::string_view error_code,
                          std::string_view error_message, std::int64_t now_ms) override;
  void RecordAttemptAsync(AttemptEnd end, std::function<void(Result<void>)> done) override;
  Result<void> RecordDeliveryStatus(std::string_view provider_message_id, std::string_view status,
                                    std::int64_t at_ms, std::string_view detail) override;
  void RecordDeliveryStatusAsync(std::string provider_message_id, std::string status,
                                 std::int64_t at_ms, std::string detail,
                                 std::function<void(Result<void>)> done) override;
  Result<int> ReleaseLeases(std::string_view owner, std::int64_t now_ms) override;
  Result<std::vector<UnfinishedDelivery>> UnfinishedDeliveries(int limit) override;
  Result<void> CreateSession(const Session& session) override;
  Result<std::optional<Session>> FindSession(std::string_view token_hash,
                                             std::int64_t now_ms) override;
  Result<bool> DeleteSession(std::string_view token_hash) override;
  void SaveTrustedAddressAsync(TrustedAddress trusted, std::int64_t forget_before_ms,
                               std::function<void(Result<void>)> done) override;
  Result<std::vector<TrustedAddress>> TrustedAddresses(std::int64_t since_ms, int limit) override;
  Result<std::int64_t> PendingCount() override;

  Result<void> Migrate();

 private:
  // Returns the cached prepared statement for `sql`. REQUIRES: mutex_ held.
  Result<sqlite3_stmt*> Prepare(const char* sql);
  Result<void> Exec(const char* sql);
  Result<void> AddEvent(std::string_view id, std::string_view status, std::int64_t at,
                        std::string_view detail);
  // The end of an attempt. REQUIRES: on the committer, in a savepoint.
  Result<void> RecordAttemptNow(const AttemptEnd& end);
  // A delivery status. REQUIRES: on the committer, in a savepoint.
  Result<void> RecordDeliveryStatusNow(std::string_view provider_message_id,
                                       std::string_view status, std::int64_t at_ms,
                                       std::string_view detail);
  Result<void> FinishNow(std::string_view id, std::string_view owner, std::string_view status,
                         std::int64_t now_ms, const char* sql_with_owner_and_id,
                         const std::function<void(Statement&)>& bind_leading,
                         std::string_view event_detail);
  Result<void> ReleaseNow(std::string_view id, std::string_view owner,
                          std::int64_t next_attempt_at_ms);
  StoredMessage ReadMessageRow(sqlite3_stmt* s);
  // The claim itself, into `claimed`. REQUIRES: on the committer, in a write.
  Result<void> ClaimNow(std::int64_t now_ms, std::string_view owner, std::int64_t lease_ms,
                        int limit, const std::vector<std::string>& skip_numbers,
                        std::vector<StoredMessage>& claimed);
  // The earliest due time or lease expiry; nullopt when none. REQUIRES: mutex_ held.
  Result<std::optional<std::int64_t>> NextDueAtNow();
  Result<void> InsertNow(const NewMessage& m);  // REQUIRES: on the committer, in a savepoint

  // Group commit. Every write runs on the committer thread inside the transaction of its
  // batch, and a write that fails rolls back alone (see CommitWithoutSavepoints); the batch's
  // one COMMIT (one fsync) then answers every write in it. Write() waits for its answer;
  // WriteAsync() gets it through `done`, called on the committer thread after the commit. A
  // write's work may run twice (again after a rollback): what it leaves beside the database
  // must be set afresh each time.
  using Work = std::function<Result<void>()>;
  using Done = std::function<void(Result<void>)>;
  struct Job {
    Work work;
    Done done;
  };
  static constexpr std::size_t kMaxBatch = 1024;

  // What a write does when kMaxQueuedWrites writes are waiting already.
  enum class WhenFull {
    kRefuse,  // a new message: refused at once (the caller answers 503, nothing was accepted)
    kQueue,   // anything else: waits its turn, however long the queue
  };
  // New messages are refused beyond this many waiting writes. The writes always queued need no
  // bound of their own, theirs is elsewhere: attempt outcomes and give-backs are one per claimed
  // message, at most the dispatcher's max_in_flight; claims come one at a time per dispatcher;
  // a delivery status waits for one write at a time, a few per message a provider accepted; a
  // synchronous write holds its caller's thread.
  static constexpr std::size_t kMaxQueuedWrites = 65'536;

  Result<void> Write(Work work, WhenFull when_full = WhenFull::kQueue);
  void WriteAsync(Work work, Done done, WhenFull when_full);
  void RunCommitter();
  // Runs `batch` in one transaction and fills `results`. REQUIRES: mutex_ held.
  void CommitBatch(std::vector<Job>& batch, std::vector<Result<void>>& results);
  // Most batches hold no failing write: they run without a savepoint per write (two statements
  // each). False when a write of a batch of several failed: all was rolled back, for
  // CommitWithSavepoints to run it again so that write is undone alone.
  bool CommitWithoutSavepoints(std::vector<Job>& batch, std::vector<Result<void>>& results);
  void CommitWithSavepoints(std::vector<Job>& batch, std::vector<Result<void>>& results);
  // COMMIT (one fsync) of the open transaction; a failure fails every write that had not.
  void Commit(std::vector<Result<void>>& results, std::int64_t pending_delta);
  Result<void> ExecPrepared(const char* sql);

  // The outbox depth changes by `delta` if the write running now commits. REQUIRES: on the
  // committer, in a write.
  void CountPending(std::int64_t delta) { write_pending_delta_ += delta; }

  std::mutex mutex_;  // the connection and its statements
  DbHandle db_;
  std::vector<std::pair<const char*, StmtHandle>> statements_;
  std::uint64_t inserts_ = 0;
  // The outbox depth (queued + sending) as of the last commit, kept up to date by the batches
  // that change it: counting the partial indexes reads every waiting message, a scan of
  // milliseconds with a large backlog. Counted again when another connection has committed
  // (its `PRAGMA data_version` moved). All guarded by mutex_.
  std::int64_t pending_ = 0;
  std::int64_t pending_counted_at_version_ = -1;  // -1: never counted
  std::int64_t write_pending_delta_ = 0;          // the running write's change

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::thread committer_;
  std::thread::id committer_id_;
  std::unique_ptr<Checkpointer> checkpointer_;  // a database file in WAL mode
};

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (committer_.joinable()) committer_.join();  // drains the queue first
  if (checkpointer_) {
    sqlite3_wal_hook(db_.get(), nullptr, nullptr);
    checkpointer_.reset();
  }
}

Result<void> SqliteStore::StartCommitter(const std::string& path) {
  std::string journal_mode;
  {
    std::lock_guard lock(mutex_);
    auto stmt = Prepare("PRAGMA journal_mode");
    if (!stmt) return tl::unexpected(stmt.error());
    Statement s(*stmt);
    if (s.Step() != SQLITE_ROW) return tl::unexpected(SqliteError(db_.get(), "journal mode"));
    journal_mode = ColumnText(*stmt, 0);
    if (journal_mode == "wal") {
      auto started = Checkpointer::Start(path, db_.get());
      if (!started) return tl::unexpected(started.error());
      checkpointer_ = std::move(*started);
    }
  }
  committer_ = std::thread([this] {
    util::NameThisThread("sg-commit");
    RunCommitter();
  });
  committer_id_ = committer_.get_id();  // before any other thread can call Write
  return {};
}

Result<void> SqliteStore::Write(Work work, WhenFull when_full) {
  if (std::this_thread::get_id() == committer_id_ || !committer_.joinable()) {
    // From a `done` callback (or before the committer runs): a batch of one, here.
    std::lock_guard lock(mutex_);
    std::vector<Job> batch{Job{std::move(work), nullptr}};
    std::vector<Result<void>> results;
    CommitBatch(batch, results);
    return results.front();
  }
  std::promise<Result<void>> answer;
  auto answered = answer.get_future();
  WriteAsync(
      std::move(work), [&answer](Result<void> r) { answer.set_value(std::move(r)); }, when_full);
  return answered.get();
}

void SqliteStore::WriteAsync(Work work, Done done, WhenFull when_full) {
  {
    std::unique_lock lock(queue_mutex_);
    const bool room = when_full == WhenFull::kQueue || queue_.size() < kMaxQueuedWrites;
    if (room && !stopping_) {
      queue_.push_back(Job{std::move(work), std::move(done)});
      lock.unlock();
      queue_cv_.notify_one();
      return;
    }
  }
  done(MakeError(ErrorCode::kUnavailable, "storage is busy, try again later",
                 "the write queue is full or the store is closing"));
}

void SqliteStore::RunCommitter() {
  std::vector<Job> batch;
  std::vector<Result<void>> results;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every write has been answered
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    {
      std::lock_guard lock(mutex_);
      CommitBatch(batch, results);
      if (checkpointer_) checkpointer_->RestartIfLarge(db_.get());
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (batch[i].done) batch[i].done(std::move(results[i]));
    }
    batch.clear();
  }
}

Result<void> SqliteStore::ExecPrepared(const char* sql) {
  auto stmt = Prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  Statement s(*stmt);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), sql));
  return {};
}

void SqliteStore::CommitBatch(std::vector<Job>& batch, std::vector<Result<void>>& results) {
  // A transaction still open here was left by a ROLLBACK that failed: it is undone before
  // anything is written, and while it cannot be, nothing is (see RollBack).
  if (auto undone = RollBack(db_.get(), "an earlier failure"); !undone) {
    results.assign(batch.size(), Result<void>(tl::unexpected(undone.error())));
    return;
  }
  results.assign(batch.size(), Result<void>());
  if (CommitWithoutSavepoints(batch, results)) return;
  results.assign(batch.size(), Result<void>());
  CommitWithSavepoints(batch, results);
}

bool SqliteStore::CommitWithoutSavepoints(std::vector<Job>& batch,
                                          std::vector<Result<void>>& results) {
  if (auto begun = ExecPrepared("BEGIN IMMEDIATE"); !begun) {
    for (auto& r : results) r = tl::unexpected(begun.error());
    return true;
  }
  std::int64_t pending_delta = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    write_pending_delta_ = 0;
    results[i] = batch[i].work();
    const bool rolled_back = sqlite3_get_autocommit(db_.get()) != 0;  // a full disk, an I/O error
    if (results[i] && !rolled_back) {
      pending_delta += write_pending_delta_;
      continue;
    }
    if (auto undone = RollBack(db_.get(), "a failed write"); !undone) {
      // What the transaction holds is unknown: no write of the batch is reported stored, and
      // none runs again into it.
      for (auto& r : results) {
        if (r) r = tl::unexpected(undone.error());
      }
      return true;
    }
    if (batch.size() > 1) return false;  // again with savepoints, so this write fails alone
    if (results[i]) results[i] = tl::unexpected(SqliteError(db_.get(), "transaction rolled back"));
    return true;
  }
  Commit(results, pending_delta);
  return true;
}

void SqliteStore::CommitWithSavepoints(std::vector<Job>& batch,
                                       std::vector<Result<void>>& results) {
  const auto fail_all = [&](const core::Error& error) {
    for (auto& r : results) r = tl::unexpected(error);
  };
  std::int64_t pending_delta = 0;  // of the writes kept so far
  if (auto begun = ExecPrepared("BEGIN IMMEDIATE"); !begun) return fail_all(begun.error());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (auto saved = ExecPrepared("SAVEPOINT write"); !saved) {
      (void)RollBack(db_.get(), "a failed SAVEPOINT");  // every write fails, whatever it says
      return fail_all(saved.error());
    }
    write_pending_delta_ = 0;
    results[i] = batch[i].work();
    if (sqlite3_get_autocommit(db_.get()) != 0) {
      // SQLite rolled the whole transaction back (a full disk, an I/O error): the writes
      // before this one are gone too, so none of the batch may be reported as stored.
      return fail_all(results[i] ? SqliteError(db_.get(), "transaction rolled back")
                                 : results[i].error());
    }
    // A failed write is undone alone. If even that fails, what the batch holds is unknown:
    // roll it all back and report every write as not stored.
    Result<void> closed = results[i] ? Result<void>() : ExecPrepared("ROLLBACK TO write");
    if (closed) closed = ExecPrepared("RELEASE write");
    if (!closed) {
      (void)RollBack(db_.get(), "a failed RELEASE or ROLLBACK TO");  // as above
      return fail_all(closed.error());
    }
    if (results[i]) pending_delta += write_pending_delta_;
  }
  Commit(results, pending_delta);
}

void SqliteStore::Commit(std::vector<Result<void>>& results, std::int64_t pending_delta) {
  if (auto committed = ExecPrepared("COMMIT"); !committed) {
    (void)RollBack(db_.get(), "a failed COMMIT");  // every write fails, whatever it says
    for (auto& r : results) {
      if (r) r = tl::unexpected(committed.error());
    }
    return;
  }
  pending_ += pending_delta;
}

// A transaction that rolls back unless committed. REQUIRES: the store's mutex held.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    // Only after a failure, which the caller reports; a ROLLBACK that fails too is logged.
    if (open_) (void)RollBack(db_, "an unfinished transaction");
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction(Transaction&&) = delete;
  Transaction& operator=(Transaction&&) = delete;

  Result<void> Begin() {
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return tl::unexpected(SqliteError(db_, "begin"));
    }
    open_ = true;
    return {};
  }
  Result<void> Commit() {
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return tl::unexpected(SqliteError(db_, "commit"));
    }
    open_ = false;
    return {};
  }

 private:
  sqlite3* db_;
  bool open_ = false;
};

Result<sqlite3_stmt*> SqliteStore::Prepare(const char* sql) {
  for (auto& [text, stmt] : statements_) {
    if (text == sql) return stmt.get();
  }
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) !=
      SQLITE_OK) {
    return tl::unexpected(SqliteError(db_.get(), "prepare"));
  }
  statements_.emplace_back(sql, StmtHandle(raw));
  return raw;
}

Result<void> SqliteStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string detail = err != nullptr ? err : "unknown";
    sqlite3_free(err);
    return MakeError(ErrorCode::kUnavailable, "storage is unavailable, try again later",
                     "exec: " + detail);
  }
  return {};
}

Result<void> SqliteStore::Migrate() {
  std::lock_guard lock(mutex_);
  SG_RETURN_IF_ERROR(
      Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
           "description TEXT NOT NULL, applied_at INTEGER NOT NULL)"));
  int current = 0;
  {
    auto stmt = Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (!stmt) return tl::unexpected(stmt.error());
    Statement s(*stmt);
    if (s.Step() != SQLITE_ROW) return tl::unexpected(SqliteError(db_.get(), "read version"));
    current = sqlite3_column_int(*stmt, 0);
  }
  const auto migrations = Migrations();
  if (!migrations.empty() && current > migrations.back().version) {
    return MakeError(ErrorCode::kInternal,
                     "the database schema (version " + std::to_string(current) +
                         ") is newer than this socialgate build knows; upgrade socialgate");
  }
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    Transaction tx(db_.get());
    SG_RETURN_IF_ERROR(tx.Begin());
    SG_RETURN_IF_ERROR(Exec(m.sql));
    auto stmt =
        Prepare("INSERT INTO schema_migrations(version, description, applied_at) VALUES(?,?,?)");
    if (!stmt) return tl::unexpected(stmt.error());
    Statement s(*stmt);
    s.Bind(static_cast<std::int64_t>(m.version))
        .Bind(m.description)
        .Bind(static_cast<std::int64_t>(time(nullptr)) * 1000);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "migrate"));
    SG_RETURN_IF_ERROR(tx.Commit());
  }
  return {};
}

Result<void> SqliteStore::AddEvent(std::string_view id, std::string_view status, std::int64_t at,
                                   std::string_view detail) {
  auto stmt = Prepare("INSERT INTO message_events(message_id, status, at, detail) VALUES(?,?,?,?)");
  if (!stmt) return tl::unexpected(stmt.error());
  Statement s(*stmt);
  s.Bind(id).Bind(status).Bind(at).Bind(detail);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "insert event"));
  return {};
}

Result<void> SqliteStore::Insert(const NewMessage& m) {
  return Write([this, &m] { return InsertNow(m); }, WhenFull::kRefuse);
}

void SqliteStore::InsertAsync(NewMessage m, std::function<void(Result<void>)> done) {
  auto message = std::make_shared<const NewMessage>(std::move(m));
  WriteAsync([this, message] { return InsertNow(*message); }, std::move(done), WhenFull::kRefuse);
}

Result<void> SqliteStore::InsertNow(const NewMessage& m) {
  {
    auto stmt = Prepare(
        "INSERT INTO messages(id, domain, customer_phone, service_phone, template_name, language, "
        "header_params, body_params, url_params, has_media, status, attempts, next_attempt_at, "
        "created_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,'queued',0,?,?,?)");
    if (!stmt) return tl::unexpected(stmt.error());
    Statement s(*stmt);
    const auto& msg = m.message;
    s.Bind(m.id)
        .Bind(m.domain)
        .Bind(msg.customer_phone)
        .Bind(msg.service_phone)
        .Bind(msg.template_name)
        .Bind(msg.language)
        .Bind(ToJson(msg.header_params))
        .Bind(ToJson(msg.body_params))
        .Bind(ToJson(msg.url_params))
        .Bind(static_cast<std::int64_t>(msg.header.has_value() ? 1 : 0))
        .Bind(m.due_at_ms > 0 ? m.due_at_ms : m.now_ms)
        .Bind(m.now_ms)
        .Bind(m.now_ms);
    const int rc = s.Step();
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
      return MakeError(ErrorCode::kAlreadyExists, "a message with this id already exists");
    }
    if (rc != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "insert message"));
    CountPending(+1);
  }
  if (m.message.header) {
    auto stmt = Prepare(
        "INSERT INTO message_media(message_id, kind, mime_type, document_type, file_name, bytes) "
        "VALUES(?,?,?,?,?,?)");
    if (!stmt) return tl::unexpected(stmt.error());
    Statement s(*stmt);
    const auto& h = *m.message.header;
    s.Bind(m.id)
        .Bind(core::MediaKindName(h.kind))
        .Bind(h.mime_type)
        .Bind(h.document_type)
        .Bind(h.file_name)
        .BindBlobInPlace(h.bytes);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "insert media"));
  }
  if (m.idempotency) {
    auto stmt = Prepare(
        "INSERT INTO idempotency_keys(domain, key, message_id, request_hash, created_at) "
        "VALUES(?,?,?,?,?) ON CONFLICT(domain, key) DO UPDATE SET message_id = "
        "excluded.message_id, "
        "request_hash = excluded.request_hash, answer_status = NULL, answer_body = NULL, "
        "created_at = excluded.created_at WHERE idempotency_keys.created_at < ?");
    if (!stmt) return tl::unexpected(stmt.error());
    Statement s(*stmt);
    // A key older than a day is free again: its old record is replaced.
    s.Bind(m.domain)
        .Bind(m.idempotency->key)
        .Bind(m.id)
        .Bind(m.idempotency->request_hash)
        .Bind(m.now_ms)
        .Bind(m.now_ms - kIdempotencyKeyLifetimeMs);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "insert key"));
    if (sqlite3_changes(db_.get()) == 0) {
      return MakeError(ErrorCode::kAlreadyExists, "Idempotency-Key: is already in use");
    }
  }
  if (++inserts_ % 1024 == 0) {
    // Expired keys are dead weight: clear them out now and then, in the same transaction.
    auto stmt = Prepare("DELETE FROM idempotency_keys WHERE created_at < ?");
    if (!stmt) return tl::unexpected(stmt.error());
    Statement s(*stmt);
    s.Bind(m.now_ms - kIdempotencyKeyLifetimeMs);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "purge keys"));
  }
  return AddEvent(m.id, "queued", m.now_ms, "");
}

Result<std::optional<IdempotencyRecord>> SqliteStore::FindIdempotencyKey(std::string_view domain,
                                                                         std::string_view key,
                                                                         std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto stmt = Prepare(
      "SELECT message_id, request_hash, answer_status, answer_body FROM idempotency_keys "
      "WHERE domain = ? AND key = ? AND created_at >= ?");
  if (!stmt) return tl::unexpected(stmt.error());
  Statement s(*stmt);
  s.Bind(domain).Bind(key).Bind(now_ms - kIdempotencyKeyLifetimeMs);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<IdempotencyRecord>();
  if (rc != SQLITE_ROW) return tl::unexpected(SqliteError(db_.get(), "find key"));
  IdempotencyRecord r;
  r.message_id = ColumnText(*stmt, 0);
  r.request_hash = ColumnText(*stmt, 1);
  if (sqlite3_column_type(*stmt, 2) != SQLITE_NULL) r.answer_status = sqlite3_column_int(*stmt, 2);
  r.answer_body = ColumnText(*stmt, 3);
  return std::optional<IdempotencyRecord>(std::move(r));
}

Result<void> SqliteStore::SaveIdempotentAnswer(std::string_view domain, std::string_view key,
                                               int status, std::string_view body) {
  return Write([&]() -> Result<void> {
    auto stmt = Prepare(
        "UPDATE idempotency_keys SET answer_status = ?, answer_body = ? "
        "WHERE domain = ? AND key = ? AND answer_status IS NULL");
    if (!stmt) return tl::unexpected(stmt.error());
    Statement s(*stmt);
    s.Bind(static_cast<std::int64_t>(status)).Bind(body).Bind(domain).Bind(key);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "save answer"));
    return {};
  });
}

constexpr const char* kMessageColumns =
    "id, domain, customer_phone, service_phone, template_name, language, header_params, "
    "body_params, url_params, status, attempts, next_attempt_at, provider_message_id, wa_id, "
    "error_code, error_message, created_at, updated_at, has_media";

StoredMessage SqliteStore::ReadMessageRow(sqlite3_stmt* s) {
  StoredMessage m;
  m.id = ColumnText(s, 0);
  m.domain = ColumnText(s, 1);
  m.message.customer_phone = ColumnText(s, 2);
  m.message.service_phone = ColumnText(s, 3);
  m.message.template_name = ColumnText(s, 4);
  m.message.language = ColumnText(s, 5);
  m.message.header_params = FromJson(sqlite3_column_text(s, 6));
  m.message.body_params = FromJson(sqlite3_column_text(s, 7));
  m.message.url_params = FromJson(sqlite3_column_text(s, 8));
  m.status = ColumnText(s, 9);
  m.attempts = sqlite3_column_int(s, 10);
  m.next_attempt_at_ms = sqlite3_column_int64(s, 11);
  m.provider_message_id = ColumnText(s, 12);
  m.wa_id = ColumnText(s, 13);
  m.error_code = ColumnText(s, 14);
  m.error_message = ColumnText(s, 15);
  m.created_at_ms = sqlite3_column_int64(s, 16);
  m.updated_at_ms = sqlite3_column_int64(s, 17);
  return m;
}

Result<std::optional<StoredMessage>> SqliteStore::Get(std::string_view domain,
                                                      std::string_view id) {
  std::lock_guard lock(mutex_);
  static const std::string kSql =
      std::string("SELECT ") + kMessageColumns + " FROM messages WHERE id = ? AND domain = ?";
  auto stmt = Prepare(kSql.c_str());
  if (!stmt) return tl::unexpected(stmt.error());
  StoredMessage m;
  {
    Statement s(*stmt);
    s.Bind(id).Bind(domain);
    const int rc = s.Step();
    if (rc == SQLITE_DONE) return std::optional<StoredMessage>();
    if (rc != SQLITE_ROW) return tl::unexpected(SqliteError(db_.get(), "get message"));
    m = ReadMessageRow(*stmt);
  }
  auto events =
      Prepare("SELECT status, at, detail FROM message_events WHERE message_id = ? ORDER BY seq");
  if (!events) return tl::unexpected(events.error());
  Statement s(*events);
  s.Bind(id);
  int rc = 0;
  while ((rc = s.Step()) == SQLITE_ROW) {
    m.history.push_back(StatusEvent{ColumnText(*events, 0), sqlite3_column_int64(*events, 1),
                                    ColumnText(*events, 2)});
  }
  if (rc != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "get events"));
  return std::optional<StoredMessage>(std::move(m));
}

Result<std::vector<StoredMessage>> SqliteStore::ClaimDue(
    std::int64_t now_ms, std::string_view owner, std::int64_t lease_ms, int limit,
    const std::vector<std::string>& skip_numbers) {
  std::vector<StoredMessage> claimed;
  auto written =
      Write([&] { return ClaimNow(now_ms, owner, lease_ms, limit, skip_numbers, claimed); });
  if (!written) return tl::unexpected(written.error());
  return claimed;
}

void SqliteStore::ClaimDueAsync(std::int64_t now_ms, std::string owner, std::int64_t lease_ms,
                                int limit, std::vector<std::string> skip_numbers,
                                std::function<void(Result<Claim>)> done) {
  auto claim = std::make_shared<Claim>();
  WriteAsync(
      [this, claim, now_ms, owner = std::move(owner), lease_ms, limit,
       skip_numbers = std::move(skip_numbers)]() -> Result<void> {
        claim->next_due_at_ms.reset();
        SG_RETURN_IF_ERROR(ClaimNow(now_ms, owner, lease_ms, limit, skip_numbers, claim->messages));
        if (static_cast<int>(claim->messages.size()) < limit) {
          auto next = NextDueAtNow();
          if (!next) return tl::unexpected(next.error());
          claim->next_due_at_ms = *next;
        }
        return {};
      },
      [claim, done = std::move(done)](Result<void> written) {
        if (!written) return done(tl::unexpected(written.error()));
        done(std::move(*claim));
      },
      WhenFull::kQueue);
}

Result<void> SqliteStore::ClaimNow(std::int64_t now_ms, std::string_view owner,
                                   std::int64_t lease_ms, int limit,
                                   const std::vector<std::string>& skip_numbers,
                                   std::vector<StoredMessage>& claimed) {
  claimed.clear();
  {
    // One statement leases them all. Two index scans (queued and due; leased and expired)
    // instead of one OR over the table, each stopping after `limit` rows: with a backlog of
    // a hundred thousand due messages a claim still reads only the few it takes.
    static const std::string kSql =
        std::string(
            "UPDATE messages SET status = 'sending', lease_owner = ?4, lease_until = ?5, "
            "attempts = attempts + 1, updated_at = ?1 WHERE id IN ("
            "SELECT id FROM messages WHERE id IN ("
            "SELECT id FROM (SELECT id FROM messages WHERE status = 'queued' AND "
            "next_attempt_at <= ?1 AND service_phone NOT IN (SELECT value FROM json_each(?3)) "
            "ORDER BY next_attempt_at LIMIT ?2) "
            "UNION ALL SELECT id FROM (SELECT id FROM messages WHERE status = 'sending' "
            "AND lease_until <= ?1 ORDER BY lease_until LIMIT ?2)) "
            "ORDER BY next_attempt_at LIMIT ?2) RETURNING ") +
        kMessageColumns;
    auto stmt = Prepare(kSql.c_str());
    if (!stmt) return tl::unexpected(stmt.error());
    Statement s(*stmt);
    s.Bind(now_ms)
        .Bind(static_cast<std::int64_t>(limit))
        .Bind(ToJson(skip_numbers))
        .Bind(owner)
        .Bind(now_ms + lease_ms);
    int rc = 0;
    while ((rc = s.Step()) == SQLITE_ROW) {
      StoredMessage m = ReadMessageRow(*stmt);
      if (sqlite3_column_int(*stmt, 18) != 0) m.message.header.emplace();
      claimed.push_back(std::move(m));
    }
    if (rc != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "claim"));
  }
  // RETURNING gives no order: oldest due first, as they were chosen.
  std::stable_sort(claimed.begin(), claimed.end(), [](const auto& a, const auto& b) {
    return a.next_attempt_at_ms < b.next_attempt_at_ms;
  });
  std::vector<std::string> ids;
  ids.reserve(claimed.size());
  for (const auto& m : claimed) ids.push_back(m.id);
  if (!ids.empty()) {
    auto stmt = Prepare(
        "INSERT INTO message_events(message_id, status, at, detail) "
        "SELECT id, 'sending', ?1, 'attempt ' || attempts FROM messages "
        "WHERE id IN (SELECT value FROM json_each(?2))");
    if (!stmt) return tl::unexpected(stmt.error());
    Statement s(*stmt);
    s.Bind(now_ms).Bind(ToJson(ids));
    if (s.Step() != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "claim events"));
  }
  for (auto& m : claimed) {
    if (!m.message.header) continue;
    auto stmt = Prepare(
        "SELECT kind, mime_type, document_type, file_name FROM message_media "
        "WHERE message_id = ?");
    if (!stmt) return tl::unexpected(stmt.error());
    Statement s(*stmt);
    s.Bind(m.id);
    if (s.Step() != SQLITE_ROW) return tl::unexpected(SqliteError(db_.get(), "claim media"));
    auto& h = *m.message.header;
    h.kind = KindFromName(ColumnText(*stmt, 0));
    h.mime_type = ColumnText(*stmt, 1);
    h.document_type = ColumnText(*stmt, 2);
    h.file_name = ColumnText(*stmt, 3);
  }
  return {};
}

Result<std::string> SqliteStore::MediaBytes(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto stmt = Prepare("SELECT bytes FROM message_media WHERE message_id = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  Statement s(*stmt);
  s.Bind(id);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) {
    return MakeError(ErrorCode::kNotFound, "the message has no media header",
                     "no media for " + std::string(id));
  }
  if (rc != SQLITE_ROW) return tl::unexpected(SqliteError(db_.get(), "media bytes"));
  const void* blob = sqlite3_column_blob(*stmt, 0);
  const int size = sqlite3_column_bytes(*stmt, 0);
  return std::string(static_cast<const char*>(blob), static_cast<std::size_t>(size));
}

Result<std::optional<std::int64_t>> SqliteStore::NextDueAtNow() {
  auto stmt = Prepare(
      "SELECT MIN(t) FROM ("
      "SELECT * FROM (SELECT next_attempt_at AS t FROM messages WHERE status = 'queued' "
      "ORDER BY next_attempt_at LIMIT 1) UNION ALL "
      "SELECT * FROM (SELECT lease_until AS t FROM messages WHERE status = 'sending' "
      "ORDER BY lease_until LIMIT 1))");
  if (!stmt) return tl::unexpected(stmt.error());
  Statement s(*stmt);
  if (s.Step() != SQLITE_ROW) return tl::unexpected(SqliteError(db_.get(), "next due"));
  if (sqlite3_column_type(*stmt, 0) == SQLITE_NULL) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(sqlite3_column_int64(*stmt, 0));
}

Result<void> SqliteStore::FinishNow(std::string_view id, std::string_view owner,
                                    std::string_view status, std::int64_t now_ms, const char* sql,
                                    const std::function<void(Statement&)>& bind_leading,
                                    std::string_view event_detail) {
  auto stmt = Prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  {
    Statement s(*stmt);
    bind_leading(s);
    s.Bind(now_ms).Bind(id).Bind(owner);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "finish attempt"));
  }
  if (sqlite3_changes(db_.get()) == 0) {
    return MakeError(ErrorCode::kNotFound, "message is not leased by this worker",
                     "lease lost for " + std::string(id));
  }
  if (!IsPending(status)) CountPending(-1);  // it was `sending`
  return AddEvent(id, status, now_ms, event_detail);
}

Result<void> SqliteStore::ExtendLeases(const std::vector<std::string>& ids, std::string_view owner,
                                       std::int64_t lease_until_ms) {
  if (ids.empty()) return {};
  return Write([&]() -> Result<void> {
    auto stmt = Prepare(
        "UPDATE messages SET lease_until = ? WHERE id IN (SELECT value FROM json_each(?)) "
        "AND lease_owner = ? AND status = 'sending'");
    if (!stmt) return tl::unexpected(stmt.error());
    Statement s(*stmt);
    s.Bind(lease_until_ms).Bind(ToJson(ids)).Bind(owner);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "extend leases"));
    return {};
  });
}

Result<void> SqliteStore::ReleaseNow(std::string_view id, std::string_view owner,
                                     std::int64_t next_attempt_at_ms) {
  auto stmt = Prepare(
      "UPDATE messages SET status = 'queued', next_attempt_at = ?, attempts = attempts - 1, "
      "lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ? "
      "AND status = 'sending'");
  if (!stmt) return tl::unexpected(stmt.error());
  Statement s(*stmt);
  s.Bind(next_attempt_at_ms).Bind(id).Bind(owner);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "release"));
  if (sqlite3_changes(db_.get()) == 0) {
    return MakeError(ErrorCode::kNotFound, "message is not leased by this worker",
                     "lease lost for " + std::string(id));
  }
  return {};
}

Result<void> SqliteStore::RecordAttemptNow(const AttemptEnd& e) {
  switch (e.kind) {
    case AttemptEnd::Kind::kAccepted:
      return FinishNow(
          e.id, e.owner, "accepted", e.now_ms,
          "UPDATE messages SET status = 'accepted', provider_message_id = ?, wa_id = ?, "
          "lease_owner = NULL, lease_until = NULL, error_code = NULL, error_message = NULL, "
          "updated_at = ? WHERE id = ? AND lease_owner = ? AND status = 'sending'",
          [&](Statement& s) { s.Bind(e.provider_message_id).Bind(e.wa_id); },
          e.provider_message_id);
    case AttemptEnd::Kind::kFailed:
      return FinishNow(
          e.id, e.owner, "failed", e.now_ms,
          "UPDATE messages SET status = 'failed', error_code = ?, error_message = ?, "
          "lease_owner = NULL, lease_until = NULL, updated_at = ? "
          "WHERE id = ? AND lease_owner = ? AND status = 'sending'",
          [&](Statement& s) { s.Bind(e.error_code).Bind(e.error_message); }, e.error_message);
    case AttemptEnd::Kind::kRescheduled:
      return FinishNow(
          e.id, e.owner, "queued", e.now_ms,
          "UPDATE messages SET status = 'queued', next_attempt_at = ?, error_code = ?, "
          "error_message = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? "
          "WHERE id = ? AND lease_owner = ? AND status = 'sending'",
          [&](Statement& s) {
            s.Bind(e.next_attempt_at_ms).Bind(e.error_code).Bind(e.error_message);
          },
          e.error_message);
    case AttemptEnd::Kind::kGivenBack:
      return ReleaseNow(e.id, e.owner, e.next_attempt_at_ms);
  }
  return MakeError(ErrorCode::kInternal, "unknown kind of attempt end");
}

void SqliteStore::RecordAttemptAsync(AttemptEnd end, std::function<void(Result<void>)> done) {
  auto shared = std::make_shared<const AttemptEnd>(std::move(end));
  WriteAsync([this, shared] { return RecordAttemptNow(*shared); }, std::move(done),
             WhenFull::kQueue);
}

Result<void> SqliteStore::Release(std::string_view id, std::string_view owner,
                                  std::int64_t next_attempt_at_ms) {
  AttemptEnd e;
  e.kind = AttemptEnd::Kind::kGivenBack;
  e.id = id;
  e.owner = owner;
  e.next_attempt_at_ms = next_attempt_at_ms;
  return Write([&] { return RecordAttemptNow(e); });
}

Result<void> SqliteStore::MarkAccepted(std::string_view id, std::string_view owner,
                                       std::string_view provider_message_id, std::string_view wa_id,
                                       std::int64_t now_ms) {
  AttemptEnd e;
  e.kind = AttemptEnd::Kind::kAccepted;
  e.id = id;
  e.owner = owner;
  e.provider_message_id = provider_message_id;
  e.wa_id = wa_id;
  e.now_ms = now_ms;
  return Write([&] { return RecordAttemptNow(e); });
}

Result<void> SqliteStore::MarkFailed(std::string_view id, std::string_view owner,
                                     std::string_view error_code, std::string_view error_message,
                                     std::int64_t now_ms) {
  AttemptEnd e;
  e.kind = AttemptEnd::Kind::kFailed;
  e.id = id;
  e.owner = owner;
  e.error_code = error_code;
  e.error_message = error_message;
  e.now_ms = now_ms;
  return Write([&] { return RecordAttemptNow(e); });
}

Result<void> SqliteStore::Reschedule(std::string_view id, std::string_view owner,
                                     std::int64_t next_attempt_at_ms, std::string_view error_code,
                                     std::string_view error_message, std::int64_t now_ms) {
  AttemptEnd e;
  e.kind = AttemptEnd::Kind::kRescheduled;
  e.id = id;
  e.owner = owner;
  e.next_attempt_at_ms = next_attempt_at_ms;
  e.error_code = error_code;
  e.error_message = error_message;
  e.now_ms = now_ms;
  return Write([&] { return RecordAttemptNow(e); });
}

Result<void> SqliteStore::RecordDeliveryStatus(std::string_view provider_message_id,
                                               std::string_view status, std::int64_t at_ms,
                                               std::string_view detail) {
  return Write([&] { return RecordDeliveryStatusNow(provider_message_id, status, at_ms, detail); });
}

void SqliteStore::RecordDeliveryStatusAsync(std::string provider_message_id, std::string status,
                                            std::int64_t at_ms, std::string detail,
                                            std::function<void(Result<void>)> done) {
  WriteAsync(
      [this, provider_message_id = std::move(provider_message_id), status = std::move(status),
       at_ms, detail = std::move(detail)] {
        return RecordDeliveryStatusNow(provider_message_id, status, at_ms, detail);
      },
      std::move(done), WhenFull::kQueue);
}

Result<void> SqliteStore::RecordDeliveryStatusNow(std::string_view provider_message_id,
                                                  std::string_view status, std::int64_t at_ms,
                                                  std::string_view detail) {
  std::string id;
  std::string current;
  {
    auto stmt = Prepare(
        "SELECT id, status FROM messages WHERE provider_message_id = ? "
        "ORDER BY created_at DESC LIMIT 1");
    if (!stmt) return tl::unexpected(stmt.error());
    Statement s(*stmt);
    s.Bind(provider_message_id);
    const int rc = s.Step();
    if (rc == SQLITE_DONE) {
      return MakeError(ErrorCode::kNotFound, "no message has this provider message id");
    }
    if (rc != SQLITE_ROW) return tl::unexpected(SqliteError(db_.get(), "find by provider id"));
    id = ColumnText(*stmt, 0);
    current = ColumnText(*stmt, 1);
  }
  if (StatusMovesForward(current, status)) {
    if (IsPending(current) && !IsPending(status)) CountPending(-1);
    auto stmt = Prepare(
        "UPDATE messages SET status = ?, error_message = CASE WHEN ? = 'failed' THEN ? ELSE "
        "error_message END, updated_at = ? WHERE id = ?");
    if (!stmt) return tl::unexpected(stmt.error());
    Statement s(*stmt);
    s.Bind(status).Bind(status).Bind(detail).Bind(at_ms).Bind(id);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "update status"));
  }
  return AddEvent(id, status, at_ms, detail);
}

Result<int> SqliteStore::ReleaseLeases(std::string_view owner, std::int64_t now_ms) {
  int released = 0;
  SG_RETURN_IF_ERROR(Write([&]() -> Result<void> {
    auto stmt = Prepare(
        "UPDATE messages SET status = 'queued', lease_owner = NULL, lease_until = NULL, "
        "next_attempt_at = ?, updated_at = ? WHERE lease_owner = ? AND status = 'sending'");
    if (!stmt) return tl::unexpected(stmt.error());
    Statement s(*stmt);
    s.Bind(now_ms).Bind(now_ms).Bind(owner);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "release leases"));
    released = sqlite3_changes(db_.get());
    return {};
  }));
  return released;
}

Result<std::vector<UnfinishedDelivery>> SqliteStore::UnfinishedDeliveries(int limit) {
  std::lock_guard lock(mutex_);
  auto stmt = Prepare(
      "SELECT service_phone, provider_message_id, status FROM messages "
      "WHERE status IN ('accepted', 'sent', 'delivered') AND provider_message_id IS NOT NULL "
      "ORDER BY updated_at LIMIT ?");
  if (!stmt) return tl::unexpected(stmt.error());
  Statement s(*stmt);
  s.Bind(static_cast<std::int64_t>(limit));
  std::vector<UnfinishedDelivery> out;
  int rc = 0;
  while ((rc = s.Step()) == SQLITE_ROW) {
    out.push_back(
        UnfinishedDelivery{ColumnText(*stmt, 0), ColumnText(*stmt, 1), ColumnText(*stmt, 2)});
  }
  if (rc != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "unfinished deliveries"));
  return out;
}

Result<void> SqliteStore::CreateSession(const Session& session) {
  return Write([&]() -> Result<void> {
    {
      auto stmt = Prepare("DELETE FROM sessions WHERE expires_at <= ?");
      if (!stmt) return tl::unexpected(stmt.error());
      Statement s(*stmt);
      s.Bind(session.created_at_ms);
      if (s.Step() != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "purge sessions"));
    }
    auto stmt = Prepare(
        "INSERT INTO sessions(token_hash, domain, user_name, created_at, expires_at) "
        "VALUES(?,?,?,?,?)");
    if (!stmt) return tl::unexpected(stmt.error());
    Statement s(*stmt);
    s.Bind(session.token_hash)
        .Bind(session.domain)
        .Bind(session.user)
        .Bind(session.created_at_ms)
        .Bind(session.expires_at_ms);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "insert session"));
    return {};
  });
}

Result<std::optional<Session>> SqliteStore::FindSession(std::string_view token_hash,
                                                        std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto stmt = Prepare(
      "SELECT domain, user_name, created_at, expires_at FROM sessions "
      "WHERE token_hash = ? AND expires_at > ?");
  if (!stmt) return tl::unexpected(stmt.error());
  Statement s(*stmt);
  s.Bind(token_hash).Bind(now_ms);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<Session>();
  if (rc != SQLITE_ROW) return tl::unexpected(SqliteError(db_.get(), "find session"));
  return std::optional<Session>(Session{std::string(token_hash), ColumnText(*stmt, 0),
                                        ColumnText(*stmt, 1), sqlite3_column_int64(*stmt, 2),
                                        sqlite3_column_int64(*stmt, 3)});
}

Result<bool> SqliteStore::DeleteSession(std::string_view token_hash) {
  bool deleted = false;
  SG_RETURN_IF_ERROR(Write([&]() -> Result<void> {
    auto stmt = Prepare("DELETE FROM sessions WHERE token_hash = ?");
    if (!stmt) return tl::unexpected(stmt.error());
    Statement s(*stmt);
    s.Bind(token_hash);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "delete session"));
    deleted = sqlite3_changes(db_.get()) > 0;
    return {};
  }));
  return deleted;
}

Result<std::int64_t> SqliteStore::PendingCount() {
  std::lock_guard lock(mutex_);
  std::int64_t version = 0;
  {
    auto stmt = Prepare("PRAGMA data_version");
    if (!stmt) return tl::unexpected(stmt.error());
    Statement s(*stmt);
    if (s.Step() != SQLITE_ROW) return tl::unexpected(SqliteError(db_.get(), "data version"));
    version = sqlite3_column_int64(*stmt, 0);
  }
  if (version == pending_counted_at_version_) return pending_;
  // First use, or another connection wrote: count. Two counts over the partial indexes of
  // queued and sending messages: `status IN (...)` would scan every message ever stored.
  auto stmt = Prepare(
      "SELECT (SELECT COUNT(*) FROM messages WHERE status = 'queued') + "
      "(SELECT COUNT(*) FROM messages WHERE status = 'sending')");
  if (!stmt) return tl::unexpected(stmt.error());
  Statement s(*stmt);
  if (s.Step() != SQLITE_ROW) return tl::unexpected(SqliteError(db_.get(), "pending count"));
  pending_ = sqlite3_column_int64(*stmt, 0);
  pending_counted_at_version_ = version;
  return pending_;
}

void SqliteStore::SaveTrustedAddressAsync(TrustedAddress trusted, std::int64_t forget_before_ms,
                                          std::function<void(Result<void>)> done) {
  auto shared = std::make_shared<const TrustedAddress>(std::move(trusted));
  WriteAsync(
      [this, shared, forget_before_ms]() -> Result<void> {
        {
          auto stmt = Prepare("DELETE FROM trusted_addresses WHERE last_success_at < ?");
          if (!stmt) return tl::unexpected(stmt.error());
          Statement s(*stmt);
          s.Bind(forget_before_ms);
          if (s.Step() != SQLITE_DONE) {
            return tl::unexpected(SqliteError(db_.get(), "forget old trusted addresses"));
          }
        }
        auto stmt = Prepare(
            "INSERT INTO trusted_addresses(domain, user_name, address, last_success_at) "
            "VALUES(?,?,?,?) ON CONFLICT(domain, user_name, address) DO UPDATE SET "
            "last_success_at = max(last_success_at, excluded.last_success_at)");
        if (!stmt) return tl::unexpected(stmt.error());
        Statement s(*stmt);
        s.Bind(shared->domain)
            .Bind(shared->user)
            .Bind(shared->address)
            .Bind(shared->last_success_ms);
        if (s.Step() != SQLITE_DONE) {
          return tl::unexpected(SqliteError(db_.get(), "save trusted address"));
        }
        return {};
      },
      // Not accepted work: under a full queue it may be refused (the address is trusted in
      // memory anyway, only not after a restart).
      std::move(done), WhenFull::kRefuse);
}

Result<std::vector<TrustedAddress>> SqliteStore::TrustedAddresses(std::int64_t since_ms,
                                                                  int limit) {
  std::lock_guard lock(mutex_);
  auto stmt = Prepare(
      "SELECT domain, user_name, address, last_success_at FROM trusted_addresses "
      "WHERE last_success_at >= ? ORDER BY last_success_at DESC LIMIT ?");
  if (!stmt) return tl::unexpected(stmt.error());
  Statement s(*stmt);
  s.Bind(since_ms).Bind(static_cast<std::int64_t>(limit));
  std::vector<TrustedAddress> out;
  int rc = SQLITE_ROW;
  while ((rc = s.Step()) == SQLITE_ROW) {
    out.push_back(TrustedAddress{ColumnText(*stmt, 0), ColumnText(*stmt, 1), ColumnText(*stmt, 2),
                                 sqlite3_column_int64(*stmt, 3)});
  }
  if (rc != SQLITE_DONE) return tl::unexpected(SqliteError(db_.get(), "list trusted addresses"));
  return out;
}

}  // namespace

Result<StorePtr> OpenSqliteStore(const std::string& path) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) {
    return MakeError(ErrorCode::kUnavailable, "cannot open the SQLite database '" + path + "'",
                     raw != nullptr ? sqlite3_errmsg(raw) : "out of memory");
  }
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), 5000);
  // WAL lets readers proceed during writes; synchronous=FULL makes every commit durable before
  // COMMIT returns, which is what "stored before the answer" means. A 32 MiB page cache (the
  // default is 2 MiB) keeps the outbox's hot pages in memory instead of a pread per page.
  const char* pragmas =
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
      "PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY;";
  char* err = nullptr;
  if (sqlite3_exec(db.get(), pragmas, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string detail = err != nullptr ? err : "";
    sqlite3_free(err);
    return MakeError(ErrorCode::kUnavailable, "cannot configure the SQLite database '" + path + "'",
                     detail);
  }
  auto store = std::make_unique<SqliteStore>(std::move(db));
  SG_RETURN_IF_ERROR(store->Migrate());
  SG_RETURN_IF_ERROR(store->StartCommitter(path));
  return StorePtr(std::move(store));
}

}  // namespace socialgate::store::sqlite
