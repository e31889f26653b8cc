#include "store/sqlite/conversation_statements.hpp"

#include <utility>

#include "store/sqlite/outbox_statements.hpp"

namespace socialgate::store::sqlite {
namespace {

using core::Result;

#define SG_CHAT_COLUMNS \
  "id, domain, service_phone, customer_phone, opened_at, last_message_at, ended_at, end_reason"

ChatRecord ReadChat(const Statement& s) {
  ChatRecord c;
  c.id = s.Text(0);
  c.domain = s.Text(1);
  c.service_phone = s.Text(2);
  c.customer_phone = s.Text(3);
  c.opened_at_ms = s.Int64(4);
  c.last_message_at_ms = s.Int64(5);
  c.ended_at_ms = s.IsNull(6) ? 0 : s.Int64(6);
  c.end_reason = s.Text(7);
  return c;
}

Result<std::optional<ChatRecord>> OneChat(Connection& db, const char* sql, std::string_view a,
                                          std::string_view b) {
  SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql));
  Statement s(stmt);
  s.Bind(a).Bind(b);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<ChatRecord>();
  if (rc != SQLITE_ROW) return tl::unexpected(db.Error("read chat"));
  return ReadChat(s);
}

}  // namespace

Result<std::optional<std::string>> ConversationStatements::ExtendOrOpenChat(
    const ChatRecord& candidate, std::int64_t idle_ms) {
  // The conflict target is chats_active (the pair's active row); its DO UPDATE's WHERE leaves an
  // idle row alone, and then no row comes back.
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db_.Prepare("INSERT INTO chats(id, domain, service_phone, customer_phone, opened_at, "
                  "last_message_at) VALUES(?1, ?2, ?3, ?4, ?5, ?5) "
                  "ON CONFLICT(service_phone, customer_phone) WHERE ended_at IS NULL "
                  "DO UPDATE SET last_message_at = max(last_message_at, excluded.last_message_at) "
                  "WHERE last_message_at > excluded.last_message_at - ?6 RETURNING id"));
  Statement s(stmt);
  s.Bind(candidate.id)
      .Bind(candidate.domain)
      .Bind(candidate.service_phone)
      .Bind(candidate.customer_phone)
      .Bind(candidate.last_message_at_ms)
      .Bind(idle_ms);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return tl::unexpected(db_.Error("join chat"));
  std::string id = s.Text(0);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("join chat"));
  return std::optional<std::string>(std::move(id));
}

Result<void> ConversationStatements::EndIdleChat(std::string_view service_phone,
                                                 std::string_view customer_phone,
                                                 std::int64_t idle_ms) {
  SG_ASSIGN_OR_RETURN(auto stmt,
                      db_.Prepare("UPDATE chats SET ended_at = last_message_at + ?1, end_reason = "
                                  "'idle' WHERE service_phone = ?2 AND customer_phone = ?3 AND "
                                  "ended_at IS NULL"));
  Statement s(stmt);
  s.Bind(idle_ms).Bind(service_phone).Bind(customer_phone);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("end idle chat"));
  return {};
}

Result<std::optional<ChatRecord>> ConversationStatements::FindChat(std::string_view domain,
                                                                   std::string_view chat_id) {
  return OneChat(db_, "SELECT " SG_CHAT_COLUMNS " FROM chats WHERE domain = ? AND id = ?", domain,
                 chat_id);
}

Result<void> ConversationStatements::EndChat(std::string_view chat_id, std::int64_t ended_at_ms,
                                             std::string_view reason) {
  SG_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("UPDATE chats SET ended_at = ?, end_reason = ? "
                                             "WHERE id = ? AND ended_at IS NULL"));
  Statement s(stmt);
  s.Bind(ended_at_ms).Bind(reason).Bind(chat_id);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("end chat"));
  return {};
}

Result<bool> ConversationStatements::HasInbound(std::string_view source, std::string_view id) {
  SG_ASSIGN_OR_RETURN(auto stmt,
                      db_.Prepare("SELECT 1 FROM inbound_messages WHERE source = ? AND id = ?"));
  Statement s(stmt);
  s.Bind(source).Bind(id);
  const int rc = s.Step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return tl::unexpected(db_.Error("find inbound"));
  return rc == SQLITE_ROW;
}

Result<bool> ConversationStatements::InsertInbound(const InboundRecord& m) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db_.Prepare("INSERT INTO inbound_messages(source, id, domain, service_phone, "
                  "customer_phone, customer_name, chat_id, at, received_at, type, text, media_id, "
                  "mime_type, file_name, context_id, payload, media_state, media_next_at) "
                  "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                  "ON CONFLICT(source, id) DO NOTHING"));
  Statement s(stmt);
  s.Bind(m.source)
      .Bind(m.id)
      .Bind(m.domain)
      .Bind(m.service_phone)
      .Bind(m.customer_phone)
      .Bind(m.customer_name)
      .Bind(m.chat_id)
      .Bind(m.at_ms)
      .Bind(m.received_at_ms)
      .Bind(m.type)
      .Bind(m.text)
      .Bind(m.media_id)
      .Bind(m.mime_type)
      .Bind(m.file_name)
      .Bind(m.context_id)
      .Bind(m.payload);
  if (m.media_id.empty()) {
    s.Bind(std::string_view("none")).BindNull();
  } else {
    s.Bind(std::string_view("pending")).Bind(m.received_at_ms);
  }
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("store inbound message"));
  return db_.Changes() > 0;
}

Result<void> ConversationStatements::ExtendWindow(std::string_view service_phone,
                                                  std::string_view customer_phone,
                                                  std::int64_t at_ms) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db_.Prepare("INSERT INTO customer_windows(service_phone, customer_phone, last_inbound_at) "
                  "VALUES(?, ?, ?) ON CONFLICT(service_phone, customer_phone) DO UPDATE SET "
                  "last_inbound_at = max(last_inbound_at, excluded.last_inbound_at)"));
  Statement s(stmt);
  s.Bind(service_phone).Bind(customer_phone).Bind(at_ms);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("extend window"));
  return {};
}

Result<void> ConversationStatements::AddInboundCallback(const InboundRecord& m,
                                                        std::int64_t now_ms) {
  if (callbacks_ == nullptr || callbacks_->names.empty()) return {};
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db_.Prepare("INSERT INTO callbacks(id, domain, message_id, status, at, source, error_code, "
                  "error_message, state, next_attempt_at, created_at, inbound_seq) "
                  "SELECT 'cb_' || lower(hex(randomblob(16))), domain, id, 'received', at, "
                  "source, '', '', 'pending', ?1, ?1, seq FROM inbound_messages "
                  "WHERE source = ?2 AND id = ?3 AND domain IN (SELECT value FROM json_each(?4))"));
  Statement s(stmt);
  s.Bind(now_ms).Bind(m.source).Bind(m.id).Bind(callbacks_->json);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("add inbound callback"));
  return {};
}

Result<std::optional<std::int64_t>> LastInboundAt(Connection& db, std::string_view service_phone,
                                                  std::string_view customer_phone) {
  SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare("SELECT last_inbound_at FROM customer_windows "
                                            "WHERE service_phone = ? AND customer_phone = ?"));
  Statement s(stmt);
  s.Bind(service_phone).Bind(customer_phone);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<std::int64_t>();
  if (rc != SQLITE_ROW) return tl::unexpected(db.Error("read window"));
  return std::optional<std::int64_t>(s.Int64(0));
}

Result<std::optional<ChatRecord>> ActiveChatRow(Connection& db, std::string_view service_phone,
                                                std::string_view customer_phone) {
  return OneChat(db,
                 "SELECT " SG_CHAT_COLUMNS
                 " FROM chats WHERE service_phone = ? AND "
                 "customer_phone = ? AND ended_at IS NULL",
                 service_phone, customer_phone);
}

namespace {

#define SG_INBOUND_COLUMNS                                                               \
  "seq, source, id, domain, service_phone, customer_phone, customer_name, chat_id, at, " \
  "received_at, type, text, media_id, mime_type, file_name, context_id, payload"

InboundRecord ReadInbound(const Statement& s) {
  InboundRecord m;
  m.seq = s.Int64(0);
  m.source = s.Text(1);
  m.id = s.Text(2);
  m.domain = s.Text(3);
  m.service_phone = s.Text(4);
  m.customer_phone = s.Text(5);
  m.customer_name = s.Text(6);
  m.chat_id = s.Text(7);
  m.at_ms = s.Int64(8);
  m.received_at_ms = s.Int64(9);
  m.type = s.Text(10);
  m.text = s.Text(11);
  m.media_id = s.Text(12);
  m.mime_type = s.Text(13);
  m.file_name = s.Text(14);
  m.context_id = s.Text(15);
  m.payload = s.Text(16);
  return m;
}

}  // namespace

Result<std::optional<InboundRecord>> InboundBySeq(Connection& db, std::int64_t seq) {
  SG_ASSIGN_OR_RETURN(
      auto stmt, db.Prepare("SELECT " SG_INBOUND_COLUMNS " FROM inbound_messages WHERE seq = ?"));
  Statement s(stmt);
  s.Bind(seq);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<InboundRecord>();
  if (rc != SQLITE_ROW) return tl::unexpected(db.Error("read inbound message"));
  return std::optional<InboundRecord>(ReadInbound(s));
}

Result<std::vector<InboundRecord>> InboundMessages(Connection& db, std::string_view chat_id,
                                                   int limit) {
  SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare("SELECT " SG_INBOUND_COLUMNS
                                            " FROM inbound_messages WHERE chat_id = ? ORDER BY seq "
                                            "LIMIT ?"));
  Statement s(stmt);
  s.Bind(chat_id).Bind(static_cast<std::int64_t>(limit));
  std::vector<InboundRecord> out;
  int rc = 0;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadInbound(s));
  if (rc != SQLITE_DONE) return tl::unexpected(db.Error("read inbound messages"));
  return out;
}

Result<std::vector<StoredMessage>> ChatOutbound(Connection& db, std::string_view chat_id,
                                                int limit) {
  static const std::string kSql = "SELECT " + kMessageColumns +
                                  " FROM messages WHERE chat_id = ? ORDER BY created_at, id "
                                  "LIMIT ?";
  std::vector<StoredMessage> out;
  {
    SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare(kSql.c_str()));
    Statement s(stmt);
    s.Bind(chat_id).Bind(static_cast<std::int64_t>(limit));
    int rc = 0;
    while ((rc = s.Step()) == SQLITE_ROW) {
      SG_ASSIGN_OR_RETURN(StoredMessage m, ReadMessageRow(s));
      out.push_back(std::move(m));
    }
    if (rc != SQLITE_DONE) return tl::unexpected(db.Error("read chat messages"));
  }
  for (StoredMessage& m : out) SG_RETURN_IF_ERROR(ReadMessageMedia(db, m));
  return out;
}

Result<std::vector<ChatRecord>> CustomerChats(Connection& db, const ChatQuery& query) {
  // chats_by_customer (domain, customer_phone, opened_at) gives the order.
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("SELECT " SG_CHAT_COLUMNS " FROM chats WHERE domain = ?1 AND customer_phone = ?2 "
                 "AND (?3 = '' OR service_phone = ?3) AND opened_at >= ?4 "
                 "ORDER BY opened_at DESC, id DESC LIMIT ?5"));
  Statement s(stmt);
  s.Bind(query.domain)
      .Bind(query.customer_phone)
      .Bind(query.service_phone)
      .Bind(query.opened_since_ms)
      .Bind(static_cast<std::int64_t>(query.limit));
  std::vector<ChatRecord> out;
  int rc = 0;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadChat(s));
  if (rc != SQLITE_DONE) return tl::unexpected(db.Error("read chats"));
  return out;
}

Result<Written> ClaimMediaFetches(Connection& db, const MediaFetchClaim& claim) {
  // inbound_media_due (media_next_at, where pending) gives the order.
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("UPDATE inbound_messages SET media_next_at = ?1 + ?2, "
                 "media_attempts = media_attempts + 1 WHERE seq IN (SELECT seq FROM "
                 "inbound_messages WHERE media_state = 'pending' AND media_next_at <= ?1 "
                 "ORDER BY media_next_at LIMIT ?3) RETURNING seq, source, service_phone, media_id, "
                 "mime_type, media_attempts, received_at"));
  Statement s(stmt);
  s.Bind(claim.now_ms).Bind(claim.lease_ms).Bind(static_cast<std::int64_t>(claim.limit));
  Written written;
  int rc = 0;
  while ((rc = s.Step()) == SQLITE_ROW) {
    written.media_fetches.push_back(
        MediaFetch{s.Int64(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5), s.Int64(6)});
  }
  if (rc != SQLITE_DONE) return tl::unexpected(db.Error("claim media fetches"));
  return written;
}

Result<Written> RecordMediaFetch(Connection& db, const MediaFetchOutcome& o) {
  using Kind = MediaFetchOutcome::Kind;
  if (o.kind == Kind::kFetched) {
    SG_ASSIGN_OR_RETURN(
        auto stmt, db.Prepare("INSERT INTO inbound_media(inbound_seq, bytes) SELECT seq, ?2 FROM "
                              "inbound_messages WHERE seq = ?1 AND media_state = 'pending' "
                              "ON CONFLICT(inbound_seq) DO UPDATE SET bytes = excluded.bytes"));
    Statement s(stmt);
    s.Bind(o.seq).BindBlobInPlace(o.bytes);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("store inbound media"));
  }
  SG_ASSIGN_OR_RETURN(
      auto stmt, db.Prepare("UPDATE inbound_messages SET media_state = ?2, media_next_at = ?3, "
                            "media_error = ?4 WHERE seq = ?1 AND media_state = 'pending'"));
  Statement s(stmt);
  s.Bind(o.seq);
  switch (o.kind) {
    case Kind::kFetched:
      s.Bind(std::string_view("fetched")).BindNull().Bind(std::string_view(""));
      break;
    case Kind::kRetry:
      s.Bind(std::string_view("pending")).Bind(o.next_attempt_at_ms).Bind(o.error);
      break;
    case Kind::kFailed:
      s.Bind(std::string_view("failed")).BindNull().Bind(o.error);
      break;
  }
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("record media fetch"));
  return Written{};
}

Result<Written> EraseCustomer(Connection& db, const CustomerErasure& e) {
  // Children before their parents (foreign keys); the windows by the chats' numbers, before the
  // chats go. ?1 the domain, ?2 the customer.
#define SG_ERASED_MESSAGES "(SELECT id FROM messages WHERE domain = ?1 AND customer_phone = ?2)"
#define SG_ERASED_INBOUND \
  "(SELECT seq FROM inbound_messages WHERE domain = ?1 AND customer_phone = ?2)"
  static const char* const kStatements[] = {
      "DELETE FROM idempotency_keys WHERE message_id IN " SG_ERASED_MESSAGES,
      "DELETE FROM message_media WHERE message_id IN " SG_ERASED_MESSAGES,
      "DELETE FROM message_events WHERE message_id IN " SG_ERASED_MESSAGES,
      "DELETE FROM held_statuses WHERE message_id IN " SG_ERASED_MESSAGES,
      "DELETE FROM callbacks WHERE domain = ?1 AND (message_id IN " SG_ERASED_MESSAGES
      " OR inbound_seq IN " SG_ERASED_INBOUND ")",
      "DELETE FROM messages WHERE domain = ?1 AND customer_phone = ?2",
      "DELETE FROM inbound_media WHERE inbound_seq IN " SG_ERASED_INBOUND,
      "DELETE FROM inbound_messages WHERE domain = ?1 AND customer_phone = ?2",
      "DELETE FROM customer_windows WHERE customer_phone = ?2 AND service_phone IN "
      "(SELECT service_phone FROM chats WHERE domain = ?1 AND customer_phone = ?2)",
      "DELETE FROM chats WHERE domain = ?1 AND customer_phone = ?2",
      "DELETE FROM webhook_events WHERE applied_at IS NOT NULL AND ?1 = ?1 AND "
      "instr(CAST(body AS TEXT), ?2) > 0",
  };
#undef SG_ERASED_MESSAGES
#undef SG_ERASED_INBOUND
  Written written;
  for (const char* sql : kStatements) {
    SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql));
    Statement s(stmt);
    s.Bind(e.domain).Bind(e.customer_phone);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("erase customer"));
    const std::string_view statement = sql;
    const int changed = db.Changes();
    if (statement.starts_with("DELETE FROM messages ")) written.erased.messages = changed;
    if (statement.starts_with("DELETE FROM inbound_messages ")) written.erased.inbound = changed;
    if (statement.starts_with("DELETE FROM chats ")) written.erased.chats = changed;
    if (statement.starts_with("DELETE FROM webhook_events ")) {
      written.erased.webhook_events = changed;
    }
  }
  return written;
}

namespace {

// Runs `sql` (one ? for the key) for each key.
template <typename Key>
Result<void> ForEach(Connection& db, const char* sql, const std::vector<Key>& keys,
                     std::string_view what) {
  SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql));
  for (const Key& key : keys) {
    Statement s(stmt);
    s.Bind(key);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error(what));
  }
  return {};
}

}  // namespace

Result<Written> EraseContent(Connection& db, const ContentErasure& e) {
  std::vector<std::string> sent;
  std::vector<std::int64_t> received;
  {
    // messages_content_kept: the domain's oldest first.
    SG_ASSIGN_OR_RETURN(
        auto stmt,
        db.Prepare("SELECT id FROM messages WHERE domain = ? AND content_erased = 0 AND "
                   "created_at < ? AND status NOT IN ('queued', 'sending') ORDER BY created_at "
                   "LIMIT ?"));
    Statement s(stmt);
    s.Bind(e.domain).Bind(e.before_ms).Bind(static_cast<std::int64_t>(e.limit));
    int rc = 0;
    while ((rc = s.Step()) == SQLITE_ROW) sent.push_back(s.Text(0));
    if (rc != SQLITE_DONE) return tl::unexpected(db.Error("find content to erase"));
  }
  {
    SG_ASSIGN_OR_RETURN(
        auto stmt,
        db.Prepare("SELECT seq FROM inbound_messages WHERE domain = ? AND content_erased = 0 AND "
                   "received_at < ? ORDER BY received_at LIMIT ?"));
    Statement s(stmt);
    s.Bind(e.domain).Bind(e.before_ms).Bind(static_cast<std::int64_t>(e.limit));
    int rc = 0;
    while ((rc = s.Step()) == SQLITE_ROW) received.push_back(s.Int64(0));
    if (rc != SQLITE_DONE) return tl::unexpected(db.Error("find content to erase"));
  }
  SG_RETURN_IF_ERROR(ForEach(db,
                             "UPDATE messages SET text = '', header_params = '[]', body_params = "
                             "'[]', url_params = '[]', content_erased = 1 WHERE id = ?",
                             sent, "erase content"));
  SG_RETURN_IF_ERROR(ForEach(db, "UPDATE message_media SET bytes = X'' WHERE message_id = ?", sent,
                             "erase content"));
  SG_RETURN_IF_ERROR(ForEach(db,
                             "UPDATE inbound_messages SET text = '', customer_name = '', payload = "
                             "'', content_erased = 1, media_state = CASE WHEN media_state = 'none' "
                             "THEN 'none' ELSE 'erased' END, media_next_at = NULL WHERE seq = ?",
                             received, "erase content"));
  SG_RETURN_IF_ERROR(
      ForEach(db, "DELETE FROM inbound_media WHERE inbound_seq = ?", received, "erase content"));
  Written written;
  written.changed = static_cast<int>(sent.size() + received.size());
  return written;
}

Result<std::optional<InboundMedia>> FindInboundMedia(Connection& db, std::string_view domain,
                                                     std::string_view id) {
  InboundMedia media;
  {
    SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare("SELECT " SG_INBOUND_COLUMNS
                                              ", media_state, media_error FROM inbound_messages "
                                              "WHERE id = ? AND domain = ? AND media_state <> "
                                              "'none' ORDER BY seq LIMIT 1"));
    Statement s(stmt);
    s.Bind(id).Bind(domain);
    const int rc = s.Step();
    if (rc == SQLITE_DONE) return std::optional<InboundMedia>();
    if (rc != SQLITE_ROW) return tl::unexpected(db.Error("read inbound media"));
    media.message = ReadInbound(s);
    media.state = s.Text(17);
    media.error = s.Text(18);
  }
  if (media.state == "fetched") {
    SG_ASSIGN_OR_RETURN(auto stmt,
                        db.Prepare("SELECT bytes FROM inbound_media WHERE inbound_seq = ?"));
    Statement s(stmt);
    s.Bind(media.message.seq);
    const int rc = s.Step();
    if (rc == SQLITE_ROW) {
      media.bytes = s.Blob(0);
    } else if (rc != SQLITE_DONE) {
      return tl::unexpected(db.Error("read inbound media bytes"));
    }
  }
  return std::optional<InboundMedia>(std::move(media));
}

}  // namespace socialgate::store::sqlite
