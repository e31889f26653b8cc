#include "store/sqlite/retention_statements.hpp"

#include <set>
#include <string>
#include <vector>

namespace socialgate::store::sqlite {
namespace {

using core::Result;

struct DoomedMessage {
  std::string id;
  std::int64_t created_at = 0;
  std::string chat_id;
};

struct DoomedInbound {
  std::int64_t seq = 0;
  std::string id;
  std::string chat_id;
};

// The domain's oldest final sent messages stored before the horizon (messages_list, read
// backwards), without a callback waiting to be delivered (callbacks_by_message).
Result<std::vector<DoomedMessage>> FindSent(Connection& db, const MessageDeletion& d) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("SELECT id, created_at, chat_id FROM messages WHERE domain = ?1 AND created_at < "
                 "?2 AND status NOT IN ('queued', 'sending') AND NOT EXISTS (SELECT 1 FROM "
                 "callbacks c WHERE c.message_id = messages.id AND c.state = 'pending') "
                 "ORDER BY created_at LIMIT ?3"));
  Statement s(stmt);
  s.Bind(d.domain).Bind(d.before_ms).Bind(static_cast<std::int64_t>(d.limit));
  std::vector<DoomedMessage> out;
  int rc = 0;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back({s.Text(0), s.Int64(1), s.Text(2)});
  if (rc != SQLITE_DONE) return tl::unexpected(db.Error("find old messages"));
  return out;
}

// The domain's oldest received messages (inbound_by_age) whose media is not waiting to be
// fetched and whose callback is not waiting to be delivered.
Result<std::vector<DoomedInbound>> FindReceived(Connection& db, const MessageDeletion& d) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("SELECT seq, id, chat_id FROM inbound_messages WHERE domain = ?1 AND "
                 "received_at < ?2 AND media_state <> 'pending' AND NOT EXISTS (SELECT 1 FROM "
                 "callbacks c WHERE c.message_id = inbound_messages.id AND c.inbound_seq = "
                 "inbound_messages.seq AND c.state = 'pending') ORDER BY received_at LIMIT ?3"));
  Statement s(stmt);
  s.Bind(d.domain).Bind(d.before_ms).Bind(static_cast<std::int64_t>(d.limit));
  std::vector<DoomedInbound> out;
  int rc = 0;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back({s.Int64(0), s.Text(1), s.Text(2)});
  if (rc != SQLITE_DONE) return tl::unexpected(db.Error("find old inbound messages"));
  return out;
}

Result<void> DeleteSent(Connection& db, const DoomedMessage& m) {
  // Children before the message (foreign keys). An idempotency key is stored with its message's
  // created_at (and moved with it when the key is taken again): idempotency_keys_by_age finds
  // it without a scan.
  static const char* const kStatements[] = {
      "DELETE FROM idempotency_keys WHERE created_at = ?2 AND message_id = ?1",
      "DELETE FROM message_media WHERE message_id = ?1",
      "DELETE FROM message_events WHERE message_id = ?1",
      "DELETE FROM held_statuses WHERE message_id = ?1 AND message_id <> ''",
      "DELETE FROM callbacks WHERE message_id = ?1 AND inbound_seq IS NULL",
      "DELETE FROM messages WHERE id = ?1",
  };
  for (const char* sql : kStatements) {
    SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql));
    Statement s(stmt);
    s.Bind(m.id);
    if (sqlite3_bind_parameter_count(stmt) > 1) s.Bind(m.created_at);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("delete old message"));
  }
  return {};
}

Result<void> DeleteReceived(Connection& db, const DoomedInbound& m) {
  static const char* const kStatements[] = {
      "DELETE FROM inbound_media WHERE inbound_seq = ?1",
      "DELETE FROM callbacks WHERE message_id = ?2 AND inbound_seq = ?1",
      "DELETE FROM inbound_messages WHERE seq = ?1",
  };
  for (const char* sql : kStatements) {
    SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql));
    Statement s(stmt);
    s.Bind(m.seq);
    if (sqlite3_bind_parameter_count(stmt) > 1) s.Bind(m.id);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("delete old inbound message"));
  }
  return {};
}

// A chat of the deleted messages goes once none of its messages either way is left
// (messages_by_chat, inbound_by_chat).
Result<int> DeleteEmptyChats(Connection& db, const MessageDeletion& d,
                             const std::set<std::string>& chat_ids) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("DELETE FROM chats WHERE id = ?1 AND domain = ?2 AND last_message_at < ?3 AND "
                 "NOT EXISTS (SELECT 1 FROM messages WHERE chat_id = ?1 AND chat_id <> '') AND "
                 "NOT EXISTS (SELECT 1 FROM inbound_messages WHERE chat_id = ?1)"));
  int deleted = 0;
  for (const std::string& id : chat_ids) {
    Statement s(stmt);
    s.Bind(id).Bind(d.domain).Bind(d.before_ms);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("delete old chat"));
    deleted += db.Changes();
  }
  return deleted;
}

Result<std::int64_t> PragmaValue(Connection& db, const char* pragma) {
  SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare(pragma));
  Statement s(stmt);
  if (s.Step() != SQLITE_ROW) return tl::unexpected(db.Error(pragma));
  return s.Int64(0);
}

}  // namespace

Result<Written> DeleteOldMessages(Connection& db, const MessageDeletion& deletion) {
  SG_ASSIGN_OR_RETURN(auto sent, FindSent(db, deletion));
  SG_ASSIGN_OR_RETURN(auto received, FindReceived(db, deletion));
  std::set<std::string> chat_ids;
  for (const DoomedMessage& m : sent) {
    SG_RETURN_IF_ERROR(DeleteSent(db, m));
    if (!m.chat_id.empty()) chat_ids.insert(m.chat_id);
  }
  for (const DoomedInbound& m : received) {
    SG_RETURN_IF_ERROR(DeleteReceived(db, m));
    if (!m.chat_id.empty()) chat_ids.insert(m.chat_id);
  }
  Written written;
  SG_ASSIGN_OR_RETURN(written.deleted.chats, DeleteEmptyChats(db, deletion, chat_ids));
  written.deleted.messages = static_cast<int>(sent.size());
  written.deleted.inbound = static_cast<int>(received.size());
  return written;
}

Result<Written> ReclaimSpace(Connection& db, std::int64_t max_pages) {
  Written written;
  // 2: INCREMENTAL. A database made before socialgate set it is NONE (0) until a VACUUM
  // (docs/operations.md, Retention); its free pages are reused by later writes anyway.
  SG_ASSIGN_OR_RETURN(const std::int64_t mode, PragmaValue(db, "PRAGMA auto_vacuum"));
  if (mode != 2) return written;
  SG_ASSIGN_OR_RETURN(const std::int64_t before, PragmaValue(db, "PRAGMA freelist_count"));
  if (before == 0) return written;
  const std::string sql = "PRAGMA incremental_vacuum(" + std::to_string(max_pages) + ")";
  SG_RETURN_IF_ERROR(db.Exec(sql.c_str()));
  SG_ASSIGN_OR_RETURN(const std::int64_t after, PragmaValue(db, "PRAGMA freelist_count"));
  written.changed = static_cast<int>(before - after);
  return written;
}

}  // namespace socialgate::store::sqlite
