// File: store/store.hpp
//
// The durable outbox. Every accepted message is inserted before the caller gets an answer; the
// dispatcher claims due messages with a lease (owner + expiry), sends them, and records the
// outcome; providers report delivery statuses (sent, delivered, read, failed) against the
// provider's message id. Schema and states: docs/architecture.md.
//
// Message status, as the API shows it (persisted as these exact strings):
//   queued -> sending -> accepted -> sent -> delivered -> read
//                     \-> queued (retry later)   \-> failed (at any point)
// Delivery statuses only move forward: a late "delivered" after "read" is recorded in the
// history but does not change the current status.
//
// Thread safety: implementations are safe to call from many threads at once. Every call but the
// ...Async ones may block on disk I/O: never call it from an HTTP I/O thread. The ...Async ones
// only queue their write.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/message.hpp"

namespace socialgate::store {

struct StatusEvent {
  std::string status;
  std::int64_t at_ms = 0;  // Unix milliseconds
  std::string detail;      // e.g. the provider's error, or the reason for a retry
};

struct StoredMessage {
  std::string id;
  std::string domain;
  core::TemplateMessage message;  // header without its bytes (see Store::MediaBytes)
  std::string status;
  int attempts = 0;
  std::int64_t next_attempt_at_ms = 0;
  std::string provider_message_id;
  std::string wa_id;
  std::string error_code;     // provider's or gateway's code, empty when none
  std::string error_message;  // the sentence the caller sees
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::vector<StatusEvent> history;  // oldest first (Get only)
};

// A message the provider accepted whose delivery has not reached a final status.
struct UnfinishedDelivery {
  std::string service_phone;
  std::string provider_message_id;
  std::string status;  // accepted, sent or delivered
};

constexpr std::int64_t kIdempotencyKeyLifetimeMs = 24LL * 3600 * 1000;

// The Idempotency-Key of a request: stored with its message, in the same transaction.
struct IdempotencyKey {
  std::string key;
  std::string request_hash;
};

// What a key recorded: its message, and the first answer once it was given.
struct IdempotencyRecord {
  std::string message_id;
  std::string request_hash;
  std::optional<int> answer_status;
  std::string answer_body;
};

// A login session (CTLive's ctlivetoken). Only the token's SHA-256 is stored.
struct Session {
  std::string token_hash;
  std::string domain;
  std::string user;
  std::int64_t created_at_ms = 0;
  std::int64_t expires_at_ms = 0;
};

// An address from which a user has authenticated successfully (see auth::Lockout).
struct TrustedAddress {
  std::string domain;
  std::string user;
  std::string address;
  std::int64_t last_success_ms = 0;  // Unix ms
};

struct NewMessage {
  std::string id;
  std::string domain;
  core::TemplateMessage message;
  std::int64_t now_ms = 0;
  std::int64_t due_at_ms = 0;  // first attempt not before this (0: now_ms)
  std::optional<IdempotencyKey> idempotency;
};

// How a claimed attempt ended, for RecordAttemptAsync: the same records as MarkAccepted,
// MarkFailed, Reschedule and Release.
struct AttemptEnd {
  enum class Kind { kAccepted, kFailed, kRescheduled, kGivenBack };
  Kind kind = Kind::kRescheduled;
  std::string id;
  std::string owner;
  std::string provider_message_id;      // kAccepted
  std::string wa_id;                    // kAccepted
  std::string error_code;               // kFailed, kRescheduled
  std::string error_message;            // kFailed, kRescheduled
  std::int64_t next_attempt_at_ms = 0;  // kRescheduled, kGivenBack
  std::int64_t now_ms = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  Store(Store&&) = delete;
  Store& operator=(Store&&) = delete;

  // Durably stores a new message in status `queued`, due now, with its idempotency key if any.
  // Returns kAlreadyExists for a duplicate id or a key already used in the domain (nothing is
  // stored then), kUnavailable when the disk or database refuses the write.
  virtual core::Result<void> Insert(const NewMessage& message) = 0;
  // Insert without waiting: `done` gets the same result once the write is durable (or refused),
  // on the store's own thread; it must not block. Writes are grouped, so many concurrent
  // inserts share one commit (one fsync).
  //
  // New messages are the only writes the store refuses for load: when too many writes wait for
  // the disk, Insert and InsertAsync answer kUnavailable at once (InsertAsync on the caller's
  // thread) and nothing is stored. Every other write follows from work already accepted (a
  // claim, its outcome, a lease, a delivery status) and is always queued: refusing it would lose
  // an outcome or send a message twice.
  virtual void InsertAsync(NewMessage message, std::function<void(core::Result<void>)> done) = 0;
  // Returns once every write queued before the call has been committed and answered (its
  // `done` has run): at shutdown, before what those callbacks use is torn down.
  virtual void Flush() = 0;

  // The record of an idempotency key in `domain`; nullopt when the key is unknown or expired.
  // A key holds for a day (kIdempotencyKeyLifetimeMs), then may be used again.
  virtual core::Result<std::optional<IdempotencyRecord>> FindIdempotencyKey(
      std::string_view domain, std::string_view key, std::int64_t now_ms) = 0;

  // Records the first answer given for a key (later calls do not overwrite it).
  virtual core::Result<void> SaveIdempotentAnswer(std::string_view domain, std::string_view key,
                                                  int status, std::string_view body) = 0;

  // The message with its status history, without header bytes; nullopt when no such id exists
  // in `domain` (a message of another domain is not found, not forbidden).
  virtual core::Result<std::optional<StoredMessage>> Get(std::string_view domain,
                                                         std::string_view id) = 0;

  // Claims up to `limit` messages that are queued and due at `now_ms`, or whose lease expired,
  // for `owner` until now_ms + lease_ms, moving them to `sending` and counting an attempt.
  // Queued messages of the business numbers in `skip_numbers` (throttled right now) are left
  // alone. A media header comes without its bytes: thousands of claimed messages wait for
  // their slot, and only a send that uploads needs them (MediaBytes). No message is held by two
  // live leases.
  virtual core::Result<std::vector<StoredMessage>> ClaimDue(
      std::int64_t now_ms, std::string_view owner, std::int64_t lease_ms, int limit,
      const std::vector<std::string>& skip_numbers) = 0;

  // What ClaimDueAsync hands over: the claimed messages and, when fewer than `limit` were due,
  // the earliest time a queued message becomes due or a lease expires once they are claimed
  // (nothing else is due before then, but for the skipped numbers and messages stored since);
  // nullopt when there is none.
  struct Claim {
    std::vector<StoredMessage> messages;
    std::optional<std::int64_t> next_due_at_ms;
  };
  // ClaimDue without waiting for it: `done` is called on the store's thread once the claim is
  // durable (or failed), and must not block.
  virtual void ClaimDueAsync(std::int64_t now_ms, std::string owner, std::int64_t lease_ms,
                             int limit, std::vector<std::string> skip_numbers,
                             std::function<void(core::Result<Claim>)> done) = 0;

  // The bytes of message `id`'s media header; kNotFound when it has none.
  virtual core::Result<std::string> MediaBytes(std::string_view id) = 0;

  // Pushes the lease of each of `ids` still held by `owner` to `lease_until_ms`, so a send that
  // takes long (slow provider, a batch of claims) is not claimed by another worker meanwhile.
  virtual core::Result<void> ExtendLeases(const std::vector<std::string>& ids,
                                          std::string_view owner, std::int64_t lease_until_ms) = 0;

  // Gives a claimed message back unsent (a rate limit or an open circuit said "not now"): it
  // is queued again, due at `next_attempt_at_ms`, and the claim does not count as an attempt.
  // kNotFound when `owner` no longer holds the lease.
  virtual core::Result<void> Release(std::string_view id, std::string_view owner,
                                     std::int64_t next_attempt_at_ms) = 0;

  // Outcome of an attempt, recorded only while `owner` holds the lease (kNotFound otherwise:
  // the lease was lost and another worker owns the message now).
  virtual core::Result<void> MarkAccepted(std::string_view id, std::string_view owner,
                                          std::string_view provider_message_id,
                                          std::string_view wa_id, std::int64_t now_ms) = 0;
  virtual core::Result<void> MarkFailed(std::string_view id, std::string_view owner,
                                        std::string_view error_code, std::string_view error_message,
                                        std::int64_t now_ms) = 0;
  virtual core::Result<void> Reschedule(std::string_view id, std::string_view owner,
                                        std::int64_t next_attempt_at_ms,
                                        std::string_view error_code, std::string_view error_message,
                                        std::int64_t now_ms) = 0;

  // Any of the four above without waiting: `done` gets the same result once the record is
  // durable (or refused), on the store's own thread; it must not block. Records are grouped
  // into shared commits like InsertAsync.
  virtual void RecordAttemptAsync(AttemptEnd end, std::function<void(core::Result<void>)> done) = 0;

  // A delivery status from the provider, matched by its message id. Unknown ids are
  // kNotFound. Moves the current status forward only (see the file comment).
  virtual core::Result<void> RecordDeliveryStatus(std::string_view provider_message_id,
                                                  std::string_view status, std::int64_t at_ms,
                                                  std::string_view detail) = 0;
  // RecordDeliveryStatus without waiting: `done` gets the same result once the record is durable
  // (or refused), on the store's own thread; it must not block. Records are grouped into shared
  // commits like InsertAsync.
  virtual void RecordDeliveryStatusAsync(std::string provider_message_id, std::string status,
                                         std::int64_t at_ms, std::string detail,
                                         std::function<void(core::Result<void>)> done) = 0;

  // Returns every message leased by `owner` to `queued`, due now (clean shutdown).
  virtual core::Result<int> ReleaseLeases(std::string_view owner, std::int64_t now_ms) = 0;

  // Up to `limit` messages accepted by a provider and not yet read or failed, oldest first, so
  // a provider that tracks delivery itself (the sandbox) can resume after a restart.
  virtual core::Result<std::vector<UnfinishedDelivery>> UnfinishedDeliveries(int limit) = 0;

  // Login sessions. FindSession returns only unexpired sessions; DeleteSession returns whether
  // there was one. Expired sessions are removed now and then by CreateSession.
  virtual core::Result<void> CreateSession(const Session& session) = 0;
  virtual core::Result<std::optional<Session>> FindSession(std::string_view token_hash,
                                                           std::int64_t now_ms) = 0;
  virtual core::Result<bool> DeleteSession(std::string_view token_hash) = 0;

  // Records that `trusted.user` authenticated from `trusted.address` (a newer time replaces an
  // older one) without waiting: `done` gets the result on the store's thread and must not
  // block. Entries whose last success is older than `forget_before_ms` are removed meanwhile.
  virtual void SaveTrustedAddressAsync(TrustedAddress trusted, std::int64_t forget_before_ms,
                                       std::function<void(core::Result<void>)> done) = 0;
  // The trusted addresses whose last success is at `since_ms` or later, newest first, at most
  // `limit`.
  virtual core::Result<std::vector<TrustedAddress>> TrustedAddresses(std::int64_t since_ms,
                                                                     int limit) = 0;

  // Messages in status queued or sending: the outbox depth.
  virtual core::Result<std::int64_t> PendingCount() = 0;
};

using StorePtr = std::unique_ptr<Store>;

// Opens the store named by a URL: "sqlite:PATH" (relative to the working directory) or
// "sqlite::memory:". Creates the schema or migrates it to the current version.
core::Result<StorePtr> OpenStore(std::string_view url);

}  // namespace socialgate::store
