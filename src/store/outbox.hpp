// File: store/outbox.hpp
//
// The durable outbox. Every accepted message is inserted before the caller gets an answer; the
// dispatcher claims due messages with a lease (owner + expiry), sends them, and records the
// outcome. Message states: store/records.hpp.
//
// Writes are grouped: every write joins the engine's next group commit, and many concurrent
// writes share one commit (one fsync). The ...Async calls only queue their write; `done` gets the
// result once the write is durable (or refused), on the store's own thread, and must not block.
//
// New messages are the only writes refused for load: when too many writes wait for the disk,
// InsertAsync answers kUnavailable at once (on the caller's thread) and nothing is stored. Every
// other write follows from work already accepted (a claim, its outcome, a lease) and is always
// queued: refusing it would lose an outcome or send a message twice.
//
// Thread safety: safe to call from many threads at once. Every call but the ...Async ones may
// block on disk I/O; a synchronous write called from a `done` callback (the store's own thread)
// runs there and then, as a commit of its own.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/records.hpp"

namespace socialgate::store {

class Outbox {
 public:
  virtual ~Outbox() = default;
  Outbox() = default;
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;
  Outbox(Outbox&&) = delete;
  Outbox& operator=(Outbox&&) = delete;

  // Durably stores a new message in status `queued`, due at its due_at_ms (now_ms when 0), with
  // its idempotency key if any. Answers kAlreadyExists for a duplicate id or a key already used
  // in the domain (nothing is stored then), kUnavailable when the disk or database refuses the
  // write or too many writes wait (see the file comment). Stored, it answers the chat the
  // message joined.
  virtual void InsertAsync(NewMessage message,
                           std::function<void(core::Result<Inserted>)> done) = 0;

  // The message with its status history, without header bytes; nullopt when no such id exists
  // in `domain` (a message of another domain is not found, not forbidden).
  virtual core::Result<std::optional<StoredMessage>> Get(std::string_view domain,
                                                         std::string_view id) = 0;

  // One page of the domain's messages that match `query`, newest first (created_at
  // descending, then id descending), at most query.limit of them, each without its history;
  // page.next is set when more may follow (pass it as query.after for the next page). Keyset
  // pages: a page starts strictly after query.after, so messages stored meanwhile (newer than
  // the first page) neither shift nor repeat the later pages. A query.service_phone outside a
  // non-empty service_phones_allowed gives an empty page. A limit outside
  // 1..kMaxMessageListLimit is kInvalidArgument.
  virtual core::Result<MessagePage> ListMessages(const MessageQuery& query) = 0;

  // Claims up to `limit` messages that are queued and due at `now_ms`, or whose lease by another
  // owner expired, for `owner` until now_ms + lease_ms, moving them to `sending` and counting an
  // attempt, oldest due first. An owner's own expired leases are left to it: it still holds
  // those messages (a lease renewal ran late) and records their outcome, or it is gone and
  // another owner takes them. Queued messages of the business numbers in `skip_numbers`
  // (throttled right now, or sent for by another instance) are left alone. A media header comes
  // without its bytes: thousands of claimed messages wait for their slot, and only a send that
  // uploads needs them (MediaBytes). No message is held by two live leases. `done` gets the
  // claim once it is durable (or failed).
  virtual void ClaimDueAsync(std::int64_t now_ms, std::string owner, std::int64_t lease_ms,
                             int limit, std::vector<std::string> skip_numbers,
                             std::function<void(core::Result<Claim>)> done) = 0;

  // The bytes of message `id`'s media header; kNotFound when it has none.
  virtual core::Result<std::string> MediaBytes(std::string_view id) = 0;

  // Pushes the lease of each of `ids` still held by `owner` to `lease_until_ms`, so a send that
  // takes long (slow provider, a batch of claims) is not claimed by another worker meanwhile.
  virtual core::Result<void> ExtendLeases(const std::vector<std::string>& ids,
                                          std::string_view owner, std::int64_t lease_until_ms) = 0;

  // Records how a claimed attempt ended (see AttemptEnd), only while `end.owner` holds the lease:
  // kNotFound otherwise (the lease was lost and another worker owns the message now).
  virtual void RecordAttemptAsync(AttemptEnd end, std::function<void(core::Result<void>)> done) = 0;

  // Returns every message leased by `owner` to `queued`, due now (clean shutdown); how many.
  virtual core::Result<int> ReleaseLeases(std::string_view owner, std::int64_t now_ms) = 0;

  // Puts message `retry.id` of `retry.domain`, if it is failed, back in the queue: status
  // `queued`, due at retry.now_ms, its attempts counted from 0 again (the domain's max_attempts
  // anew; max_age still counts from its creation), its error cleared and its lease gone; its
  // history keeps every earlier event and gains a `queued` one with retry.detail. A message
  // that does not exist in the domain, or is not failed, is left as it is (kNotFound,
  // kNotFailed). A running dispatcher claims it at its next poll (dispatch.poll_interval_ms).
  virtual core::Result<RetryOutcome> RetryMessage(const MessageRetry& retry) = 0;

  // Where the attempts of messages `ids` stand, any domain's (an unknown id is left out): what
  // an instance waiting for another's first attempt of a message reads (dispatch::AckListeners).
  virtual core::Result<std::vector<AttemptState>> AttemptStates(
      const std::vector<std::string>& ids) = 0;

  // Messages in status queued or sending: the outbox depth.
  virtual core::Result<std::int64_t> PendingCount() = 0;

  // The earliest time (Unix ms) a queued message is due, any domain's; nullopt when none is
  // queued. The metrics' "oldest due message" (its age is now minus this, when in the past).
  virtual core::Result<std::optional<std::int64_t>> OldestQueuedDueAt() = 0;
};

}  // namespace socialgate::store
