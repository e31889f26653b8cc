// File: store/write.hpp
//
// A write to the store as data: what the group committer (group_committer.hpp) queues, batches
// and hands to the engine to apply inside a transaction. A record holds everything its write
// needs, so the engine may apply it again after a rollback without any state beside the
// database; what it produced comes back as a Written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "store/callbacks.hpp"
#include "store/conversations.hpp"
#include "store/delivery_statuses.hpp"
#include "store/number_leases.hpp"
#include "store/records.hpp"
#include "store/sessions.hpp"
#include "store/template_catalogs.hpp"
#include "store/trusted_addresses.hpp"

namespace socialgate::store {

// Outbox::ClaimDueAsync.
struct ClaimRequest {
  std::int64_t now_ms = 0;
  std::string owner;
  std::int64_t lease_ms = 0;
  int limit = 0;
  std::vector<std::string> skip_numbers;
};

// Outbox::ExtendLeases.
struct LeaseExtension {
  std::vector<std::string> ids;
  std::string owner;
  std::int64_t lease_until_ms = 0;
};

// Outbox::ReleaseLeases.
struct LeaseRelease {
  std::string owner;
  std::int64_t now_ms = 0;
};

// IdempotencyKeys::SaveIdempotentAnswer.
struct IdempotentAnswer {
  std::string domain;
  std::string key;
  int status = 0;
  std::string body;
};

// Sessions::CreateSession is a Session; Sessions::DeleteSession:
struct SessionDeletion {
  std::string token_hash;
};

// TrustedAddresses::SaveTrustedAddressAsync.
struct TrustedAddressSave {
  TrustedAddress trusted;
  std::int64_t forget_before_ms = 0;
};

// NumberLeases::ReleaseNumberLeases.
struct NumberLeaseRelease {
  std::string owner;
  std::int64_t now_ms = 0;
  std::int64_t handover_ms = 0;
};

// DeliveryStatuses::ReceiveWebhookAsync is a WebhookEvent; ApplyWebhookAsync a
// WebhookApplication; ReceiveAndApplyWebhookAsync a ReceivedWebhook. Callbacks::ClaimCallbacksAsync
// is a CallbackClaim; RecordCallbackAsync a CallbackOutcome. TemplateCatalogs::ReplaceCatalog is a
// StoredCatalog (checked before it is queued: committed_writes.cpp); SetTemplateStatus a
// TemplateStatusChange. Conversations::EndChat is a ChatEnd; ClaimMediaFetchesAsync a
// MediaFetchClaim; RecordMediaFetchAsync a MediaFetchOutcome; EraseCustomer a CustomerErasure;
// EraseContent a ContentErasure; DeleteOldMessages a MessageDeletion. Storage::ReclaimSpace is a
// SpaceReclaim; Outbox::RetryMessage a MessageRetry.
struct SpaceReclaim {
  std::int64_t max_pages = 0;
};
using Write =
    std::variant<NewMessage, AttemptEnd, ClaimRequest, LeaseExtension, LeaseRelease, WebhookEvent,
                 WebhookApplication, ReceivedWebhook, IdempotentAnswer, Session, SessionDeletion,
                 TrustedAddressSave, NumberLeaseRenewal, NumberLeaseRelease, CallbackClaim,
                 CallbackOutcome, StoredCatalog, TemplateStatusChange, ChatEnd, MediaFetchClaim,
                 MediaFetchOutcome, CustomerErasure, ContentErasure, MessageDeletion, SpaceReclaim,
                 MessageRetry>;

// What applying a write produced.
struct Written {
  std::optional<Claim> claim;        // a ClaimRequest's claim
  std::vector<std::string> numbers;  // a NumberLeaseRenewal's: the numbers held now
  // LeaseRelease: messages given back; SessionDeletion: sessions deleted; TemplateStatusChange:
  // templates whose status changed; ChatEnd: the ChatEndOutcome; ContentErasure: messages
  // emptied; SpaceReclaim: pages given back.
  int changed = 0;
  WebhookApplied webhook;                   // a WebhookApplication's
  std::string chat_id;                      // a NewMessage's: the chat it joined
  std::vector<MediaFetch> media_fetches;    // a MediaFetchClaim's
  CustomerErased erased;                    // a CustomerErasure's
  MessagesDeleted deleted;                  // a MessageDeletion's
  std::vector<CallbackDelivery> callbacks;  // a CallbackClaim's
  // A MessageRetry's: what it did.
  RetryOutcome retried = RetryOutcome::kNotFound;
  // How much the outbox depth (queued + sending messages) moves if the write is committed.
  std::int64_t outbox_depth_change = 0;
};

// What a write does when the committer's queue is full (GroupCommitter::kMaxQueuedWrites).
enum class WhenFull {
  kRefuse,  // refused at once with kUnavailable: nothing is stored
  kQueue,   // waits its turn, however long the queue
};

// New messages, received webhook events (applied at once or not) and trusted addresses are refused
// under load: a new message or event was not accepted yet (the caller answers 503 and sends it
// again), and an address is trusted in memory anyway, only not after a restart. Everything else
// follows from work already accepted (a claim, its outcome, a lease, a delivery status, a session,
// a recorded answer) and always waits its turn: refusing it would lose an outcome or send a message
// twice. A template catalog's write waits too: it is rare, and refused it would leave the catalog
// stale until the next synchronisation. Those need no bound of their own, theirs is elsewhere:
// attempt outcomes and give-backs are one per claimed message, at most the dispatcher's
// max_in_flight; claims and number lease renewals come one at a time per dispatcher; webhook
// applications are one per event received, and their applier keeps a bounded number in flight; a
// synchronous write holds its caller's thread.
inline WhenFull WhenFullFor(const Write& write) {
  return std::holds_alternative<NewMessage>(write) || std::holds_alternative<WebhookEvent>(write) ||
                 std::holds_alternative<ReceivedWebhook>(write) ||
                 std::holds_alternative<TrustedAddressSave>(write)
             ? WhenFull::kRefuse
             : WhenFull::kQueue;
}

}  // namespace socialgate::store
