// File: store/records.hpp
//
// The message records the store's interfaces exchange: a new message as the API hands it over,
// a stored message as the outbox gives it back, how a claimed attempt ended, and the message
// list's query and pages. Schema and states: docs/architecture.md.
//
// Message statuses: core/message_status.hpp (persisted and shown by their names).
// Delivery statuses only move forward: a late "delivered" after "read" is recorded in the
// history but does not change the current status (see status_order.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/message.hpp"
#include "core/message_status.hpp"

namespace socialgate::store {

struct StatusEvent {
  core::MessageStatus status = core::MessageStatus::kQueued;
  std::int64_t at_ms = 0;  // Unix milliseconds
  std::string detail;      // e.g. the provider's error, or the reason for a retry
  std::string source;      // who reported it: "" the gateway itself, "meta", "sandbox"
};

// What the provider says a message costs (Meta's `pricing` in a status webhook).
struct Pricing {
  std::optional<bool> billable;
  std::string category;       // marketing, utility, authentication, service, ...
  std::string pricing_model;  // PMP, CBP
  std::string type;           // regular, free_customer_service, free_entry_point
  bool operator==(const Pricing&) const = default;
};

// The conversation a message was billed in (Meta's legacy `conversation`).
struct Conversation {
  std::string id;
  std::string origin_type;         // marketing, utility, service, ...
  std::int64_t expires_at_ms = 0;  // 0: not said
  bool operator==(const Conversation&) const = default;
};

struct StoredMessage {
  std::string id;
  std::string domain;
  core::OutboundMessage message;  // its media (core::MediaOf) without bytes: Outbox::MediaBytes
  core::MessageStatus status = core::MessageStatus::kQueued;
  int attempts = 0;
  std::int64_t next_attempt_at_ms = 0;
  std::string provider_message_id;
  std::string wa_id;
  std::string error_code;     // provider's or gateway's code, empty when none
  std::string error_message;  // the sentence the caller sees
  std::string chat_id;        // the chat it joined when stored (store/conversations.hpp)
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::vector<StatusEvent> history;          // oldest first (Outbox::Get only)
  std::optional<Pricing> pricing;            // the latest reported (Outbox::Get only)
  std::optional<Conversation> conversation;  // the latest reported (Outbox::Get only)
};

constexpr std::int64_t kIdempotencyKeyLifetimeMs = 24LL * 3600 * 1000;

// The Idempotency-Key of a request: stored with its message, in the same transaction.
struct IdempotencyKey {
  std::string key;
  std::string request_hash;
};

struct NewMessage {
  std::string id;
  std::string domain;
  core::OutboundMessage message;  // any kind; its media's bytes are stored apart from the row
  std::int64_t now_ms = 0;
  std::int64_t due_at_ms = 0;  // first attempt not before this (0: now_ms)
  std::optional<IdempotencyKey> idempotency;
};

// What storing a new message did (Outbox::InsertAsync).
struct Inserted {
  std::string chat_id;  // the chat it joined (store/conversations.hpp)
};

// Where a message's attempts stand (Outbox::AttemptStates).
struct AttemptState {
  std::string id;
  core::MessageStatus status = core::MessageStatus::kQueued;
  int attempts = 0;  // attempts begun (a claim given back unsent is not one)
  std::string provider_message_id;
  std::string error_code;
  std::string error_message;
};

// How a claimed attempt ended (Outbox::RecordAttemptAsync).
struct AttemptEnd {
  enum class Kind {
    kAccepted,     // the provider took it: `accepted` with its message id
    kFailed,       // for good: `failed` with the reason
    kRescheduled,  // back to `queued`, due at next_attempt_at_ms, the attempt counted
    kGivenBack,    // unsent ("not now"): `queued`, due at next_attempt_at_ms, not counted
  };
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

// A failed message put back in the queue by an operator (Outbox::RetryMessage).
struct MessageRetry {
  std::string domain;
  std::string id;
  std::int64_t now_ms = 0;
  std::string detail;  // the history entry's detail, e.g. "retried from the command line"
};

// What Outbox::RetryMessage did.
enum class RetryOutcome {
  kRequeued,   // it was failed and is queued now, due at once, with a fresh attempt budget
  kNotFound,   // no such message in the domain: nothing changed
  kNotFailed,  // the message is not failed (queued, sending, accepted, ...): nothing changed
};

// A place in the message list's order (newest first: created_at descending, then id
// descending): the last message of a page. The next page holds the messages after it.
struct ListPosition {
  std::int64_t created_at_ms = 0;
  std::string id;
};

// The most messages one page of the list holds (Outbox::ListMessages).
inline constexpr int kMaxMessageListLimit = 1000;

// Which messages Outbox::ListMessages lists: those of `domain` that match every filter given.
// The strings are compared exactly (phone numbers as stored: E.164 digits).
struct MessageQuery {
  std::string domain;
  std::vector<core::MessageStatus> statuses;  // any of these; empty: any status
  // The business numbers the caller may see (a user limited to some numbers); empty: all.
  std::vector<std::string> service_phones_allowed;
  std::string service_phone;            // "": any
  std::string customer_phone;           // "": any
  std::string template_name;            // "": any
  std::optional<std::int64_t> from_ms;  // created at or after (Unix ms)
  std::optional<std::int64_t> to_ms;    // created before (Unix ms)
  int limit = 100;                      // 1..kMaxMessageListLimit
  std::optional<ListPosition> after;    // the previous page's `next`; nullopt: the first page
};

// One page of the list: newest first, each message without its history (its media's metadata
// as Get gives it); `next` is where the following page starts, nullopt on the last page.
struct MessagePage {
  std::vector<StoredMessage> messages;
  std::optional<ListPosition> next;
};

// What a claim hands over: the claimed messages and, when fewer than the limit were due, the
// earliest time a queued message becomes due or another owner's lease expires once they are
// claimed (nothing else is due before then, but for the skipped numbers and messages stored
// since); nullopt when there is none.
struct Claim {
  std::vector<StoredMessage> messages;
  std::optional<std::int64_t> next_due_at_ms;
};

}  // namespace socialgate::store
