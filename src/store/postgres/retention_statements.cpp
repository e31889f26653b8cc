#include "store/postgres/retention_statements.hpp"

#include <set>
#include <string>
#include <vector>

namespace socialgate::store::postgres {
namespace {

using core::Result;

// One batch each way: the messages and everything that hangs off them in one statement (the
// foreign keys are checked at its end). The sent ones oldest first by messages_list, without a
// callback waiting to be delivered (callbacks_by_message), skipping a row another transaction
// holds (a status being applied: it is final next round); an idempotency key by its message's
// created_at, which it is stored with (idempotency_keys_by_age). Each returns the deleted
// messages' chats.
const Sql kDeleteSent{
    "retention_delete_sent",
    "WITH doomed AS (SELECT id, created_at, chat_id FROM messages WHERE domain = $1 AND "
    "created_at < $2 AND status NOT IN ('queued', 'sending') AND NOT EXISTS (SELECT 1 FROM "
    "callbacks c WHERE c.message_id = messages.id AND c.state = 'pending') ORDER BY created_at "
    "LIMIT $3 FOR UPDATE SKIP LOCKED), "
    "keys AS (DELETE FROM idempotency_keys k USING doomed d WHERE k.created_at = d.created_at "
    "AND k.message_id = d.id), "
    "media AS (DELETE FROM message_media WHERE message_id IN (SELECT id FROM doomed)), "
    "events AS (DELETE FROM message_events WHERE message_id IN (SELECT id FROM doomed)), "
    "held AS (DELETE FROM held_statuses WHERE message_id IN (SELECT id FROM doomed) AND "
    "message_id <> ''), "
    "calls AS (DELETE FROM callbacks WHERE message_id IN (SELECT id FROM doomed) AND "
    "inbound_seq IS NULL), "
    "gone AS (DELETE FROM messages WHERE id IN (SELECT id FROM doomed) RETURNING chat_id) "
    "SELECT chat_id FROM gone"};
// Received ones oldest first (inbound_by_age), their media fetched or given up, without a
// callback waiting to be delivered.
const Sql kDeleteReceived{
    "retention_delete_received",
    "WITH doomed AS (SELECT seq, id, chat_id FROM inbound_messages i WHERE domain = $1 AND "
    "received_at < $2 AND media_state <> 'pending' AND NOT EXISTS (SELECT 1 FROM callbacks c "
    "WHERE c.message_id = i.id AND c.inbound_seq = i.seq AND c.state = 'pending') "
    "ORDER BY received_at LIMIT $3 FOR UPDATE SKIP LOCKED), "
    "media AS (DELETE FROM inbound_media WHERE inbound_seq IN (SELECT seq FROM doomed)), "
    "calls AS (DELETE FROM callbacks c USING doomed d WHERE c.message_id = d.id AND "
    "c.inbound_seq = d.seq), "
    "gone AS (DELETE FROM inbound_messages WHERE seq IN (SELECT seq FROM doomed) "
    "RETURNING chat_id) SELECT chat_id FROM gone"};
// A chat of the deleted messages goes once none of its messages either way is left
// (messages_by_chat, inbound_by_chat).
const Sql kDeleteEmptyChats{
    "retention_delete_chats",
    "DELETE FROM chats WHERE id = ANY($1::text[]) AND domain = $2 AND last_message_at < $3 AND "
    "NOT EXISTS (SELECT 1 FROM messages m WHERE m.chat_id = chats.id AND m.chat_id <> '') AND "
    "NOT EXISTS (SELECT 1 FROM inbound_messages i WHERE i.chat_id = chats.id)"};

}  // namespace

Result<Written> DeleteOldMessages(Connection& db, const MessageDeletion& d) {
  Written written;
  std::set<std::string> chats;
  for (const Sql* sql : {&kDeleteSent, &kDeleteReceived}) {
    Params p;
    p.Text(d.domain).Int(d.before_ms).Int(d.limit);
    SG_ASSIGN_OR_RETURN(Rows rows, db.Run(*sql, p));
    (sql == &kDeleteSent ? written.deleted.messages : written.deleted.inbound) = rows.size();
    for (int i = 0; i < rows.size(); ++i) {
      std::string chat = rows.Text(i, 0);
      if (!chat.empty()) chats.insert(std::move(chat));
    }
  }
  if (chats.empty()) return written;
  Params p;
  p.TextArray(std::vector<std::string>(chats.begin(), chats.end())).Text(d.domain).Int(d.before_ms);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kDeleteEmptyChats, p));
  written.deleted.chats = rows.Changed();
  return written;
}

}  // namespace socialgate::store::postgres
