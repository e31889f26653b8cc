// File: tests/unit/support/failing_storage.hpp
//
// A store that fails on purpose: it wraps a real Storage and passes every call through, except
// that the next N calls of a kind answer kUnavailable (as a full disk would) without reaching
// it. For tests of what the store's callers do when it fails. An asynchronous call that fails
// answers at once, on its caller's thread (as a refused write does).
//
// Thread safety: as the wrapped store; FailNext and Calls may be called from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/storage.hpp"

namespace socialgate::testing {

class FailingStorage final : public store::Storage,
                             public store::Outbox,
                             public store::IdempotencyKeys,
                             public store::Sessions,
                             public store::TrustedAddresses,
                             public store::DeliveryStatuses,
                             public store::NumberLeases,
                             public store::Callbacks,
                             public store::TemplateCatalogs,
                             public store::Conversations {
 public:
  enum class Kind : std::size_t {
    kInsert,
    kGet,
    kListMessages,
    kClaim,
    kMediaBytes,
    kExtendLeases,
    kAttemptEnd,
    kReleaseLeases,
    kRetryMessage,
    kPendingCount,
    kAttemptStates,
    kFindIdempotencyKey,
    kSaveIdempotentAnswer,
    kCreateSession,
    kFindSession,
    kDeleteSession,
    kSaveTrustedAddress,
    kListTrustedAddresses,
    kReceiveWebhook,
    kApplyWebhook,
    kReceiveAndApplyWebhook,
    kUnappliedWebhooks,
    kUnfinishedDeliveries,
    kRenewNumberLeases,
    kReleaseNumberLeases,
    kClaimCallbacks,
    kRecordCallback,
    kListCallbacks,
    kReplaceCatalog,
    kLoadCatalogs,
    kSetTemplateStatus,
    kCatalogVersion,
    kLastInboundAt,
    kFindChat,
    kActiveChat,
    kEndChat,
    kInboundMessages,
    kChatOutbound,
    kCustomerChats,
    kClaimMediaFetches,
    kRecordMediaFetch,
    kFindInboundMedia,
    kEraseCustomer,
    kEraseContent,
    kDeleteOldMessages,
    kReclaimSpace,
    kCount,  // not a kind
  };

  explicit FailingStorage(store::StoragePtr inner) : inner_(std::move(inner)) {}

  // The next `n` calls of `kind` fail with kUnavailable.
  void FailNext(Kind kind, int n) {
    std::lock_guard lock(mutex_);
    failing_[Index(kind)] = n;
  }
  // How many calls of `kind` were made, failed or not.
  int Calls(Kind kind) {
    std::lock_guard lock(mutex_);
    return calls_[Index(kind)];
  }
  store::Storage& inner() { return *inner_; }

  // Storage
  store::Outbox& outbox() override { return *this; }
  store::IdempotencyKeys& idempotency_keys() override { return *this; }
  store::Sessions& sessions() override { return *this; }
  store::TrustedAddresses& trusted_addresses() override { return *this; }
  store::DeliveryStatuses& delivery_statuses() override { return *this; }
  store::NumberLeases& number_leases() override { return *this; }
  store::Callbacks& callbacks() override { return *this; }
  store::TemplateCatalogs& template_catalogs() override { return *this; }
  store::Conversations& conversations() override { return *this; }
  void Drain() override { inner_->Drain(); }
  core::Result<std::int64_t> ReclaimSpace(std::int64_t max_pages) override {
    if (Fails(Kind::kReclaimSpace)) return Failure();
    return inner_->ReclaimSpace(max_pages);
  }

  // Outbox
  void InsertAsync(store::NewMessage m,
                   std::function<void(core::Result<store::Inserted>)> done) override {
    if (Fails(Kind::kInsert)) return done(Failure());
    inner_->outbox().InsertAsync(std::move(m), std::move(done));
  }
  core::Result<std::optional<store::StoredMessage>> Get(std::string_view domain,
                                                        std::string_view id) override {
    if (Fails(Kind::kGet)) return Failure();
    return inner_->outbox().Get(domain, id);
  }
  core::Result<store::MessagePage> ListMessages(const store::MessageQuery& query) override {
    if (Fails(Kind::kListMessages)) return Failure();
    return inner_->outbox().ListMessages(query);
  }
  void ClaimDueAsync(std::int64_t now_ms, std::string owner, std::int64_t lease_ms, int limit,
                     std::vector<std::string> skip_numbers,
                     std::function<void(core::Result<store::Claim>)> done) override {
    if (Fails(Kind::kClaim)) return done(Failure());
    inner_->outbox().ClaimDueAsync(now_ms, std::move(owner), lease_ms, limit,
                                   std::move(skip_numbers), std::move(done));
  }
  core::Result<std::string> MediaBytes(std::string_view id) override {
    if (Fails(Kind::kMediaBytes)) return Failure();
    return inner_->outbox().MediaBytes(id);
  }
  core::Result<void> ExtendLeases(const std::vector<std::string>& ids, std::string_view owner,
                                  std::int64_t lease_until_ms) override {
    if (Fails(Kind::kExtendLeases)) return Failure();
    return inner_->outbox().ExtendLeases(ids, owner, lease_until_ms);
  }
  void RecordAttemptAsync(store::AttemptEnd end,
                          std::function<void(core::Result<void>)> done) override {
    if (Fails(Kind::kAttemptEnd)) return done(Failure());
    inner_->outbox().RecordAttemptAsync(std::move(end), std::move(done));
  }
  core::Result<int> ReleaseLeases(std::string_view owner, std::int64_t now_ms) override {
    if (Fails(Kind::kReleaseLeases)) return Failure();
    return inner_->outbox().ReleaseLeases(owner, now_ms);
  }
  core::Result<store::RetryOutcome> RetryMessage(const store::MessageRetry& retry) override {
    if (Fails(Kind::kRetryMessage)) return Failure();
    return inner_->outbox().RetryMessage(retry);
  }
  core::Result<std::vector<store::AttemptState>> AttemptStates(
      const std::vector<std::string>& ids) override {
    if (Fails(Kind::kAttemptStates)) return Failure();
    return inner_->outbox().AttemptStates(ids);
  }
  core::Result<std::int64_t> PendingCount() override {
    if (Fails(Kind::kPendingCount)) return Failure();
    return inner_->outbox().PendingCount();
  }
  core::Result<std::optional<std::int64_t>> OldestQueuedDueAt() override {
    if (Fails(Kind::kPendingCount)) return Failure();
    return inner_->outbox().OldestQueuedDueAt();
  }

  // IdempotencyKeys
  core::Result<std::optional<store::IdempotencyRecord>> FindIdempotencyKey(
      std::string_view domain, std::string_view key, std::int64_t now_ms) override {
    if (Fails(Kind::kFindIdempotencyKey)) return Failure();
    return inner_->idempotency_keys().FindIdempotencyKey(domain, key, now_ms);
  }
  core::Result<void> SaveIdempotentAnswer(std::string_view domain, std::string_view key, int status,
                                          std::string_view body) override {
    if (Fails(Kind::kSaveIdempotentAnswer)) return Failure();
    return inner_->idempotency_keys().SaveIdempotentAnswer(domain, key, status, body);
  }

  // Sessions
  core::Result<void> CreateSession(const store::Session& session) override {
    if (Fails(Kind::kCreateSession)) return Failure();
    return inner_->sessions().CreateSession(session);
  }
  core::Result<std::optional<store::Session>> FindSession(std::string_view token_hash,
                                                          std::int64_t now_ms) override {
    if (Fails(Kind::kFindSession)) return Failure();
    return inner_->sessions().FindSession(token_hash, now_ms);
  }
  core::Result<bool> DeleteSession(std::string_view token_hash) override {
    if (Fails(Kind::kDeleteSession)) return Failure();
    return inner_->sessions().DeleteSession(token_hash);
  }

  // TrustedAddresses
  void SaveTrustedAddressAsync(store::TrustedAddress trusted, std::int64_t forget_before_ms,
                               std::function<void(core::Result<void>)> done) override {
    if (Fails(Kind::kSaveTrustedAddress)) return done(Failure());
    inner_->trusted_addresses().SaveTrustedAddressAsync(std::move(trusted), forget_before_ms,
                                                        std::move(done));
  }
  core::Result<std::vector<store::TrustedAddress>> ListTrustedAddresses(std::int64_t since_ms,
                                                                        int limit) override {
    if (Fails(Kind::kListTrustedAddresses)) return Failure();
    return inner_->trusted_addresses().ListTrustedAddresses(since_ms, limit);
  }

  // DeliveryStatuses
  void ReceiveWebhookAsync(store::WebhookEvent event,
                           std::function<void(core::Result<void>)> done) override {
    if (Fails(Kind::kReceiveWebhook)) return done(Failure());
    inner_->delivery_statuses().ReceiveWebhookAsync(std::move(event), std::move(done));
  }
  void ApplyWebhookAsync(store::WebhookApplication application,
                         std::function<void(core::Result<store::WebhookApplied>)> done) override {
    if (Fails(Kind::kApplyWebhook)) return done(Failure());
    inner_->delivery_statuses().ApplyWebhookAsync(std::move(application), std::move(done));
  }
  void ReceiveAndApplyWebhookAsync(
      store::WebhookEvent event, store::WebhookApplication application,
      std::function<void(core::Result<store::WebhookApplied>)> done) override {
    if (Fails(Kind::kReceiveAndApplyWebhook)) return done(Failure());
    inner_->delivery_statuses().ReceiveAndApplyWebhookAsync(
        std::move(event), std::move(application), std::move(done));
  }
  core::Result<std::vector<store::WebhookEvent>> UnappliedWebhooks(std::int64_t received_before_ms,
                                                                   int limit) override {
    if (Fails(Kind::kUnappliedWebhooks)) return Failure();
    return inner_->delivery_statuses().UnappliedWebhooks(received_before_ms, limit);
  }
  core::Result<std::vector<store::UnfinishedDelivery>> UnfinishedDeliveries(int limit) override {
    if (Fails(Kind::kUnfinishedDeliveries)) return Failure();
    return inner_->delivery_statuses().UnfinishedDeliveries(limit);
  }

  // Callbacks
  void SetCallbackDomains(std::vector<std::string> domains) override {
    inner_->callbacks().SetCallbackDomains(std::move(domains));
  }
  void ClaimCallbacksAsync(
      store::CallbackClaim claim,
      std::function<void(core::Result<std::vector<store::CallbackDelivery>>)> done) override {
    if (Fails(Kind::kClaimCallbacks)) return done(Failure());
    inner_->callbacks().ClaimCallbacksAsync(std::move(claim), std::move(done));
  }
  void RecordCallbackAsync(store::CallbackOutcome outcome,
                           std::function<void(core::Result<void>)> done) override {
    if (Fails(Kind::kRecordCallback)) return done(Failure());
    inner_->callbacks().RecordCallbackAsync(std::move(outcome), std::move(done));
  }
  core::Result<std::vector<store::CallbackRecord>> ListCallbacks(
      const store::CallbackQuery& query) override {
    if (Fails(Kind::kListCallbacks)) return Failure();
    return inner_->callbacks().ListCallbacks(query);
  }

  // NumberLeases
  void RenewNumberLeasesAsync(
      store::NumberLeaseRenewal renewal,
      std::function<void(core::Result<std::vector<std::string>>)> done) override {
    if (Fails(Kind::kRenewNumberLeases)) return done(Failure());
    inner_->number_leases().RenewNumberLeasesAsync(std::move(renewal), std::move(done));
  }
  core::Result<void> ReleaseNumberLeases(std::string_view owner, std::int64_t now_ms,
                                         std::int64_t handover_ms) override {
    if (Fails(Kind::kReleaseNumberLeases)) return Failure();
    return inner_->number_leases().ReleaseNumberLeases(owner, now_ms, handover_ms);
  }

  // TemplateCatalogs
  core::Result<void> ReplaceCatalog(const store::StoredCatalog& catalog) override {
    if (Fails(Kind::kReplaceCatalog)) return Failure();
    return inner_->template_catalogs().ReplaceCatalog(catalog);
  }
  core::Result<std::vector<store::StoredCatalog>> LoadCatalogs() override {
    if (Fails(Kind::kLoadCatalogs)) return Failure();
    return inner_->template_catalogs().LoadCatalogs();
  }
  core::Result<int> SetTemplateStatus(const store::TemplateStatusChange& change) override {
    if (Fails(Kind::kSetTemplateStatus)) return Failure();
    return inner_->template_catalogs().SetTemplateStatus(change);
  }
  core::Result<std::int64_t> CatalogVersion() override {
    if (Fails(Kind::kCatalogVersion)) return Failure();
    return inner_->template_catalogs().CatalogVersion();
  }

  // Conversations
  void SetChatIdleTimeout(std::int64_t idle_ms) override {
    inner_->conversations().SetChatIdleTimeout(idle_ms);
  }
  core::Result<std::optional<std::int64_t>> LastInboundAt(
      std::string_view service_phone, std::string_view customer_phone) override {
    if (Fails(Kind::kLastInboundAt)) return Failure();
    return inner_->conversations().LastInboundAt(service_phone, customer_phone);
  }
  core::Result<std::optional<store::ChatRecord>> FindChat(std::string_view domain,
                                                          std::string_view chat_id,
                                                          std::int64_t now_ms) override {
    if (Fails(Kind::kFindChat)) return Failure();
    return inner_->conversations().FindChat(domain, chat_id, now_ms);
  }
  core::Result<std::optional<store::ChatRecord>> ActiveChat(std::string_view service_phone,
                                                            std::string_view customer_phone,
                                                            std::int64_t now_ms) override {
    if (Fails(Kind::kActiveChat)) return Failure();
    return inner_->conversations().ActiveChat(service_phone, customer_phone, now_ms);
  }
  core::Result<store::ChatEndOutcome> EndChat(const store::ChatEnd& end) override {
    if (Fails(Kind::kEndChat)) return Failure();
    return inner_->conversations().EndChat(end);
  }
  core::Result<std::vector<store::InboundRecord>> InboundMessages(std::string_view chat_id,
                                                                  int limit) override {
    if (Fails(Kind::kInboundMessages)) return Failure();
    return inner_->conversations().InboundMessages(chat_id, limit);
  }
  core::Result<std::vector<store::StoredMessage>> ChatOutbound(std::string_view chat_id,
                                                               int limit) override {
    if (Fails(Kind::kChatOutbound)) return Failure();
    return inner_->conversations().ChatOutbound(chat_id, limit);
  }
  core::Result<std::vector<store::ChatRecord>> CustomerChats(
      const store::ChatQuery& query) override {
    if (Fails(Kind::kCustomerChats)) return Failure();
    return inner_->conversations().CustomerChats(query);
  }
  void ClaimMediaFetchesAsync(
      store::MediaFetchClaim claim,
      std::function<void(core::Result<std::vector<store::MediaFetch>>)> done) override {
    if (Fails(Kind::kClaimMediaFetches)) return done(Failure());
    inner_->conversations().ClaimMediaFetchesAsync(claim, std::move(done));
  }
  void RecordMediaFetchAsync(store::MediaFetchOutcome outcome,
                             std::function<void(core::Result<void>)> done) override {
    if (Fails(Kind::kRecordMediaFetch)) return done(Failure());
    inner_->conversations().RecordMediaFetchAsync(std::move(outcome), std::move(done));
  }
  core::Result<std::optional<store::InboundMedia>> FindInboundMedia(std::string_view domain,
                                                                    std::string_view id) override {
    if (Fails(Kind::kFindInboundMedia)) return Failure();
    return inner_->conversations().FindInboundMedia(domain, id);
  }
  core::Result<store::CustomerErased> EraseCustomer(
      const store::CustomerErasure& erasure) override {
    if (Fails(Kind::kEraseCustomer)) return Failure();
    return inner_->conversations().EraseCustomer(erasure);
  }
  core::Result<int> EraseContent(const store::ContentErasure& erasure) override {
    if (Fails(Kind::kEraseContent)) return Failure();
    return inner_->conversations().EraseContent(erasure);
  }
  core::Result<store::MessagesDeleted> DeleteOldMessages(
      const store::MessageDeletion& deletion) override {
    if (Fails(Kind::kDeleteOldMessages)) return Failure();
    return inner_->conversations().DeleteOldMessages(deletion);
  }

 private:
  static std::size_t Index(Kind kind) { return static_cast<std::size_t>(kind); }
  static tl::unexpected<core::Error> Failure() {
    return core::MakeError(core::ErrorCode::kUnavailable, "storage is unavailable, try again later",
                           "failed on purpose by the test");
  }

  // Counts the call; true when it is to fail.
  bool Fails(Kind kind) {
    std::lock_guard lock(mutex_);
    ++calls_[Index(kind)];
    if (failing_[Index(kind)] == 0) return false;
    --failing_[Index(kind)];
    return true;
  }

  store::StoragePtr inner_;
  std::mutex mutex_;
  std::array<int, static_cast<std::size_t>(Kind::kCount)> failing_{};
  std::array<int, static_cast<std::size_t>(Kind::kCount)> calls_{};
};

}  // namespace socialgate::testing
