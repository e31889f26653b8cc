#include "store/postgres/postgres_storage.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include "store/committed_writes.hpp"
#include "store/group_committer.hpp"
#include "store/number_lease_table.hpp"
#include "store/postgres/callback_statements.hpp"
#include "store/postgres/connection.hpp"
#include "store/postgres/connection_pool.hpp"
#include "store/postgres/conversation_statements.hpp"
#include "store/postgres/idempotency_statements.hpp"
#include "store/postgres/message_list_statements.hpp"
#include "store/postgres/migrations.hpp"
#include "store/postgres/number_lease_statements.hpp"
#include "store/postgres/outbox_statements.hpp"
#include "store/postgres/retention_statements.hpp"
#include "store/postgres/retry_statements.hpp"
#include "store/postgres/session_statements.hpp"
#include "store/postgres/status_statements.hpp"
#include "store/postgres/template_catalog_statements.hpp"
#include "store/transactor.hpp"
#include "util/ids.hpp"

namespace socialgate::store::postgres {
namespace {

using core::Result;

// What the gateway asks of every connection unless the URL says otherwise: a connection
// attempt, and a server that stops answering on an open connection, each fail within seconds
// instead of the kernel's minutes.
const std::vector<std::pair<std::string, std::string>> kDefaults = {
    {"connect_timeout", "5"},      {"application_name", "socialgate"}, {"keepalives", "1"},
    {"keepalives_idle", "10"},     {"keepalives_interval", "5"},       {"keepalives_count", "3"},
    {"tcp_user_timeout", "20000"},
};

class PostgresStorage final : public Storage, public CommittedWrites, private Transactor {
 public:
  PostgresStorage(std::unique_ptr<Connection> writer,
                  std::vector<std::unique_ptr<Connection>> readers, std::string depth_counter)
      : writer_(std::move(writer)),
        readers_(std::move(readers)),
        depth_counter_(std::move(depth_counter)) {}
  ~PostgresStorage() override { committer_.Stop(); }  // answers every queued write first
  PostgresStorage(const PostgresStorage&) = delete;
  PostgresStorage& operator=(const PostgresStorage&) = delete;
  PostgresStorage(PostgresStorage&&) = delete;
  PostgresStorage& operator=(PostgresStorage&&) = delete;

  void Start() { committer_.Start("sg-commit"); }

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
  // Autovacuum makes deleted rows' space reusable (tuned for the retention's tables by
  // migration 13); giving it back to the file system would take VACUUM FULL's exclusive lock.
  Result<std::int64_t> ReclaimSpace(std::int64_t max_pages) override {
    if (max_pages < 1) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             "reclaim space: max_pages must be at least 1");
    }
    return std::int64_t{0};
  }

  // The reads (the writes are CommittedWrites').
  Result<std::optional<StoredMessage>> Get(std::string_view domain, std::string_view id) override {
    return readers_.With([&](Connection& db) { return GetMessage(db, domain, id); });
  }
  Result<MessagePage> ListMessages(const MessageQuery& query) override {
    return readers_.With([&](Connection& db) { return postgres::ListMessages(db, query); });
  }
  Result<std::string> MediaBytes(std::string_view id) override {
    return readers_.With([&](Connection& db) { return postgres::MediaBytes(db, id); });
  }
  Result<std::vector<AttemptState>> AttemptStates(const std::vector<std::string>& ids) override {
    return readers_.With([&](Connection& db) { return postgres::AttemptStates(db, ids); });
  }
  Result<std::int64_t> PendingCount() override {
    return readers_.With([](Connection& db) { return CountPending(db); });
  }
  Result<std::optional<std::int64_t>> OldestQueuedDueAt() override {
    return readers_.With([](Connection& db) { return postgres::OldestQueuedDueAt(db); });
  }
  Result<std::optional<IdempotencyRecord>> FindIdempotencyKey(std::string_view domain,
                                                              std::string_view key,
                                                              std::int64_t now_ms) override {
    return readers_.With(
        [&](Connection& db) { return postgres::FindIdempotencyKey(db, domain, key, now_ms); });
  }
  Result<std::optional<Session>> FindSession(std::string_view token_hash,
                                             std::int64_t now_ms) override {
    return readers_.With(
        [&](Connection& db) { return postgres::FindSession(db, token_hash, now_ms); });
  }
  Result<std::vector<TrustedAddress>> ListTrustedAddresses(std::int64_t since_ms,
                                                           int limit) override {
    return readers_.With(
        [&](Connection& db) { return postgres::ListTrustedAddresses(db, since_ms, limit); });
  }
  Result<std::vector<WebhookEvent>> UnappliedWebhooks(std::int64_t received_before_ms,
                                                      int limit) override {
    return readers_.With(
        [&](Connection& db) { return postgres::UnappliedWebhooks(db, received_before_ms, limit); });
  }
  void SetCallbackDomains(std::vector<std::string> domains) override {
    std::lock_guard lock(writer_mutex_);
    callback_domains_ = std::move(domains);
  }
  Result<std::vector<CallbackRecord>> ListCallbacks(const CallbackQuery& query) override {
    return readers_.With([&](Connection& db) { return postgres::ListCallbacks(db, query); });
  }
  Result<std::vector<UnfinishedDelivery>> UnfinishedDeliveries(int limit) override {
    return readers_.With([&](Connection& db) { return postgres::UnfinishedDeliveries(db, limit); });
  }
  Result<std::vector<StoredCatalog>> LoadCatalogs() override {
    return readers_.With([](Connection& db) { return postgres::LoadCatalogs(db); });
  }
  Result<std::int64_t> CatalogVersion() override {
    return readers_.With([](Connection& db) { return postgres::CatalogVersion(db); });
  }
  Result<std::optional<std::int64_t>> LastInboundAt(std::string_view service_phone,
                                                    std::string_view customer_phone) override {
    return readers_.With(
        [&](Connection& db) { return postgres::LastInboundAt(db, service_phone, customer_phone); });
  }
  Result<std::optional<ChatRecord>> FindChat(std::string_view domain, std::string_view chat_id,
                                             std::int64_t now_ms) override {
    SG_ASSIGN_OR_RETURN(auto chat, readers_.With([&](Connection& db) {
      return postgres::FindChatRow(db, domain, chat_id);
    }));
    if (chat) ShowIdleEnd(*chat, now_ms, chat_idle_ms_);
    return chat;
  }
  Result<std::optional<ChatRecord>> ActiveChat(std::string_view service_phone,
                                               std::string_view customer_phone,
                                               std::int64_t now_ms) override {
    SG_ASSIGN_OR_RETURN(auto chat, readers_.With([&](Connection& db) {
      return postgres::ActiveChatRow(db, service_phone, customer_phone);
    }));
    return ActiveAsOf(std::move(chat), now_ms, chat_idle_ms_);
  }
  Result<std::vector<StoredMessage>> ChatOutbound(std::string_view chat_id, int limit) override {
    if (limit < 1 || limit > kMaxInboundListLimit) {
      return core::MakeError(
          core::ErrorCode::kInvalidArgument,
          "chat messages: limit must be 1 to " + std::to_string(kMaxInboundListLimit));
    }
    return readers_.With(
        [&](Connection& db) { return postgres::ChatOutbound(db, chat_id, limit); });
  }
  Result<std::optional<InboundMedia>> FindInboundMedia(std::string_view domain,
                                                       std::string_view id) override {
    return readers_.With(
        [&](Connection& db) { return postgres::FindInboundMedia(db, domain, id); });
  }
  Result<std::vector<ChatRecord>> CustomerChats(const ChatQuery& query) override {
    if (query.limit < 1 || query.limit > kMaxChatListLimit) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             "chats: limit must be 1 to " + std::to_string(kMaxChatListLimit));
    }
    SG_ASSIGN_OR_RETURN(auto chats, readers_.With([&](Connection& db) {
      return postgres::CustomerChats(db, query);
    }));
    for (ChatRecord& chat : chats) ShowIdleEnd(chat, query.now_ms, chat_idle_ms_);
    return chats;
  }
  Result<std::vector<InboundRecord>> InboundMessages(std::string_view chat_id, int limit) override {
    if (limit < 1 || limit > kMaxInboundListLimit) {
      return core::MakeError(
          core::ErrorCode::kInvalidArgument,
          "inbound messages: limit must be 1 to " + std::to_string(kMaxInboundListLimit));
    }
    return readers_.With(
        [&](Connection& db) { return postgres::InboundMessages(db, chat_id, limit); });
  }

 private:
  GroupCommitter& committer() override { return committer_; }

  // Transactor: the committer's view of its connection.
  void Hold(const std::function<void()>& batch) override {
    std::lock_guard lock(writer_mutex_);
    batch();
  }
  // Also where a lost connection is reopened: every batch begins with it.
  Result<void> RollBack(std::string_view after) override {
    if (writer_->Broken()) return writer_->Reconnect();
    return writer_->RollBack(after);
  }
  // A connection the server closed while it was idle (a restart, an idle timeout) shows only
  // when used: BEGIN finds it, and nothing has been written yet, so it is reopened and BEGIN
  // tried once more rather than failing the batch.
  Result<void> Begin() override {
    auto begun = writer_->Exec("BEGIN");
    if (begun || !writer_->Broken()) return begun;
    SG_RETURN_IF_ERROR(writer_->Reconnect());
    return writer_->Exec("BEGIN");
  }
  Result<Written> Apply(const Write& write) override;
  bool ApplyAll(const std::vector<const Write*>& batch,
                std::vector<Result<Written>>& results) override;
  bool InTransaction() override { return writer_->InTransaction(); }
  Result<void> Savepoint() override { return writer_->Exec("SAVEPOINT write"); }
  Result<void> RollBackToSavepoint() override {
    return writer_->Exec("ROLLBACK TO SAVEPOINT write");
  }
  Result<void> ReleaseSavepoint() override { return writer_->Exec("RELEASE SAVEPOINT write"); }
  Result<void> Commit(std::int64_t outbox_depth_change) override {
    if (outbox_depth_change != 0) {
      SG_RETURN_IF_ERROR(MoveOutboxDepth(*writer_, depth_counter_, outbox_depth_change));
    }
    return writer_->Commit();
  }
  core::Error RolledBack() override {
    return DatabaseError("transaction", "rolled back: the connection to the database was lost");
  }

  std::mutex writer_mutex_;  // the committer's connection
  std::unique_ptr<Connection> writer_;
  std::uint64_t inserts_ = 0;          // under writer_mutex_
  std::uint64_t applications_ = 0;     // webhook applications, for their purge; likewise
  std::uint64_t callback_claims_ = 0;  // for theirs; likewise
  CallbackDomains callback_domains_;   // set before any write (SetCallbackDomains)
  ConnectionPool readers_;
  const std::string depth_counter_;  // this store's row of outbox_depth

  GroupCommitter committer_{*this};
};

// A batch's new messages go in with one statement (a round trip and a plan for all of them, not
// one each: the engine's ingest rate), and so do its give-backs and its acceptances (one per
// message sent, or handed back to the queue), before its other writes, which keep their order.
// (Such a write depends on no other write of its batch, and none depends on it: an idempotent
// answer comes after its message's insert is committed, an outcome after its claim's.)
bool PostgresStorage::ApplyAll(const std::vector<const Write*>& batch,
                               std::vector<Result<Written>>& results) {
  std::vector<bool> done(batch.size(), false);
  // The writes of one kind that go together, and where their results go.
  const auto gather = [&](auto is_kind, auto& items, std::vector<Result<Written>*>& out) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (const auto* item = is_kind(*batch[i])) {
        items.push_back(item);
        out.push_back(&results[i]);
      }
    }
    if (items.size() < 2) return false;  // one goes the usual way
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (is_kind(*batch[i]) != nullptr) done[i] = true;
    }
    return true;
  };
  bool clean = true;
  {
    std::vector<const NewMessage*> messages;
    std::vector<Result<Written>*> out;
    if (gather([](const Write& w) { return std::get_if<NewMessage>(&w); }, messages, out)) {
      clean = InsertMessages(*writer_, messages, out, inserts_, chat_idle_ms_);
      if (writer_->TransactionFailed() || !writer_->InTransaction()) return false;
    }
  }
  for (const auto kind : {AttemptEnd::Kind::kGivenBack, AttemptEnd::Kind::kAccepted}) {
    std::vector<const AttemptEnd*> ends;
    std::vector<Result<Written>*> out;
    const auto of_kind = [kind](const Write& w) -> const AttemptEnd* {
      const auto* e = std::get_if<AttemptEnd>(&w);
      return e != nullptr && e->kind == kind ? e : nullptr;
    };
    if (gather(of_kind, ends, out) && !EndAttempts(*writer_, kind, ends, out, callback_domains_)) {
      return false;
    }
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (done[i]) continue;
    results[i] = Apply(*batch[i]);
    if (results[i]) continue;
    // Clean failures: an outcome whose lease was lost changed nothing (its UPDATE found no row),
    // nor did a new message whose id is in use (ON CONFLICT DO NOTHING). Anything else may have
    // left part of the write, or failed the transaction.
    const core::ErrorCode code = results[i].error().code;
    const bool nothing_written = !writer_->TransactionFailed() &&
                                 code == core::ErrorCode::kNotFound &&
                                 std::holds_alternative<AttemptEnd>(*batch[i]);
    if (!nothing_written) return false;
  }
  return clean && writer_->InTransaction();
}

Result<Written> PostgresStorage::Apply(const Write& write) {
  Connection& db = *writer_;
  return std::visit(
      core::Overloaded{
          [&](const NewMessage& m) {
            return postgres::InsertMessage(db, m, inserts_, chat_idle_ms_);
          },
          [&](const AttemptEnd& e) { return postgres::EndAttempt(db, e, callback_domains_); },
          [&](const ClaimRequest& r) { return postgres::ClaimDue(db, r); },
          [&](const LeaseExtension& x) { return postgres::ExtendLeases(db, x); },
          [&](const LeaseRelease& r) { return postgres::ReleaseLeases(db, r); },
          [&](const WebhookEvent& e) {
            StatusStatements table(db, callback_domains_);
            return ReceiveWebhook(table, e);
          },
          [&](const WebhookApplication& a) {
            StatusStatements table(db, callback_domains_);
            ConversationStatements conversations(db, &callback_domains_);
            return ApplyWebhook(table, conversations, a, chat_idle_ms_, applications_);
          },
          [&](const ReceivedWebhook& r) {
            StatusStatements table(db, callback_domains_);
            ConversationStatements conversations(db, &callback_domains_);
            return ReceiveAndApplyWebhook(table, conversations, r, chat_idle_ms_, applications_);
          },
          [&](const CallbackClaim& c) { return postgres::ClaimCallbacks(db, c, callback_claims_); },
          [&](const CallbackOutcome& o) { return postgres::RecordCallback(db, o); },
          [&](const IdempotentAnswer& a) { return postgres::SaveIdempotentAnswer(db, a); },
          [&](const Session& s) { return postgres::CreateSession(db, s); },
          [&](const SessionDeletion& d) { return postgres::DeleteSession(db, d); },
          [&](const TrustedAddressSave& t) { return postgres::SaveTrustedAddress(db, t); },
          [&](const NumberLeaseRenewal& r) {
            NumberLeaseStatements table(db);
            return RenewNumberLeases(table, r);
          },
          [&](const NumberLeaseRelease& r) {
            NumberLeaseStatements table(db);
            return store::ReleaseNumberLeases(table, r);
          },
          [&](const StoredCatalog& c) { return postgres::ReplaceCatalog(db, c); },
          [&](const TemplateStatusChange& c) { return postgres::SetTemplateStatus(db, c); },
          [&](const ChatEnd& e) {
            ConversationStatements conversations(db);
            return EndChatWrite(conversations, e, chat_idle_ms_);
          },
          [&](const MediaFetchClaim& c) { return postgres::ClaimMediaFetches(db, c); },
          [&](const MediaFetchOutcome& o) { return postgres::RecordMediaFetch(db, o); },
          [&](const CustomerErasure& e) { return postgres::EraseCustomer(db, e); },
          [&](const ContentErasure& e) { return postgres::EraseContent(db, e); },
          [&](const MessageDeletion& d) { return postgres::DeleteOldMessages(db, d); },
          [](const SpaceReclaim&) { return Result<Written>(Written{}); },
          [&](const MessageRetry& r) { return postgres::RetryMessage(db, r); },
      },
      write);
}

// libpq's keywords and values: our defaults, then the URL (expanded by libpq), whose own
// parameters win.
std::pair<std::vector<std::string>, std::vector<std::string>> ConnectParameters(
    const std::string& url) {
  std::vector<std::string> keywords;
  std::vector<std::string> values;
  for (const auto& [k, v] : kDefaults) {
    keywords.push_back(k);
    values.push_back(v);
  }
  keywords.emplace_back("dbname");
  values.push_back(url);
  return {keywords, values};
}

// Refuses a URL libpq cannot read, or one that holds a password.
Result<void> CheckUrl(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    std::string detail = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    while (!detail.empty() && detail.back() == '\n') detail.pop_back();
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "storage url is not a PostgreSQL URL libpq can read: " + detail);
  }
  bool has_password = false;
  for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (std::string_view(o->keyword) == "password" && o->val != nullptr && *o->val != '\0') {
      has_password = true;
    }
  }
  PQconninfoFree(options);
  if (has_password) {
    return core::MakeError(
        core::ErrorCode::kInvalidArgument,
        "storage url must not hold a password (it would be in the configuration file and the "
        "log): give it in the PGPASSWORD environment variable or in ~/.pgpass");
  }
  return {};
}

}  // namespace

Result<StoragePtr> OpenPostgresUrl(const std::string& url) {
  SG_RETURN_IF_ERROR(CheckUrl(url));
  const auto [keywords, values] = ConnectParameters(url);
  SG_ASSIGN_OR_RETURN(auto writer, Connection::Open(keywords, values));
  SG_RETURN_IF_ERROR(Migrate(*writer));
  std::string depth_counter = util::NewInstanceName();
  SG_RETURN_IF_ERROR(FoldOutboxDepth(*writer, depth_counter));
  std::vector<std::unique_ptr<Connection>> readers;
  for (int i = 0; i < kReadConnections; ++i) {
    SG_ASSIGN_OR_RETURN(auto reader, Connection::Open(keywords, values));
    readers.push_back(std::move(reader));
  }
  auto storage = std::make_unique<PostgresStorage>(std::move(writer), std::move(readers),
                                                   std::move(depth_counter));
  storage->Start();
  return StoragePtr(std::move(storage));
}

}  // namespace socialgate::store::postgres
