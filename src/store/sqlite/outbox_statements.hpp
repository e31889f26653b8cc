// File: store/sqlite/outbox_statements.hpp
//
// The outbox's SQL: messages, their media and their status history (tables messages,
// message_media, message_events). The writes run on the committer, inside its transaction;
// every function needs the connection's mutex held.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/message_status.hpp"
#include "store/records.hpp"
#include "store/sqlite/callback_statements.hpp"
#include "store/sqlite/connection.hpp"
#include "store/write.hpp"

namespace socialgate::store::sqlite {

// A message row's columns (of `messages`): its own, then its content's (message_content.hpp).
extern const std::string kMessageColumns;
// A row of kMessageColumns, without history; its media, if any, present but without metadata
// (ReadMessageMedia fills that).
core::Result<StoredMessage> ReadMessageRow(const Statement& s);
// Fills the metadata of the message's media, if it has any (not its bytes: MediaBytes).
core::Result<void> ReadMessageMedia(Connection& db, StoredMessage& m);

// The status in `column` of the current row; a name core::ParseMessageStatus does not know is
// kInternal (the database holds what this binary never wrote).
core::Result<core::MessageStatus> StatusColumn(const Statement& s, int column);

// Appends to a message's status history.
core::Result<void> AddEvent(Connection& db, std::string_view id, core::MessageStatus status,
                            std::int64_t at_ms, std::string_view detail);

// The message, its media and its idempotency key, and its `queued` event; the message joins its
// chat (store/conversation_table.hpp, chats idle after chat_idle_ms end). Every 1024th insert
// (counted in `inserts`) also clears out the expired idempotency keys, in the same transaction.
core::Result<Written> InsertMessage(Connection& db, const NewMessage& m, std::uint64_t& inserts,
                                    std::int64_t chat_idle_ms);
// Fills Written::claim.
core::Result<Written> ClaimDue(Connection& db, const ClaimRequest& request);
// With its callback, for an outcome that changes what the caller sees (accepted, failed), when
// the message's domain is one of `callbacks`.
core::Result<Written> EndAttempt(Connection& db, const AttemptEnd& end,
                                 const CallbackDomains& callbacks);
core::Result<Written> ExtendLeases(Connection& db, const LeaseExtension& extension);
// Written::changed: how many were given back.
core::Result<Written> ReleaseLeases(Connection& db, const LeaseRelease& release);

core::Result<std::optional<StoredMessage>> GetMessage(Connection& db, std::string_view domain,
                                                      std::string_view id);
core::Result<std::string> MediaBytes(Connection& db, std::string_view id);
core::Result<std::vector<AttemptState>> AttemptStates(Connection& db,
                                                      const std::vector<std::string>& ids);
// Messages queued or sending, counted.
core::Result<std::int64_t> CountPending(Connection& db);
// Outbox::OldestQueuedDueAt.
core::Result<std::optional<std::int64_t>> OldestQueuedDueAt(Connection& db);

}  // namespace socialgate::store::sqlite
