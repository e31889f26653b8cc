// File: store/callbacks.hpp
//
// Callbacks to callers: each change of a message's status, for a domain that has a callback URL,
// is a callback row written in the same commit as the change (and so is each customer's message,
// store/conversations.hpp: a callback with `inbound`) (by the engine, wherever a status
// changes: an attempt's outcome, a provider's report). A sender claims due callbacks with a lease,
// posts them, and records how each went. A message's callbacks go out in the order of its
// changes: one is claimed only when no earlier one of the same message is still pending.
//
// Thread safety: safe to call from many threads at once. SetCallbackDomains is called before
// any write, and again at a configuration reload: batches committed after it use the new list. The
// ...Async calls only queue their write (`done` runs on the store's thread and must not block);
// ListCallbacks may block on I/O.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/message_status.hpp"
#include "store/conversations.hpp"

namespace socialgate::store {

// A claimed callback, with what its body needs.
struct CallbackDelivery {
  std::string id;  // the webhook-id, the same on every attempt
  std::string domain;
  std::string message_id;
  core::MessageStatus status = core::MessageStatus::kAccepted;  // the message's new status
  std::int64_t at_ms = 0;                                       // when it changed
  std::string source;  // who reported it: "" the gateway, "meta", "sandbox"
  std::string error_code;
  std::string error_message;
  int attempts = 0;  // this one included
  std::int64_t created_at_ms = 0;
  // Of the message:
  std::string service_phone;
  std::string customer_phone;
  std::string provider_message_id;
  // A customer's message (message.received) rather than a status change: the message, and
  // `status` means nothing.
  std::optional<InboundRecord> inbound;
};

// Callbacks::ClaimCallbacksAsync.
struct CallbackClaim {
  std::int64_t now_ms = 0;
  std::string owner;
  std::int64_t lease_ms = 0;
  int limit = 0;
};

// How an attempt to post a callback ended (Callbacks::RecordCallbackAsync).
struct CallbackOutcome {
  enum class Kind { kDelivered, kRetry, kFailed };
  Kind kind = Kind::kRetry;
  std::string id;
  std::string owner;
  std::int64_t now_ms = 0;
  std::int64_t next_attempt_at_ms = 0;  // kRetry
  std::string error;                    // kRetry, kFailed: what the receiver did
};

// A callback as the operator sees it (Callbacks::ListCallbacks).
struct CallbackRecord {
  std::string id;
  std::string message_id;  // a customer's message's: the provider's id
  bool received = false;   // a customer's message (message.received), not a status change
  core::MessageStatus status = core::MessageStatus::kAccepted;  // a status change's
  std::int64_t at_ms = 0;
  std::string state;  // pending, delivered, failed
  int attempts = 0;
  std::string last_error;
  std::int64_t created_at_ms = 0;
  std::int64_t finished_at_ms = 0;  // 0 while pending
  std::int64_t seq = 0;             // the position, for the next page
};

struct CallbackQuery {
  std::string domain;
  std::string state;  // "" for every state
  int limit = 100;
  std::int64_t before_seq = 0;  // 0: from the newest
};

// Delivered callbacks are deleted this long after delivery, failed ones this long after they
// were given up (a few at a time, as claims commit).
inline constexpr std::int64_t kKeepDeliveredCallbacksMs = 7LL * 24 * 3600 * 1000;
inline constexpr std::int64_t kKeepFailedCallbacksMs = 30LL * 24 * 3600 * 1000;

class Callbacks {
 public:
  virtual ~Callbacks() = default;
  Callbacks() = default;
  Callbacks(const Callbacks&) = delete;
  Callbacks& operator=(const Callbacks&) = delete;
  Callbacks(Callbacks&&) = delete;
  Callbacks& operator=(Callbacks&&) = delete;

  // The domains whose status changes become callbacks (those with a callback URL); none until
  // this is called. Called before any write, and again at each configuration reload.
  virtual void SetCallbackDomains(std::vector<std::string> domains) = 0;

  // Claims up to `limit` due callbacks (pending, due, not leased by a live lease), each the
  // earliest pending one of its message, for `owner` until now_ms + lease_ms, counting an
  // attempt. Always queued.
  virtual void ClaimCallbacksAsync(
      CallbackClaim claim,
      std::function<void(core::Result<std::vector<CallbackDelivery>>)> done) = 0;

  // Records an attempt's outcome while `owner` holds the lease (kNotFound otherwise). Always
  // queued.
  virtual void RecordCallbackAsync(CallbackOutcome outcome,
                                   std::function<void(core::Result<void>)> done) = 0;

  // A domain's callbacks, newest first.
  virtual core::Result<std::vector<CallbackRecord>> ListCallbacks(const CallbackQuery& query) = 0;
};

}  // namespace socialgate::store
