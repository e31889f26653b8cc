#include "store/sqlite/sqlite_storage.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <variant>

#include <spdlog/spdlog.h>

#include "store/committed_writes.hpp"
#include "store/group_committer.hpp"
#include "store/number_lease_table.hpp"
#include "store/sqlite/callback_statements.hpp"
#include "store/sqlite/checkpointer.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/conversation_statements.hpp"
#include "store/sqlite/idempotency_statements.hpp"
#include "store/sqlite/message_list_statements.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/number_lease_statements.hpp"
#include "store/sqlite/outbox_statements.hpp"
#include "store/sqlite/reader_pool.hpp"
#include "store/sqlite/retention_statements.hpp"
#include "store/sqlite/retry_statements.hpp"
#include "store/sqlite/session_statements.hpp"
#include "store/sqlite/status_statements.hpp"
#include "store/sqlite/template_catalog_statements.hpp"
#include "store/string_array.hpp"
#include "store/transactor.hpp"

namespace socialgate::store::sqlite {
namespace {

using core::Result;

// Before SQLite's first use in the process: no memory statistics. Kept, they take a global
// mutex on every allocation of every connection (SQLite's own advice is to turn them off); the
// gateway never reads them. A no-op (SQLITE_MISUSE) if SQLite was already initialised.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

// The read connections of a database file in WAL mode: as many as reads usually run at once
// (the HTTP workers'), each with a page cache of its own.
constexpr int kReadConnections = 3;

class SqliteStorage final : public Storage, public CommittedWrites, private Transactor {
 public:
  explicit SqliteStorage(DbHandle db) : db_(std::move(db)) {}
  ~SqliteStorage() override;
  SqliteStorage(const SqliteStorage&) = delete;
  SqliteStorage& operator=(const SqliteStorage&) = delete;
  SqliteStorage(SqliteStorage&&) = delete;
  SqliteStorage& operator=(SqliteStorage&&) = delete;

  Result<void> Migrate() {
    std::lock_guard lock(mutex_);
    return sqlite::Migrate(db_);
  }
  // Starts the committer (after Migrate), and for a database file in WAL mode the checkpointer
  // that copies the WAL back into it (see Checkpointer).
  Result<void> Start(const std::string& path);

  // Storage
  Outbox& outbox() override { return *this; }
  IdempotencyKeys& idempotency_keys() override { return *this; }
  Sessions& sessions() override { return *this; }
  TrustedAddresses& trusted_addresses() override { return *this; }
  DeliveryStatuses& delivery_statuses() override { return *this; }
  Callbacks& callbacks() override { return *this; }
  NumberLeases& number_leases() override { return *this; }
  TemplateCatalogs& template_catalogs() override { return *this; }
  Conversations& conversations() override { return *this; }
  void Drain() override { committer_.Drain(); }
  Result<std::int64_t> ReclaimSpace(std::int64_t max_pages) override {
    if (max_pages < 1) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             "reclaim space: max_pages must be at least 1");
    }
    SG_ASSIGN_OR_RETURN(auto written, committer_.WriteAndWait(SpaceReclaim{max_pages}));
    return written.changed;
  }

  // The reads (the writes are CommittedWrites').
  Result<std::optional<StoredMessage>> Get(std::string_view domain, std::string_view id) override {
    return Reading([&](Connection& db) { return sqlite::GetMessage(db, domain, id); });
  }
  Result<MessagePage> ListMessages(const MessageQuery& query) override {
    return Reading([&](Connection& db) { return sqlite::ListMessages(db, query); });
  }
  Result<std::string> MediaBytes(std::string_view id) override {
    return Reading([&](Connection& db) { return sqlite::MediaBytes(db, id); });
  }
  Result<std::int64_t> PendingCount() override;
  Result<std::optional<std::int64_t>> OldestQueuedDueAt() override {
    std::lock_guard lock(mutex_);
    return sqlite::OldestQueuedDueAt(db_);
  }
  Result<std::vector<AttemptState>> AttemptStates(const std::vector<std::string>& ids) override {
    std::lock_guard lock(mutex_);
    return sqlite::AttemptStates(db_, ids);
  }
  Result<std::optional<IdempotencyRecord>> FindIdempotencyKey(std::string_view domain,
                                                              std::string_view key,
                                                              std::int64_t now_ms) override {
    std::lock_guard lock(mutex_);
    return sqlite::FindIdempotencyKey(db_, domain, key, now_ms);
  }
  Result<std::optional<Session>> FindSession(std::string_view token_hash,
                                             std::int64_t now_ms) override {
    std::lock_guard lock(mutex_);
    return sqlite::FindSession(db_, token_hash, now_ms);
  }
  Result<std::vector<TrustedAddress>> ListTrustedAddresses(std::int64_t since_ms,
                                                           int limit) override {
    std::lock_guard lock(mutex_);
    return sqlite::ListTrustedAddresses(db_, since_ms, limit);
  }
  Result<std::vector<WebhookEvent>> UnappliedWebhooks(std::int64_t received_before_ms,
                                                      int limit) override {
    std::lock_guard lock(mutex_);
    return sqlite::UnappliedWebhooks(db_, received_before_ms, limit);
  }
  void SetCallbackDomains(std::vector<std::string> domains) override {
    std::lock_guard lock(mutex_);
    callback_domains_.json = EncodeStringArray(domains);
    callback_domains_.names = std::move(domains);
  }
  Result<std::vector<CallbackRecord>> ListCallbacks(const CallbackQuery& query) override {
    return Reading([&](Connection& db) { return sqlite::ListCallbacks(db, query); });
  }
  Result<std::vector<UnfinishedDelivery>> UnfinishedDeliveries(int limit) override {
    std::lock_guard lock(mutex_);
    return sqlite::UnfinishedDeliveries(db_, limit);
  }
  Result<std::vector<StoredCatalog>> LoadCatalogs() override {
    std::lock_guard lock(mutex_);
    return sqlite::LoadCatalogs(db_);
  }
  Result<std::int64_t> CatalogVersion() override {
    std::lock_guard lock(mutex_);
    return sqlite::CatalogVersion(db_);
  }
  Result<std::optional<std::int64_t>> LastInboundAt(std::string_view service_phone,
                                                    std::string_view customer_phone) override {
    std::lock_guard lock(mutex_);
    return sqlite::LastInboundAt(db_, service_phone, customer_phone);
  }
  Result<std::optional<ChatRecord>> FindChat(std::string_view domain, std::string_view chat_id,
                                             std::int64_t now_ms) override {
    std::lock_guard lock(mutex_);
    ConversationStatements table(db_);
    SG_ASSIGN_OR_RETURN(auto chat, table.FindChat(domain, chat_id));
    if (chat) ShowIdleEnd(*chat, now_ms, chat_idle_ms_);
    return chat;
  }
  Result<std::optional<ChatRecord>> ActiveChat(std::string_view service_phone,
                                               std::string_view customer_phone,
                                               std::int64_t now_ms) override {
    std::lock_guard lock(mutex_);
    SG_ASSIGN_OR_RETURN(auto chat, sqlite::ActiveChatRow(db_, service_phone, customer_phone));
    return ActiveAsOf(std::move(chat), now_ms, chat_idle_ms_);
  }
  Result<std::vector<StoredMessage>> ChatOutbound(std::string_view chat_id, int limit) override {
    if (limit < 1 || limit > kMaxInboundListLimit) {
      return core::MakeError(
          core::ErrorCode::kInvalidArgument,
          "chat messages: limit must be 1 to " + std::to_string(kMaxInboundListLimit));
    }
    return Reading([&](Connection& db) { return sqlite::ChatOutbound(db, chat_id, limit); });
  }
  Result<std::optional<InboundMedia>> FindInboundMedia(std::string_view domain,
                                                       std::string_view id) override {
    return Reading([&](Connection& db) { return sqlite::FindInboundMedia(db, domain, id); });
  }
  Result<std::vector<ChatRecord>> CustomerChats(const ChatQuery& query) override {
    if (query.limit < 1 || query.limit > kMaxChatListLimit) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             "chats: limit must be 1 to " + std::to_string(kMaxChatListLimit));
    }
    std::lock_guard lock(mutex_);
    SG_ASSIGN_OR_RETURN(auto chats, sqlite::CustomerChats(db_, query));
    for (ChatRecord& chat : chats) ShowIdleEnd(chat, query.now_ms, chat_idle_ms_);
    return chats;
  }
  Result<std::vector<InboundRecord>> InboundMessages(std::string_view chat_id, int limit) override {
    if (limit < 1 || limit > kMaxInboundListLimit) {
      return core::MakeError(
          core::ErrorCode::kInvalidArgument,
          "inbound messages: limit must be 1 to " + std::to_string(kMaxInboundListLimit));
    }
    return Reading([&](Connection& db) { return sqlite::InboundMessages(db, chat_id, limit); });
  }

 private:
  GroupCommitter& committer() override { return committer_; }

  // A read callers wait on: on the read connections (reader_pool.hpp), or on the writer's under
  // its mutex when there are none (an in-memory database, a journal mode other than WAL).
  template <class Read>
  auto Reading(Read&& read) -> decltype(read(std::declval<Connection&>())) {
    if (readers_) return readers_->With(std::forward<Read>(read));
    std::lock_guard lock(mutex_);
    return read(db_);
  }

  // Transactor: the committer's view of the connection.
  void Hold(const std::function<void()>& batch) override {
    std::lock_guard lock(mutex_);
    batch();
    if (checkpointer_) checkpointer_->RestartIfLarge(db_.get());
  }
  Result<void> RollBack(std::string_view after) override { return db_.RollBack(after); }
  Result<void> Begin() override { return db_.ExecPrepared("BEGIN IMMEDIATE"); }
  Result<Written> Apply(const Write& write) override;
  bool InTransaction() override { return db_.InTransaction(); }
  Result<void> Savepoint() override { return db_.ExecPrepared("SAVEPOINT write"); }
  Result<void> RollBackToSavepoint() override { return db_.ExecPrepared("ROLLBACK TO write"); }
  Result<void> ReleaseSavepoint() override { return db_.ExecPrepared("RELEASE write"); }
  Result<void> Commit(std::int64_t outbox_depth_change) override {
    SG_RETURN_IF_ERROR(db_.ExecPrepared("COMMIT"));
    pending_ += outbox_depth_change;
    return {};
  }
  core::Error RolledBack() override { return db_.Error("transaction rolled back"); }

  std::mutex mutex_;  // the connection and its statements, and what follows
  Connection db_;
  std::uint64_t inserts_ = 0;
  std::uint64_t applications_ = 0;     // webhook applications, for their purge
  std::uint64_t callback_claims_ = 0;  // for theirs
  CallbackDomains callback_domains_;   // set before any write (SetCallbackDomains)
  // The outbox depth (queued + sending) as of the last commit, kept up to date by the batches
  // that change it: counting the partial indexes reads every waiting message, a scan of
  // milliseconds with a large backlog. Counted again when another connection has committed
  // (its `PRAGMA data_version` moved).
  std::int64_t pending_ = 0;
  std::int64_t pending_counted_at_version_ = -1;  // -1: never counted

  std::unique_ptr<Checkpointer> checkpointer_;  // a database file in WAL mode
  std::unique_ptr<ReaderPool> readers_;         // the same; set by Start
  GroupCommitter committer_{*this};
};

SqliteStorage::~SqliteStorage() {
  committer_.Stop();  // answers every queued write first
  if (checkpointer_) {
    sqlite3_wal_hook(db_.get(), nullptr, nullptr);
    checkpointer_.reset();
  }
}

Result<void> SqliteStorage::Start(const std::string& path) {
  {
    std::lock_guard lock(mutex_);
    SG_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("PRAGMA journal_mode"));
    Statement s(stmt);
    if (s.Step() != SQLITE_ROW) return tl::unexpected(db_.Error("journal mode"));
    if (s.Text(0) == "wal") {
      SG_ASSIGN_OR_RETURN(auto started, Checkpointer::Start(path, db_.get()));
      checkpointer_ = std::move(started);
      auto readers = ReaderPool::Open(path, kReadConnections);
      if (readers) {
        readers_ = std::move(*readers);
      } else {
        spdlog::warn("storage: reads share the writer's connection: {} ({})",
                     readers.error().message, readers.error().detail);
      }
    }
  }
  committer_.Start("sg-commit");
  return {};
}

Result<Written> SqliteStorage::Apply(const Write& write) {
  struct Applier {
    SqliteStorage& self;
    Result<Written> operator()(const NewMessage& m) {
      return sqlite::InsertMessage(self.db_, m, self.inserts_, self.chat_idle_ms_);
    }
    Result<Written> operator()(const AttemptEnd& e) {
      return sqlite::EndAttempt(self.db_, e, self.callback_domains_);
    }
    Result<Written> operator()(const ClaimRequest& r) { return sqlite::ClaimDue(self.db_, r); }
    Result<Written> operator()(const LeaseExtension& x) {
      return sqlite::ExtendLeases(self.db_, x);
    }
    Result<Written> operator()(const LeaseRelease& r) { return sqlite::ReleaseLeases(self.db_, r); }
    Result<Written> operator()(const WebhookEvent& e) {
      StatusStatements table(self.db_, self.callback_domains_);
      return ReceiveWebhook(table, e);
    }
    Result<Written> operator()(const WebhookApplication& a) {
      StatusStatements table(self.db_, self.callback_domains_);
      ConversationStatements conversations(self.db_, &self.callback_domains_);
      return ApplyWebhook(table, conversations, a, self.chat_idle_ms_, self.applications_);
    }
    Result<Written> operator()(const ReceivedWebhook& r) {
      StatusStatements table(self.db_, self.callback_domains_);
      ConversationStatements conversations(self.db_, &self.callback_domains_);
      return ReceiveAndApplyWebhook(table, conversations, r, self.chat_idle_ms_,
                                    self.applications_);
    }
    Result<Written> operator()(const CallbackClaim& c) {
      return sqlite::ClaimCallbacks(self.db_, c, self.callback_claims_);
    }
    Result<Written> operator()(const CallbackOutcome& o) {
      return sqlite::RecordCallback(self.db_, o);
    }
    Result<Written> operator()(const IdempotentAnswer& a) {
      return sqlite::SaveIdempotentAnswer(self.db_, a);
    }
    Result<Written> operator()(const Session& s) { return sqlite::CreateSession(self.db_, s); }
    Result<Written> operator()(const SessionDeletion& d) {
      return sqlite::DeleteSession(self.db_, d);
    }
    Result<Written> operator()(const TrustedAddressSave& t) {
      return sqlite::SaveTrustedAddress(self.db_, t);
    }
    Result<Written> operator()(const NumberLeaseRenewal& r) {
      NumberLeaseStatements table(self.db_);
      return RenewNumberLeases(table, r);
    }
    Result<Written> operator()(const NumberLeaseRelease& r) {
      NumberLeaseStatements table(self.db_);
      return store::ReleaseNumberLeases(table, r);
    }
    Result<Written> operator()(const StoredCatalog& c) {
      return sqlite::ReplaceCatalog(self.db_, c);
    }
    Result<Written> operator()(const TemplateStatusChange& c) {
      return sqlite::SetTemplateStatus(self.db_, c);
    }
    Result<Written> operator()(const ChatEnd& e) {
      ConversationStatements conversations(self.db_);
      return EndChatWrite(conversations, e, self.chat_idle_ms_);
    }
    Result<Written> operator()(const MediaFetchClaim& c) {
      return sqlite::ClaimMediaFetches(self.db_, c);
    }
    Result<Written> operator()(const MediaFetchOutcome& o) {
      return sqlite::RecordMediaFetch(self.db_, o);
    }
    Result<Written> operator()(const CustomerErasure& e) {
      return sqlite::EraseCustomer(self.db_, e);
    }
    Result<Written> operator()(const ContentErasure& e) {
      return sqlite::EraseContent(self.db_, e);
    }
    Result<Written> operator()(const MessageDeletion& d) {
      return sqlite::DeleteOldMessages(self.db_, d);
    }
    Result<Written> operator()(const SpaceReclaim& r) {
      return sqlite::ReclaimSpace(self.db_, r.max_pages);
    }
    Result<Written> operator()(const MessageRetry& r) { return sqlite::RetryMessage(self.db_, r); }
  };
  return std::visit(Applier{*this}, write);
}

Result<std::int64_t> SqliteStorage::PendingCount() {
  std::lock_guard lock(mutex_);
  std::int64_t version = 0;
  {
    SG_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("PRAGMA data_version"));
    Statement s(stmt);
    if (s.Step() != SQLITE_ROW) return tl::unexpected(db_.Error("data version"));
    version = s.Int64(0);
  }
  if (version == pending_counted_at_version_) return pending_;
  // First use, or another connection wrote: count.
  SG_ASSIGN_OR_RETURN(auto counted, sqlite::CountPending(db_));
  pending_ = counted;
  pending_counted_at_version_ = version;
  return pending_;
}

}  // namespace

Result<StoragePtr> OpenSqliteStorage(const std::string& path) {
  ConfigureSqliteOnce();
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) {
    return core::MakeError(core::ErrorCode::kUnavailable,
                           "cannot open the SQLite database '" + path + "'",
                           raw != nullptr ? sqlite3_errmsg(raw) : "out of memory");
  }
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), 5000);
  // auto_vacuum=INCREMENTAL first: it takes effect only on a database without tables yet (a new
  // one), whose deleted pages Storage::ReclaimSpace can then give back; on another it changes
  // nothing. WAL lets readers proceed during writes; synchronous=FULL makes every commit durable
  // before COMMIT returns, which is what "stored before the answer" means. A 32 MiB page cache (the
  // default is 2 MiB) keeps the outbox's hot pages in memory instead of a pread per page. The WAL
  // file is cut back to 64 MiB when it starts over (it can grow past that while long reads run:
  // checkpointer.hpp).
  const char* pragmas =
      "PRAGMA auto_vacuum=INCREMENTAL; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA "
      "foreign_keys=ON; "
      "PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY; PRAGMA journal_size_limit=67108864;";
  char* err = nullptr;
  if (sqlite3_exec(db.get(), pragmas, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string detail = err != nullptr ? err : "";
    sqlite3_free(err);
    return core::MakeError(core::ErrorCode::kUnavailable,
                           "cannot configure the SQLite database '" + path + "'", detail);
  }
  auto storage = std::make_unique<SqliteStorage>(std::move(db));
  SG_RETURN_IF_ERROR(storage->Migrate());
  SG_RETURN_IF_ERROR(storage->Start(path));
  return StoragePtr(std::move(storage));
}

Result<StoragePtr> OpenSqliteUrl(std::string_view rest) {
  std::string path(rest);
  // Accept "sqlite:///abs/path" as well as "sqlite:relative/path".
  if (path.rfind("//", 0) == 0) path = path.substr(2);
  if (path.empty()) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "storage url 'sqlite:' needs a path, e.g. sqlite:var/socialgate.db");
  }
  return OpenSqliteStorage(path);
}

}  // namespace socialgate::store::sqlite
