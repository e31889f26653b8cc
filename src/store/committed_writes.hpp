// File: store/committed_writes.hpp
//
// The writes of every store interface, for any engine with a GroupCommitter: each call becomes
// its write record (write.hpp), queued for the next group commit, and its typed answer is read
// off what applying the record produced. An engine derives from this, supplies its committer and
// implements the reads (the remaining pure virtual methods of the interfaces).
//
// Thread safety: as the interfaces say; the committer does the synchronisation.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/callbacks.hpp"
#include "store/conversations.hpp"
#include "store/delivery_statuses.hpp"
#include "store/group_committer.hpp"
#include "store/idempotency_keys.hpp"
#include "store/number_leases.hpp"
#include "store/outbox.hpp"
#include "store/sessions.hpp"
#include "store/template_catalogs.hpp"
#include "store/trusted_addresses.hpp"

namespace socialgate::store {

class CommittedWrites : public Outbox,
                        public IdempotencyKeys,
                        public Sessions,
                        public TrustedAddresses,
                        public DeliveryStatuses,
                        public NumberLeases,
                        public Callbacks,
                        public TemplateCatalogs,
                        public Conversations {
 public:
  // Outbox
  void InsertAsync(NewMessage message, std::function<void(core::Result<Inserted>)> done) override;
  void ClaimDueAsync(std::int64_t now_ms, std::string owner, std::int64_t lease_ms, int limit,
                     std::vector<std::string> skip_numbers,
                     std::function<void(core::Result<Claim>)> done) override;
  core::Result<void> ExtendLeases(const std::vector<std::string>& ids, std::string_view owner,
                                  std::int64_t lease_until_ms) override;
  void RecordAttemptAsync(AttemptEnd end, std::function<void(core::Result<void>)> done) override;
  core::Result<int> ReleaseLeases(std::string_view owner, std::int64_t now_ms) override;
  core::Result<RetryOutcome> RetryMessage(const MessageRetry& retry) override;

  // IdempotencyKeys
  core::Result<void> SaveIdempotentAnswer(std::string_view domain, std::string_view key, int status,
                                          std::string_view body) override;

  // Sessions
  core::Result<void> CreateSession(const Session& session) override;
  core::Result<bool> DeleteSession(std::string_view token_hash) override;

  // TrustedAddresses
  void SaveTrustedAddressAsync(TrustedAddress trusted, std::int64_t forget_before_ms,
                               std::function<void(core::Result<void>)> done) override;

  // DeliveryStatuses
  void ReceiveWebhookAsync(WebhookEvent event,
                           std::function<void(core::Result<void>)> done) override;
  void ReceiveAndApplyWebhookAsync(WebhookEvent event, WebhookApplication application,
                                   std::function<void(core::Result<WebhookApplied>)> done) override;
  void ApplyWebhookAsync(WebhookApplication application,
                         std::function<void(core::Result<WebhookApplied>)> done) override;

  // Callbacks
  void ClaimCallbacksAsync(
      CallbackClaim claim,
      std::function<void(core::Result<std::vector<CallbackDelivery>>)> done) override;
  void RecordCallbackAsync(CallbackOutcome outcome,
                           std::function<void(core::Result<void>)> done) override;

  // NumberLeases
  void RenewNumberLeasesAsync(
      NumberLeaseRenewal renewal,
      std::function<void(core::Result<std::vector<std::string>>)> done) override;
  core::Result<void> ReleaseNumberLeases(std::string_view owner, std::int64_t now_ms,
                                         std::int64_t handover_ms) override;

  // TemplateCatalogs: the input is checked here, before anything is queued (a refused catalog
  // never reaches the engine).
  core::Result<void> ReplaceCatalog(const StoredCatalog& catalog) override;
  core::Result<int> SetTemplateStatus(const TemplateStatusChange& change) override;

  // Conversations
  void SetChatIdleTimeout(std::int64_t idle_ms) override { chat_idle_ms_ = idle_ms; }
  core::Result<ChatEndOutcome> EndChat(const ChatEnd& end) override;
  void ClaimMediaFetchesAsync(
      MediaFetchClaim claim,
      std::function<void(core::Result<std::vector<MediaFetch>>)> done) override;
  void RecordMediaFetchAsync(MediaFetchOutcome outcome,
                             std::function<void(core::Result<void>)> done) override;
  core::Result<CustomerErased> EraseCustomer(const CustomerErasure& erasure) override;
  core::Result<int> EraseContent(const ContentErasure& erasure) override;
  core::Result<MessagesDeleted> DeleteOldMessages(const MessageDeletion& deletion) override;

 protected:
  // The engine's committer, started before any of the calls above.
  virtual GroupCommitter& committer() = 0;

  // How long a chat lives without a message (SetChatIdleTimeout, before any write): what the
  // engine's writes join chats with, and its reads show idle chats ended by.
  std::int64_t chat_idle_ms_ = kDefaultChatIdleMs;
};

}  // namespace socialgate::store
