#include "store/postgres/conversation_statements.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "store/postgres/outbox_statements.hpp"

namespace socialgate::store::postgres {
namespace {

using core::Result;

#define SG_CHAT_COLUMNS \
  "id, domain, service_phone, customer_phone, opened_at, last_message_at, ended_at, end_reason"

// The conflict target is chats_active (the pair's active row); its DO UPDATE's WHERE leaves an
// idle row alone, and then no row comes back.
const Sql kExtendOrOpenChat{
    "extend_or_open_chat",
    "INSERT INTO chats(id, domain, service_phone, customer_phone, opened_at, last_message_at) "
    "VALUES($1, $2, $3, $4, $5, $5) "
    "ON CONFLICT(service_phone, customer_phone) WHERE ended_at IS NULL DO UPDATE SET "
    "last_message_at = GREATEST(chats.last_message_at, excluded.last_message_at) "
    "WHERE chats.last_message_at > excluded.last_message_at - $6 RETURNING id"};
// The same for many pairs (distinct: a row may be updated once per statement).
const Sql kExtendOrOpenChats{
    "extend_or_open_chats",
    "INSERT INTO chats(id, domain, service_phone, customer_phone, opened_at, last_message_at) "
    "SELECT id, domain, service, customer, at, at FROM unnest($1::text[], $2::text[], "
    "$3::text[], $4::text[], $5::bigint[]) AS t(id, domain, service, customer, at) "
    "ON CONFLICT(service_phone, customer_phone) WHERE ended_at IS NULL DO UPDATE SET "
    "last_message_at = GREATEST(chats.last_message_at, excluded.last_message_at) "
    "WHERE chats.last_message_at > excluded.last_message_at - $6 "
    "RETURNING id, service_phone, customer_phone"};
const Sql kEndIdleChat{"end_idle_chat",
                       "UPDATE chats SET ended_at = last_message_at + $1, end_reason = 'idle' "
                       "WHERE service_phone = $2 AND customer_phone = $3 AND ended_at IS NULL"};
const Sql kFindChatForUpdate{"find_chat_for_update", "SELECT " SG_CHAT_COLUMNS
                                                     " FROM chats WHERE domain = $1 AND id = $2 "
                                                     "FOR UPDATE"};
const Sql kFindChat{"find_chat",
                    "SELECT " SG_CHAT_COLUMNS " FROM chats WHERE domain = $1 AND id = $2"};
const Sql kActiveChat{"active_chat", "SELECT " SG_CHAT_COLUMNS
                                     " FROM chats WHERE service_phone = $1 AND "
                                     "customer_phone = $2 AND ended_at IS NULL"};
const Sql kEndChat{"end_chat",
                   "UPDATE chats SET ended_at = $1, end_reason = $2 "
                   "WHERE id = $3 AND ended_at IS NULL"};
const Sql kHasInbound{"has_inbound",
                      "SELECT 1 FROM inbound_messages WHERE source = $1 AND id = $2"};
const Sql kInsertInbound{
    "insert_inbound",
    "INSERT INTO inbound_messages(source, id, domain, service_phone, customer_phone, "
    "customer_name, chat_id, at, received_at, type, text, media_id, mime_type, file_name, "
    "context_id, payload, media_state, media_next_at) "
    "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18) "
    "ON CONFLICT(source, id) DO NOTHING"};
const Sql kExtendWindow{
    "extend_window",
    "INSERT INTO customer_windows(service_phone, customer_phone, last_inbound_at) "
    "VALUES($1, $2, $3) ON CONFLICT(service_phone, customer_phone) DO UPDATE SET "
    "last_inbound_at = GREATEST(customer_windows.last_inbound_at, excluded.last_inbound_at)"};
const Sql kLastInboundAt{"last_inbound_at",
                         "SELECT last_inbound_at FROM customer_windows "
                         "WHERE service_phone = $1 AND customer_phone = $2"};
const Sql kAddInboundCallback{
    "add_inbound_callback",
    "INSERT INTO callbacks(id, domain, message_id, status, at, source, error_code, "
    "error_message, state, next_attempt_at, created_at, inbound_seq) "
    "SELECT 'cb_' || replace(gen_random_uuid()::text, '-', ''), domain, id, 'received', at, "
    "source, '', '', 'pending', $1, $1, seq FROM inbound_messages "
    "WHERE source = $2 AND id = $3 AND domain = ANY($4::text[])"};
const Sql kInboundBySeq{
    "inbound_by_seq",
    "SELECT seq, source, id, domain, service_phone, customer_phone, customer_name, chat_id, at, "
    "received_at, type, text, media_id, mime_type, file_name, context_id, payload "
    "FROM inbound_messages WHERE seq = $1"};
const Sql kInboundOfChat{
    "inbound_of_chat",
    "SELECT seq, source, id, domain, service_phone, customer_phone, customer_name, chat_id, at, "
    "received_at, type, text, media_id, mime_type, file_name, context_id, payload "
    "FROM inbound_messages WHERE chat_id = $1 ORDER BY seq LIMIT $2"};

// The oldest due first, skipping rows another instance's claim holds.
const Sql kClaimMediaFetches{
    "claim_media_fetches",
    "UPDATE inbound_messages SET media_next_at = $1::bigint + $2::bigint, media_attempts = "
    "media_attempts + 1 "
    "WHERE seq IN (SELECT seq FROM inbound_messages WHERE media_state = 'pending' AND "
    "media_next_at <= $1 ORDER BY media_next_at LIMIT $3 FOR UPDATE SKIP LOCKED) "
    "RETURNING seq, source, service_phone, media_id, mime_type, media_attempts, received_at"};
const Sql kStoreInboundMedia{
    "store_inbound_media",
    "INSERT INTO inbound_media(inbound_seq, bytes) SELECT seq, $2::bytea FROM inbound_messages "
    "WHERE seq = $1 AND media_state = 'pending' "
    "ON CONFLICT(inbound_seq) DO UPDATE SET bytes = excluded.bytes"};
const Sql kRecordMediaFetch{"record_media_fetch",
                            "UPDATE inbound_messages SET media_state = $2, media_next_at = $3, "
                            "media_error = $4 WHERE seq = $1 AND media_state = 'pending'"};
const Sql kFindInboundMedia{
    "find_inbound_media",
    "SELECT seq, source, id, domain, service_phone, customer_phone, customer_name, chat_id, at, "
    "received_at, type, text, media_id, mime_type, file_name, context_id, payload, media_state, "
    "media_error FROM inbound_messages WHERE id = $1 AND domain = $2 AND media_state <> 'none' "
    "ORDER BY seq LIMIT 1"};
const Sql kInboundMediaBytes{"inbound_media_bytes",
                             "SELECT bytes FROM inbound_media WHERE inbound_seq = $1"};

// A domain's content retention, one batch each way (messages_content_kept, inbound_content_kept).
const Sql kEraseSentContent{
    "erase_sent_content",
    "WITH erased AS (UPDATE messages SET text = '', header_params = '[]', body_params = '[]', "
    "url_params = '[]', content_erased = 1 WHERE id IN (SELECT id FROM messages WHERE domain = $1 "
    "AND content_erased = 0 AND created_at < $2 AND status NOT IN ('queued', 'sending') "
    "ORDER BY created_at LIMIT $3) RETURNING id), "
    "media AS (UPDATE message_media SET bytes = ''::bytea WHERE message_id IN "
    "(SELECT id FROM erased)) SELECT count(*) FROM erased"};
const Sql kEraseReceivedContent{
    "erase_received_content",
    "WITH erased AS (UPDATE inbound_messages SET text = '', customer_name = '', payload = '', "
    "content_erased = 1, media_state = CASE WHEN media_state = 'none' THEN 'none' ELSE 'erased' "
    "END, media_next_at = NULL WHERE seq IN (SELECT seq FROM inbound_messages WHERE domain = $1 "
    "AND content_erased = 0 AND received_at < $2 ORDER BY received_at LIMIT $3) RETURNING seq), "
    "media AS (DELETE FROM inbound_media WHERE inbound_seq IN (SELECT seq FROM erased)) "
    "SELECT count(*) FROM erased"};

const Sql kCustomerChats{"customer_chats",
                         "SELECT " SG_CHAT_COLUMNS
                         " FROM chats WHERE domain = $1 AND customer_phone = $2 "
                         "AND ($3 = '' OR service_phone = $3) AND opened_at >= $4 "
                         "ORDER BY opened_at DESC, id DESC LIMIT $5"};

ChatRecord ReadChat(const Rows& rows, int row) {
  ChatRecord c;
  c.id = rows.Text(row, 0);
  c.domain = rows.Text(row, 1);
  c.service_phone = rows.Text(row, 2);
  c.customer_phone = rows.Text(row, 3);
  c.opened_at_ms = rows.Int64(row, 4);
  c.last_message_at_ms = rows.Int64(row, 5);
  c.ended_at_ms = rows.IsNull(row, 6) ? 0 : rows.Int64(row, 6);
  c.end_reason = rows.Text(row, 7);
  return c;
}

InboundRecord ReadInbound(const Rows& rows, int i) {
  InboundRecord m;
  m.seq = rows.Int64(i, 0);
  m.source = rows.Text(i, 1);
  m.id = rows.Text(i, 2);
  m.domain = rows.Text(i, 3);
  m.service_phone = rows.Text(i, 4);
  m.customer_phone = rows.Text(i, 5);
  m.customer_name = rows.Text(i, 6);
  m.chat_id = rows.Text(i, 7);
  m.at_ms = rows.Int64(i, 8);
  m.received_at_ms = rows.Int64(i, 9);
  m.type = rows.Text(i, 10);
  m.text = rows.Text(i, 11);
  m.media_id = rows.Text(i, 12);
  m.mime_type = rows.Text(i, 13);
  m.file_name = rows.Text(i, 14);
  m.context_id = rows.Text(i, 15);
  m.payload = rows.Text(i, 16);
  return m;
}

Result<std::optional<ChatRecord>> OneChat(Connection& db, const Sql& sql, std::string_view a,
                                          std::string_view b) {
  Params p;
  p.Text(a).Text(b);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(sql, p));
  if (rows.size() == 0) return std::optional<ChatRecord>();
  return std::optional<ChatRecord>(ReadChat(rows, 0));
}

}  // namespace

Result<std::optional<std::string>> ConversationStatements::ExtendOrOpenChat(
    const ChatRecord& candidate, std::int64_t idle_ms) {
  Params p;
  p.Text(candidate.id)
      .Text(candidate.domain)
      .Text(candidate.service_phone)
      .Text(candidate.customer_phone)
      .Int(candidate.last_message_at_ms)
      .Int(idle_ms);
  SG_ASSIGN_OR_RETURN(Rows rows, db_.Run(kExtendOrOpenChat, p));
  if (rows.size() == 0) return std::optional<std::string>();
  return std::optional<std::string>(rows.Text(0, 0));
}

Result<void> ConversationStatements::EndIdleChat(std::string_view service_phone,
                                                 std::string_view customer_phone,
                                                 std::int64_t idle_ms) {
  Params p;
  p.Int(idle_ms).Text(service_phone).Text(customer_phone);
  SG_RETURN_IF_ERROR(db_.Run(kEndIdleChat, p));
  return {};
}

Result<std::optional<ChatRecord>> ConversationStatements::FindChat(std::string_view domain,
                                                                   std::string_view chat_id) {
  return OneChat(db_, kFindChatForUpdate, domain, chat_id);
}

Result<void> ConversationStatements::EndChat(std::string_view chat_id, std::int64_t ended_at_ms,
                                             std::string_view reason) {
  Params p;
  p.Int(ended_at_ms).Text(reason).Text(chat_id);
  SG_RETURN_IF_ERROR(db_.Run(kEndChat, p));
  return {};
}

Result<bool> ConversationStatements::HasInbound(std::string_view source, std::string_view id) {
  Params p;
  p.Text(source).Text(id);
  SG_ASSIGN_OR_RETURN(Rows rows, db_.Run(kHasInbound, p));
  return rows.size() > 0;
}

Result<bool> ConversationStatements::InsertInbound(const InboundRecord& m) {
  Params p;
  p.Text(m.source)
      .Text(m.id)
      .Text(m.domain)
      .Text(m.service_phone)
      .Text(m.customer_phone)
      .Text(m.customer_name)
      .Text(m.chat_id)
      .Int(m.at_ms)
      .Int(m.received_at_ms)
      .Text(m.type)
      .Text(m.text)
      .Text(m.media_id)
      .Text(m.mime_type)
      .Text(m.file_name)
      .Text(m.context_id)
      .Text(m.payload);
  if (m.media_id.empty()) {
    p.Text("none").Null();
  } else {
    p.Text("pending").Int(m.received_at_ms);
  }
  SG_ASSIGN_OR_RETURN(Rows rows, db_.Run(kInsertInbound, p));
  return rows.Changed() > 0;
}

Result<void> ConversationStatements::ExtendWindow(std::string_view service_phone,
                                                  std::string_view customer_phone,
                                                  std::int64_t at_ms) {
  Params p;
  p.Text(service_phone).Text(customer_phone).Int(at_ms);
  SG_RETURN_IF_ERROR(db_.Run(kExtendWindow, p));
  return {};
}

Result<std::vector<std::string>> JoinChats(Connection& db, const std::vector<ChatJoin>& joins,
                                           std::int64_t idle_ms) {
  // Each pair once, at its latest message (which decides whether its chat is idle).
  using Pair = std::pair<std::string_view, std::string_view>;
  std::map<Pair, std::size_t> slot_of_pair;
  std::vector<std::size_t> first_join;  // per slot: the pair's first join
  std::vector<std::int64_t> latest;     // per slot: its latest at_ms
  for (std::size_t i = 0; i < joins.size(); ++i) {
    const auto [it, added] = slot_of_pair.try_emplace(
        Pair(joins[i].service_phone, joins[i].customer_phone), first_join.size());
    if (added) {
      first_join.push_back(i);
      latest.push_back(joins[i].at_ms);
    } else {
      latest[it->second] = std::max(latest[it->second], joins[i].at_ms);
    }
  }
  std::vector<std::string> ids, domains, services, customers, ats;
  for (std::size_t slot = 0; slot < first_join.size(); ++slot) {
    const ChatJoin& join = joins[first_join[slot]];
    ids.push_back(NewChatId(join.domain));
    domains.push_back(join.domain);
    services.push_back(join.service_phone);
    customers.push_back(join.customer_phone);
    ats.push_back(std::to_string(latest[slot]));
  }
  Params p;
  p.TextArray(ids).TextArray(domains).TextArray(services).TextArray(customers).TextArray(ats).Int(
      idle_ms);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kExtendOrOpenChats, p));
  std::map<std::pair<std::string, std::string>, std::string> chat_of_pair;
  for (int i = 0; i < rows.size(); ++i) {
    chat_of_pair[{rows.Text(i, 1), rows.Text(i, 2)}] = rows.Text(i, 0);
  }
  // A pair with no row back has an idle active chat: it ends, and a new one opens.
  ConversationStatements table(db);
  std::vector<std::string> out;
  out.reserve(joins.size());
  for (const ChatJoin& j : joins) {
    auto found = chat_of_pair.find({j.service_phone, j.customer_phone});
    if (found == chat_of_pair.end()) {
      const std::int64_t at = latest[slot_of_pair.at(Pair(j.service_phone, j.customer_phone))];
      SG_ASSIGN_OR_RETURN(std::string id, JoinChat(table, j.domain, j.service_phone,
                                                   j.customer_phone, at, idle_ms));
      found = chat_of_pair.emplace(std::make_pair(j.service_phone, j.customer_phone), id).first;
    }
    out.push_back(found->second);
  }
  return out;
}

Result<void> ConversationStatements::AddInboundCallback(const InboundRecord& m,
                                                        std::int64_t now_ms) {
  if (callbacks_ == nullptr || callbacks_->empty()) return {};
  Params p;
  p.Int(now_ms).Text(m.source).Text(m.id).TextArray(*callbacks_);
  SG_RETURN_IF_ERROR(db_.Run(kAddInboundCallback, p));
  return {};
}

Result<std::optional<InboundRecord>> InboundBySeq(Connection& db, std::int64_t seq) {
  Params p;
  p.Int(seq);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kInboundBySeq, p));
  if (rows.size() == 0) return std::optional<InboundRecord>();
  return std::optional<InboundRecord>(ReadInbound(rows, 0));
}

Result<std::optional<std::int64_t>> LastInboundAt(Connection& db, std::string_view service_phone,
                                                  std::string_view customer_phone) {
  Params p;
  p.Text(service_phone).Text(customer_phone);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kLastInboundAt, p));
  if (rows.size() == 0) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(rows.Int64(0, 0));
}

Result<std::optional<ChatRecord>> FindChatRow(Connection& db, std::string_view domain,
                                              std::string_view chat_id) {
  return OneChat(db, kFindChat, domain, chat_id);
}

Result<std::optional<ChatRecord>> ActiveChatRow(Connection& db, std::string_view service_phone,
                                                std::string_view customer_phone) {
  return OneChat(db, kActiveChat, service_phone, customer_phone);
}

Result<std::vector<InboundRecord>> InboundMessages(Connection& db, std::string_view chat_id,
                                                   int limit) {
  Params p;
  p.Text(chat_id).Int(limit);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kInboundOfChat, p));
  std::vector<InboundRecord> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) out.push_back(ReadInbound(rows, i));
  return out;
}

Result<std::vector<StoredMessage>> ChatOutbound(Connection& db, std::string_view chat_id,
                                                int limit) {
  static const Sql sql{"chat_outbound",
                       "SELECT " + MessageColumns() +
                           " FROM messages m LEFT JOIN message_media mm ON mm.message_id = m.id "
                           "WHERE m.chat_id = $1 ORDER BY m.created_at, m.id LIMIT $2"};
  Params p;
  p.Text(chat_id).Int(limit);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(sql, p));
  std::vector<StoredMessage> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    SG_ASSIGN_OR_RETURN(StoredMessage m, ReadMessageRow(rows, i));
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<ChatRecord>> CustomerChats(Connection& db, const ChatQuery& query) {
  Params p;
  p.Text(query.domain)
      .Text(query.customer_phone)
      .Text(query.service_phone)
      .Int(query.opened_since_ms)
      .Int(query.limit);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kCustomerChats, p));
  std::vector<ChatRecord> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) out.push_back(ReadChat(rows, i));
  return out;
}

Result<Written> ClaimMediaFetches(Connection& db, const MediaFetchClaim& claim) {
  Params p;
  p.Int(claim.now_ms).Int(claim.lease_ms).Int(claim.limit);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kClaimMediaFetches, p));
  Written written;
  for (int i = 0; i < rows.size(); ++i) {
    written.media_fetches.push_back(MediaFetch{rows.Int64(i, 0), rows.Text(i, 1), rows.Text(i, 2),
                                               rows.Text(i, 3), rows.Text(i, 4), rows.Int(i, 5),
                                               rows.Int64(i, 6)});
  }
  return written;
}

Result<Written> RecordMediaFetch(Connection& db, const MediaFetchOutcome& o) {
  using Kind = MediaFetchOutcome::Kind;
  if (o.kind == Kind::kFetched) {
    Params p;
    p.Int(o.seq).BytesInPlace(o.bytes);
    SG_RETURN_IF_ERROR(db.Run(kStoreInboundMedia, p));
  }
  Params p;
  p.Int(o.seq);
  switch (o.kind) {
    case Kind::kFetched:
      p.Text("fetched").Null().Text("");
      break;
    case Kind::kRetry:
      p.Text("pending").Int(o.next_attempt_at_ms).Text(o.error);
      break;
    case Kind::kFailed:
      p.Text("failed").Null().Text(o.error);
      break;
  }
  SG_RETURN_IF_ERROR(db.Run(kRecordMediaFetch, p));
  return Written{};
}

Result<Written> EraseCustomer(Connection& db, const CustomerErasure& e) {
  // Children before their parents (foreign keys); the windows by the chats' numbers, before the
  // chats go. $1 the domain, $2 the customer.
#define SG_ERASED_MESSAGES "(SELECT id FROM messages WHERE domain = $1 AND customer_phone = $2)"
#define SG_ERASED_INBOUND \
  "(SELECT seq FROM inbound_messages WHERE domain = $1 AND customer_phone = $2)"
  static const Sql kStatements[] = {
      {"erase_idempotency", "DELETE FROM idempotency_keys WHERE message_id IN " SG_ERASED_MESSAGES},
      {"erase_media", "DELETE FROM message_media WHERE message_id IN " SG_ERASED_MESSAGES},
      {"erase_events", "DELETE FROM message_events WHERE message_id IN " SG_ERASED_MESSAGES},
      {"erase_held", "DELETE FROM held_statuses WHERE message_id IN " SG_ERASED_MESSAGES},
      {"erase_callbacks",
       "DELETE FROM callbacks WHERE domain = $1 AND (message_id IN " SG_ERASED_MESSAGES
       " OR inbound_seq IN " SG_ERASED_INBOUND ")"},
      {"erase_messages", "DELETE FROM messages WHERE domain = $1 AND customer_phone = $2"},
      {"erase_inbound_media", "DELETE FROM inbound_media WHERE inbound_seq IN " SG_ERASED_INBOUND},
      {"erase_inbound", "DELETE FROM inbound_messages WHERE domain = $1 AND customer_phone = $2"},
      {"erase_windows",
       "DELETE FROM customer_windows WHERE customer_phone = $2 AND service_phone IN "
       "(SELECT service_phone FROM chats WHERE domain = $1 AND customer_phone = $2)"},
      {"erase_chats", "DELETE FROM chats WHERE domain = $1 AND customer_phone = $2"},
      {"erase_webhook_events",
       "DELETE FROM webhook_events WHERE applied_at IS NOT NULL AND $1::text = $1::text AND "
       "position(convert_to($2::text, 'UTF8') in body) > 0"},
  };
#undef SG_ERASED_MESSAGES
#undef SG_ERASED_INBOUND
  Written written;
  for (const Sql& sql : kStatements) {
    Params p;
    p.Text(e.domain).Text(e.customer_phone);
    SG_ASSIGN_OR_RETURN(Rows rows, db.Run(sql, p));
    const std::string_view name = sql.name;
    if (name == "erase_messages") written.erased.messages = rows.Changed();
    if (name == "erase_inbound") written.erased.inbound = rows.Changed();
    if (name == "erase_chats") written.erased.chats = rows.Changed();
    if (name == "erase_webhook_events") written.erased.webhook_events = rows.Changed();
  }
  return written;
}

Result<Written> EraseContent(Connection& db, const ContentErasure& e) {
  Written written;
  for (const Sql* sql : {&kEraseSentContent, &kEraseReceivedContent}) {
    Params p;
    p.Text(e.domain).Int(e.before_ms).Int(e.limit);
    SG_ASSIGN_OR_RETURN(Rows rows, db.Run(*sql, p));
    written.changed += rows.size() > 0 ? rows.Int(0, 0) : 0;
  }
  return written;
}

Result<std::optional<InboundMedia>> FindInboundMedia(Connection& db, std::string_view domain,
                                                     std::string_view id) {
  Params p;
  p.Text(id).Text(domain);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kFindInboundMedia, p));
  if (rows.size() == 0) return std::optional<InboundMedia>();
  InboundMedia media;
  media.message = ReadInbound(rows, 0);
  const InboundRecord& m = media.message;
  media.state = rows.Text(0, 17);
  media.error = rows.Text(0, 18);
  if (media.state == "fetched") {
    Params by_seq;
    by_seq.Int(m.seq);
    SG_ASSIGN_OR_RETURN(Rows bytes, db.Run(kInboundMediaBytes, by_seq, /*binary_rows=*/true));
    if (bytes.size() > 0) media.bytes = bytes.Text(0, 0);
  }
  return std::optional<InboundMedia>(std::move(media));
}

}  // namespace socialgate::store::postgres
