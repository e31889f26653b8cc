// File: retention/message_retention.hpp
//
// The domains' message retention ([[domains]] message_retention_ms; 30 days unless a domain
// says otherwise, 0: kept for ever): the `sg-msg-retain` thread, every [conversations]
// retention_interval_ms, deletes each such domain's final messages once they are older than its
// retention (store::Conversations::DeleteOldMessages: sent messages no longer waiting to be sent
// or sending, whatever status they reached, since no report comes for them that late; received
// ones; with everything that hangs off them, and the chats left empty), then gives the freed
// pages back (store::Storage::ReclaimSpace: SQLite's incremental vacuum).
//
// It never holds the store's writes up for long (RetentionLimits): a batch is at most 200
// messages each way, one commit queued among the others; a round does at most 50 batches per
// domain, and when a domain had more, the next round starts 100 ms later instead of after the
// interval (a large backlog, such as the first start with a retention, goes a batch at a time
// with the sends' commits in between). The free pages go back 256 at a time, at most 32 times a
// round.
//
// Counts socialgate_retention_deleted_messages_total{direction="outbound"|"inbound"}, and logs a
// line per round that deleted something.
//
// Thread safety: Start and Stop from one thread. Lifetime: `storage` must outlive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "retention/content_retention.hpp"
#include "retention/round_thread.hpp"
#include "store/storage.hpp"
#include "util/clock.hpp"

namespace socialgate::retention {

// How much a round does (the defaults; tests make them small).
struct RetentionLimits {
  int batch = 200;                               // messages each way per batch (one commit)
  int max_batches = 50;                          // per domain and round
  std::chrono::milliseconds backlog_pause{100};  // before the next round when one had more
  std::int64_t reclaim_pages = 256;              // free pages given back per call
  int max_reclaims = 32;                         // calls per round
};

// What one round did.
struct RetentionRound {
  std::int64_t sent = 0;      // sent messages deleted
  std::int64_t received = 0;  // received messages deleted
  std::int64_t chats = 0;
  std::int64_t pages = 0;  // free pages given back
  bool more = false;       // a domain had more to delete than a round does
};

class MessageRetention {
 public:
  // `domains`: those with a retention (a positive one).
  MessageRetention(store::Storage& storage, std::vector<DomainRetention> domains,
                   std::chrono::milliseconds interval,
                   const util::Clock& clock = util::SystemClock(), RetentionLimits limits = {});
  ~MessageRetention();  // Stop()
  MessageRetention(const MessageRetention&) = delete;
  MessageRetention& operator=(const MessageRetention&) = delete;
  MessageRetention(MessageRetention&&) = delete;
  MessageRetention& operator=(MessageRetention&&) = delete;

  // Does nothing when no domain has a retention.
  void Start();
  void Stop();

  // One round, on the caller's thread. A domain the store fails for is logged and left to the
  // next round; the others go on.
  RetentionRound RunOnce();

 private:
  store::Storage& storage_;
  const std::vector<DomainRetention> domains_;
  const std::chrono::milliseconds interval_;
  const util::Clock& clock_;
  const RetentionLimits limits_;

  RoundThread thread_;  // last: stopped before the members its rounds use go
};

}  // namespace socialgate::retention
