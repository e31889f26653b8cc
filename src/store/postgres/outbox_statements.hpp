// File: store/postgres/outbox_statements.hpp
//
// The outbox's SQL in PostgreSQL: messages, their media and their status history (tables
// messages, message_media, message_events), as store/sqlite/outbox_statements.hpp does for
// SQLite. Statements that go together (a row and its event, a claim and its events and media)
// are one statement of data-modifying CTEs: one round trip to the server each.
//
// Claims take their rows FOR UPDATE SKIP LOCKED: instances claiming at once take different
// messages, and none waits for another's transaction. The writes run on the committer, inside
// its transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/postgres/callback_statements.hpp"
#include "store/postgres/connection.hpp"
#include "store/records.hpp"
#include "store/write.hpp"

namespace socialgate::store::postgres {

// A message row's columns (of `messages` as `m`): its own, then its content's
// (message_content.hpp), then its media's metadata (of `message_media` as `mm`, NULL without
// media): a statement selects them FROM messages m LEFT JOIN message_media mm.
std::string MessageColumns();
// Row `row` of MessageColumns(), without history; its media with its metadata, not its bytes.
core::Result<StoredMessage> ReadMessageRow(const Rows& rows, int row);

// The status in `column` of row `row`; a name core::ParseMessageStatus does not know is
// kInternal (the database holds what this binary never wrote).
core::Result<core::MessageStatus> StatusColumn(const Rows& rows, int row, int column);

// Appends to a message's status history.
core::Result<void> AddEvent(Connection& db, std::string_view id, core::MessageStatus status,
                            std::int64_t at_ms, std::string_view detail);

// The message and its `queued` event, its media and its idempotency key: kAlreadyExists for an
// id or a key in use. The message joins its chat (store/conversation_table.hpp; chats idle after
// chat_idle_ms end). Every 1024th insert (counted in `inserts`) also clears out the expired
// idempotency keys, in the same transaction.
core::Result<Written> InsertMessage(Connection& db, const NewMessage& m, std::uint64_t& inserts,
                                    std::int64_t chat_idle_ms);

// Inserts many new messages and their `queued` events with one statement (after one that joins
// their chats: JoinChats), then each one's media and idempotency key; results[i] answers
// messages[i]: kAlreadyExists for an id in use (nothing of that message is written but its
// chat's last message time). False when a message's media or key failed after its row was
// inserted: the transaction holds part of that write (see Transactor::ApplyAll).
bool InsertMessages(Connection& db, const std::vector<const NewMessage*>& messages,
                    const std::vector<core::Result<Written>*>& results, std::uint64_t& inserts,
                    std::int64_t chat_idle_ms);

// Records many attempt outcomes of one kind (kGivenBack or kAccepted; see EndAttempt) with one
// statement; results[i] answers ends[i]: kNotFound when the lease was lost (nothing of that one
// is written), as EndAttempt answers. An error of the statement fails every result.
core::Result<void> EndAttempts(Connection& db, AttemptEnd::Kind kind,
                               const std::vector<const AttemptEnd*>& ends,
                               const std::vector<core::Result<Written>*>& results,
                               const CallbackDomains& callbacks);

// Fills Written::claim.
core::Result<Written> ClaimDue(Connection& db, const ClaimRequest& request);
// With its callback, for an outcome that changes what the caller sees (accepted, failed), when
// the message's domain is one of `callbacks`.
core::Result<Written> EndAttempt(Connection& db, const AttemptEnd& end,
                                 const CallbackDomains& callbacks);
core::Result<Written> ExtendLeases(Connection& db, const LeaseExtension& extension);
// Written::changed: how many were given back.
core::Result<Written> ReleaseLeases(Connection& db, const LeaseRelease& release);

// The message with its history and pricing, read by one statement: one snapshot, one round
// trip.
core::Result<std::optional<StoredMessage>> GetMessage(Connection& db, std::string_view domain,
                                                      std::string_view id);
core::Result<std::string> MediaBytes(Connection& db, std::string_view id);
core::Result<std::vector<AttemptState>> AttemptStates(Connection& db,
                                                      const std::vector<std::string>& ids);
// Messages queued or sending: the sum of the outbox_depth counters.
core::Result<std::int64_t> CountPending(Connection& db);
// Outbox::OldestQueuedDueAt.
core::Result<std::optional<std::int64_t>> OldestQueuedDueAt(Connection& db);
// Moves `counter`'s row of outbox_depth by `change`, in the open transaction.
core::Result<void> MoveOutboxDepth(Connection& db, std::string_view counter, std::int64_t change);
// Folds every row of outbox_depth into `counter`'s (at open: the rows of stores closed since).
core::Result<void> FoldOutboxDepth(Connection& db, std::string_view counter);

}  // namespace socialgate::store::postgres
