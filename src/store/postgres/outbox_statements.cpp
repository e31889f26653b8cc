#include "store/postgres/outbox_statements.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/postgres/conversation_statements.hpp"
#include "store/postgres/idempotency_statements.hpp"
#include "store/postgres/message_content.hpp"
#include "store/postgres/status_statements.hpp"
#include "store/status_order.hpp"

namespace socialgate::store::postgres {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;

}  // namespace

// The content's columns (message_content.hpp) start at column kFirstContentColumn, the
// media's at kFirstMediaColumn.
std::string MessageColumns() {
  std::string columns =
      "m.id, m.domain, m.customer_phone, m.service_phone, m.status, m.attempts, "
      "m.next_attempt_at, m.provider_message_id, m.wa_id, m.error_code, m.error_message, "
      "m.created_at, m.updated_at, m.chat_id";
  std::string_view content = kContentColumns;
  while (!content.empty()) {  // each content column as m.<column>
    const auto comma = content.find(',');
    std::string_view column = content.substr(0, comma);
    while (!column.empty() && column.front() == ' ') column.remove_prefix(1);
    columns += ", m.";
    columns += column;
    content = comma == std::string_view::npos ? std::string_view() : content.substr(comma + 1);
  }
  columns += ", ";
  columns += kMediaColumns;
  return columns;
}
constexpr int kFirstContentColumn = 14;
constexpr int kFirstMediaColumn = kFirstContentColumn + kContentColumnCount;

Result<StoredMessage> ReadMessageRow(const Rows& rows, int row) {
  StoredMessage m;
  m.id = rows.Text(row, 0);
  m.domain = rows.Text(row, 1);
  m.message.customer_phone = rows.Text(row, 2);
  m.message.service_phone = rows.Text(row, 3);
  SG_ASSIGN_OR_RETURN(m.status, StatusColumn(rows, row, 4));
  m.attempts = rows.Int(row, 5);
  m.next_attempt_at_ms = rows.Int64(row, 6);
  m.provider_message_id = rows.Text(row, 7);
  m.wa_id = rows.Text(row, 8);
  m.error_code = rows.Text(row, 9);
  m.error_message = rows.Text(row, 10);
  m.created_at_ms = rows.Int64(row, 11);
  m.updated_at_ms = rows.Int64(row, 12);
  m.chat_id = rows.Text(row, 13);
  m.message.content = ReadContent(rows, row, kFirstContentColumn);
  ReadMedia(rows, row, kFirstMediaColumn, m.message);
  return m;
}

namespace {

const Sql& InsertMessageSql() {
  static const Sql sql = [] {
    // $1..$4 the message's, then one for each content column, then its due time, now and its
    // chat.
    std::string content;
    int n = 5;
    for (int i = 0; i < kContentColumnCount; ++i, ++n) content += ", $" + std::to_string(n);
    const std::string due = "$" + std::to_string(n);
    const std::string now = "$" + std::to_string(n + 1);
    const std::string chat = "$" + std::to_string(n + 2);
    return Sql{"insert_message",
               "WITH m AS (INSERT INTO messages(id, domain, customer_phone, service_phone, " +
                   std::string(kContentColumns) +
                   ", status, attempts, next_attempt_at, created_at, updated_at, chat_id) "
                   "VALUES($1, $2, $3, $4" +
                   content + ", 'queued', 0, " + due + ", " + now + ", " + now + ", " + chat +
                   ") ON CONFLICT (id) DO NOTHING RETURNING id) "
                   "INSERT INTO message_events(message_id, status, at, detail) "
                   "SELECT id, 'queued', " +
                   now + ", '' FROM m"};
  }();
  return sql;
}

const Sql& InsertMessagesSql() {
  static const Sql sql = [] {
    std::string columns;
    std::string arrays;
    std::string content;
    int n = 5;
    std::string_view names = kContentColumns;
    for (int i = 0; i < kContentColumnCount; ++i, ++n) {
      arrays += ", $" + std::to_string(n) + "::" + std::string(kContentColumnTypes[i]) + "[]";
      content += ", c" + std::to_string(i);
    }
    return Sql{"insert_messages",
               "WITH m AS (INSERT INTO messages(id, domain, customer_phone, service_phone, " +
                   std::string(names) +
                   ", status, attempts, next_attempt_at, created_at, updated_at, chat_id) "
                   "SELECT id, domain, customer, service" +
                   content +
                   ", 'queued', 0, due, now, now, chat FROM unnest($1::text[], $2::text[], "
                   "$3::text[], $4::text[]" +
                   arrays + ", $" + std::to_string(n) + "::bigint[], $" + std::to_string(n + 1) +
                   "::bigint[], $" + std::to_string(n + 2) +
                   "::text[]) AS t(id, domain, customer, service" + content +
                   ", due, now, chat) ON CONFLICT (id) DO NOTHING RETURNING id, created_at) "
                   "INSERT INTO message_events(message_id, status, at, detail) "
                   "SELECT id, 'queued', created_at, '' FROM m RETURNING message_id"};
  }();
  return sql;
}

const Sql& ClaimSql() {
  // The queued and due (but for the skipped numbers) and the leased and expired, each an index
  // scan stopping after `limit` rows and skipping rows another transaction holds; of those, the
  // `limit` due first are leased, their `sending` events added, and they come back with their
  // media's metadata.
  static const Sql sql{
      "claim_due",
      "WITH queued AS (SELECT id, next_attempt_at FROM messages WHERE status = 'queued' "
      "AND next_attempt_at <= $1 AND service_phone <> ALL($3::text[]) "
      "ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED), "
      "expired AS (SELECT id, next_attempt_at FROM messages WHERE status = 'sending' "
      "AND lease_until <= $1 AND lease_owner <> $4 ORDER BY lease_until LIMIT $2 "
      "FOR UPDATE SKIP LOCKED), "
      "chosen AS (SELECT id FROM (SELECT * FROM queued UNION ALL SELECT * FROM expired) due "
      "ORDER BY next_attempt_at LIMIT $2), "
      "m AS (UPDATE messages SET status = 'sending', lease_owner = $4, lease_until = $5, "
      "attempts = messages.attempts + 1, updated_at = $1 FROM chosen "
      "WHERE messages.id = chosen.id RETURNING messages.*), "
      "events AS (INSERT INTO message_events(message_id, status, at, detail) "
      "SELECT id, 'sending', $1, 'attempt ' || attempts FROM m) "
      "SELECT " +
          MessageColumns() +
          " FROM m LEFT JOIN message_media mm ON mm.message_id = m.id "
          "ORDER BY m.next_attempt_at"};
  return sql;
}

const Sql kNextDueAt{"next_due_at",
                     "SELECT LEAST((SELECT next_attempt_at FROM messages WHERE status = 'queued' "
                     "ORDER BY next_attempt_at LIMIT 1), (SELECT lease_until FROM messages "
                     "WHERE status = 'sending' AND lease_owner <> $1 "
                     "ORDER BY lease_until LIMIT 1))"};

const Sql kAddEvent{"add_event",
                    "INSERT INTO message_events(message_id, status, at, detail) "
                    "VALUES($1, $2, $3, $4)"};

// The outcomes of an attempt, each recorded only while the worker holds the lease, with its
// event. $1 now, $2 id, $3 owner, $4 the event's detail; then each one's own values.
const Sql kAccepted{
    "attempt_accepted",
    "WITH m AS (UPDATE messages SET status = 'accepted', provider_message_id = $5, wa_id = $6, "
    "lease_owner = NULL, lease_until = NULL, error_code = NULL, error_message = NULL, "
    "updated_at = $1 WHERE id = $2 AND lease_owner = $3 AND status = 'sending' RETURNING id) "
    "INSERT INTO message_events(message_id, status, at, detail) "
    "SELECT id, 'accepted', $1, $4 FROM m"};
const Sql kFailed{
    "attempt_failed",
    "WITH m AS (UPDATE messages SET status = 'failed', error_code = $5, error_message = $6, "
    "lease_owner = NULL, lease_until = NULL, updated_at = $1 "
    "WHERE id = $2 AND lease_owner = $3 AND status = 'sending' RETURNING id) "
    "INSERT INTO message_events(message_id, status, at, detail) "
    "SELECT id, 'failed', $1, $4 FROM m"};
const Sql kRescheduled{
    "attempt_rescheduled",
    "WITH m AS (UPDATE messages SET status = 'queued', next_attempt_at = $5, error_code = $6, "
    "error_message = $7, lease_owner = NULL, lease_until = NULL, updated_at = $1 "
    "WHERE id = $2 AND lease_owner = $3 AND status = 'sending' RETURNING id) "
    "INSERT INTO message_events(message_id, status, at, detail) "
    "SELECT id, 'queued', $1, $4 FROM m"};
// Unsent ("not now"): queued again, the claim not counted as an attempt, no event.
const Sql kGivenBack{
    "attempt_given_back",
    "UPDATE messages SET status = 'queued', next_attempt_at = $1, attempts = attempts - 1, "
    "lease_owner = NULL, lease_until = NULL WHERE id = $2 AND lease_owner = $3 "
    "AND status = 'sending'"};

// The same outcomes for many messages at once (EndAttempts), from one array per column. The
// `id = ANY($1)` beside the join is for the planner: it knows nothing of unnest()'s rows in a
// generic plan and would read the whole table (tens of milliseconds a batch with 100,000
// messages stored); with it, each row is found by the primary key.
const Sql kManyGivenBack{
    "attempts_given_back",
    "UPDATE messages SET status = 'queued', next_attempt_at = t.due, "
    "attempts = messages.attempts - 1, lease_owner = NULL, lease_until = NULL "
    "FROM unnest($1::text[], $2::text[], $3::bigint[]) AS t(id, owner, due) "
    "WHERE messages.id = ANY($1::text[]) AND messages.id = t.id AND "
    "messages.lease_owner = t.owner AND messages.status = 'sending' RETURNING messages.id"};
const Sql kManyAccepted{
    "attempts_accepted",
    "WITH m AS (UPDATE messages SET status = 'accepted', provider_message_id = t.pmid, "
    "wa_id = t.wa_id, lease_owner = NULL, lease_until = NULL, error_code = NULL, "
    "error_message = NULL, updated_at = t.now "
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) "
    "AS t(id, owner, pmid, wa_id, now) WHERE messages.id = ANY($1::text[]) AND "
    "messages.id = t.id AND "
    "messages.lease_owner = t.owner AND messages.status = 'sending' "
    "RETURNING messages.id, t.pmid, t.now) "
    "INSERT INTO message_events(message_id, status, at, detail) "
    "SELECT id, 'accepted', now, pmid FROM m RETURNING message_id"};

const Sql kExtendLeases{"extend_leases",
                        "UPDATE messages SET lease_until = $1 WHERE id = ANY($2::text[]) "
                        "AND lease_owner = $3 AND status = 'sending'"};
const Sql kReleaseLeases{
    "release_leases",
    "UPDATE messages SET status = 'queued', lease_owner = NULL, lease_until = NULL, "
    "next_attempt_at = $1, updated_at = $1 WHERE lease_owner = $2 AND status = 'sending'"};

// The message, its pricing and its history in one statement, so in one snapshot (a status
// applied meanwhile shows in all three or in none) and one round trip. One row: the history is
// its last column, a JSON array of [status, at, detail, source] in order (NULL when there is
// none), so a long history costs its events and not a copy of the message each; the
// kMessagePricingColumnCount columns before it are the pricing.
const Sql& GetMessageSql() {
  static const Sql sql{"get_message",
                       "SELECT " + MessageColumns() + ", " + std::string(kMessagePricingColumns) +
                           ", (SELECT json_agg(json_build_array(e.status, e.at, e.detail, "
                           "e.source) ORDER BY e.seq) FROM message_events e "
                           "WHERE e.message_id = m.id)"
                           " FROM messages m LEFT JOIN message_media mm ON mm.message_id = m.id "
                           "WHERE m.id = $1 AND m.domain = $2"};
  return sql;
}

// GetMessageSql's history column into `history`.
Result<void> ReadHistory(std::string_view json, std::vector<StatusEvent>& history) {
  const auto events = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  const auto malformed = [] {
    return MakeError(ErrorCode::kInternal, "a message's history could not be read",
                     "get_message: the history column is not an array of [status, at, detail, "
                     "source]");
  };
  if (!events.is_array()) return malformed();
  history.reserve(events.size());
  for (const auto& e : events) {
    if (!e.is_array() || e.size() != 4 || !e[0].is_string() || !e[1].is_number_integer() ||
        !e[2].is_string() || !e[3].is_string()) {
      return malformed();
    }
    auto status = core::ParseMessageStatus(e[0].get_ref<const std::string&>());
    if (!status) return malformed();
    history.push_back(StatusEvent{*status, e[1].get<std::int64_t>(), e[2].get<std::string>(),
                                  e[3].get<std::string>()});
  }
  return {};
}
const Sql kMediaBytes{"media_bytes", "SELECT bytes FROM message_media WHERE message_id = $1"};
const Sql kAttemptStates{"attempt_states",
                         "SELECT id, status, attempts, provider_message_id, error_code, "
                         "error_message FROM messages WHERE id = ANY($1::text[])"};
const Sql kCountPending{"count_pending", "SELECT COALESCE(SUM(depth), 0) FROM outbox_depth"};
// MIN over the partial index of queued messages by due time: one index step.
const Sql kOldestQueuedDue{
    "oldest_queued_due",
    "SELECT COALESCE(MIN(next_attempt_at), -1) FROM messages WHERE status = 'queued'"};
const Sql kMoveDepth{
    "move_outbox_depth",
    "INSERT INTO outbox_depth(counter, depth) VALUES($1, $2) ON CONFLICT (counter) "
    "DO UPDATE SET depth = outbox_depth.depth + excluded.depth"};
// A row deleted here while its store commits a change to it waits for that commit and moves
// the changed value; the store's next change makes its row again.
const Sql kFoldDepth{"fold_outbox_depth",
                     "WITH gone AS (DELETE FROM outbox_depth RETURNING depth) "
                     "INSERT INTO outbox_depth(counter, depth) "
                     "SELECT $1, COALESCE(SUM(depth), 0) FROM gone"};

Result<Written> LeaseLost(const AttemptEnd& e) {
  return MakeError(ErrorCode::kNotFound, "message is not leased by this worker",
                   "lease lost for " + e.id);
}

}  // namespace

Result<core::MessageStatus> StatusColumn(const Rows& rows, int row, int column) {
  const std::string name = rows.Text(row, column);
  auto status = core::ParseMessageStatus(name);
  if (!status) {
    return MakeError(ErrorCode::kInternal, "a stored message is unreadable",
                     "unknown status \"" + name + "\" in the database");
  }
  return *status;
}

Result<void> AddEvent(Connection& db, std::string_view id, core::MessageStatus status,
                      std::int64_t at_ms, std::string_view detail) {
  Params p;
  p.Text(id).Text(core::MessageStatusName(status)).Int(at_ms).Text(detail);
  SG_RETURN_IF_ERROR(db.Run(kAddEvent, p));
  return {};
}

Result<Written> InsertMessage(Connection& db, const NewMessage& m, std::uint64_t& inserts,
                              std::int64_t chat_idle_ms) {
  // The chat first: the row names it. (A refused insert rolls the chat back with it: the
  // committer's savepoint.)
  ConversationStatements conversations(db);
  SG_ASSIGN_OR_RETURN(const std::string chat_id,
                      JoinChat(conversations, m.domain, m.message.service_phone,
                               m.message.customer_phone, m.now_ms, chat_idle_ms));
  Params p;
  p.Text(m.id).Text(m.domain).Text(m.message.customer_phone).Text(m.message.service_phone);
  BindContent(p, m.message.content);
  p.Int(m.due_at_ms > 0 ? m.due_at_ms : m.now_ms).Int(m.now_ms).Text(chat_id);
  SG_ASSIGN_OR_RETURN(Rows inserted, db.Run(InsertMessageSql(), p));
  if (inserted.Changed() == 0) {
    return MakeError(ErrorCode::kAlreadyExists, "a message with this id already exists");
  }
  if (const core::MediaHeader* media = core::MediaOf(m.message)) {
    SG_RETURN_IF_ERROR(InsertMedia(db, m.id, *media));
  }
  if (m.idempotency) SG_RETURN_IF_ERROR(InsertIdempotencyKey(db, m));
  // Expired keys are dead weight: clear them out now and then, in the same transaction.
  if (++inserts % 1024 == 0) SG_RETURN_IF_ERROR(PurgeIdempotencyKeys(db, m.now_ms));
  Written written;
  written.outbox_depth_change = +1;
  written.chat_id = chat_id;
  return written;
}

bool InsertMessages(Connection& db, const std::vector<const NewMessage*>& messages,
                    const std::vector<Result<Written>*>& results, std::uint64_t& inserts,
                    std::int64_t chat_idle_ms) {
  // The chats first, one statement for the batch's pairs: the rows name them.
  std::vector<ChatJoin> joins;
  joins.reserve(messages.size());
  for (const NewMessage* m : messages) {
    joins.push_back({m->domain, m->message.service_phone, m->message.customer_phone, m->now_ms});
  }
  auto chats = JoinChats(db, joins, chat_idle_ms);
  if (!chats) {
    for (auto* r : results) *r = tl::unexpected(chats.error());
    return false;  // the statement's error failed the transaction
  }
  // One array per column, a row per message.
  std::vector<std::vector<std::string>> columns(4 + kContentColumnCount + 3);
  for (auto& column : columns) column.reserve(messages.size());
  for (const NewMessage* m : messages) {
    columns[0].push_back(m->id);
    columns[1].push_back(m->domain);
    columns[2].push_back(m->message.customer_phone);
    columns[3].push_back(m->message.service_phone);
    auto content = ContentValues(m->message.content);
    for (int i = 0; i < kContentColumnCount; ++i) columns[4 + i].push_back(std::move(content[i]));
    columns[4 + kContentColumnCount].push_back(
        std::to_string(m->due_at_ms > 0 ? m->due_at_ms : m->now_ms));
    columns[5 + kContentColumnCount].push_back(std::to_string(m->now_ms));
  }
  columns[6 + kContentColumnCount] = std::move(*chats);
  Params p;
  for (const auto& column : columns) p.TextArray(column);
  auto inserted = db.Run(InsertMessagesSql(), p);
  if (!inserted) {
    for (auto* r : results) *r = tl::unexpected(inserted.error());
    return false;  // the statement's error failed the transaction
  }
  std::set<std::string, std::less<>> stored;
  for (int i = 0; i < inserted->size(); ++i) stored.insert(inserted->Text(i, 0));
  bool clean = true;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const NewMessage& m = *messages[i];
    // An id in use, or a second message of this batch with the same id: nothing of it written.
    if (stored.erase(m.id) == 0) {
      *results[i] = MakeError(ErrorCode::kAlreadyExists, "a message with this id already exists");
      continue;
    }
    Result<void> rest = [&]() -> Result<void> {
      if (const core::MediaHeader* media = core::MediaOf(m.message)) {
        SG_RETURN_IF_ERROR(InsertMedia(db, m.id, *media));
      }
      if (m.idempotency) SG_RETURN_IF_ERROR(InsertIdempotencyKey(db, m));
      if (++inserts % 1024 == 0) SG_RETURN_IF_ERROR(PurgeIdempotencyKeys(db, m.now_ms));
      return {};
    }();
    if (!rest) {
      *results[i] = tl::unexpected(std::move(rest.error()));
      clean = false;  // its row and event are in the transaction
      if (db.TransactionFailed()) return false;
      continue;
    }
    Written written;
    written.outbox_depth_change = +1;
    written.chat_id = columns[6 + kContentColumnCount][i];
    *results[i] = std::move(written);
  }
  return clean;
}

Result<Written> ClaimDue(Connection& db, const ClaimRequest& r) {
  Claim claim;
  {
    Params p;
    p.Int(r.now_ms).Int(r.limit).TextArray(r.skip_numbers).Text(r.owner).Int(r.now_ms + r.lease_ms);
    SG_ASSIGN_OR_RETURN(Rows rows, db.Run(ClaimSql(), p));
    claim.messages.reserve(static_cast<std::size_t>(rows.size()));
    for (int i = 0; i < rows.size(); ++i) {
      SG_ASSIGN_OR_RETURN(StoredMessage m, ReadMessageRow(rows, i));
      claim.messages.push_back(std::move(m));
    }
  }
  if (static_cast<int>(claim.messages.size()) < r.limit) {
    Params owner;
    owner.Text(r.owner);
    SG_ASSIGN_OR_RETURN(Rows next, db.Run(kNextDueAt, owner));
    if (!next.IsNull(0, 0)) claim.next_due_at_ms = next.Int64(0, 0);
  }
  Written written;
  written.claim = std::move(claim);
  return written;
}

Result<Written> EndAttempt(Connection& db, const AttemptEnd& e, const CallbackDomains& callbacks) {
  Params p;
  p.Int(e.kind == AttemptEnd::Kind::kGivenBack ? e.next_attempt_at_ms : e.now_ms)
      .Text(e.id)
      .Text(e.owner);
  const Sql* sql = nullptr;
  core::MessageStatus status = core::MessageStatus::kQueued;
  switch (e.kind) {
    case AttemptEnd::Kind::kAccepted:
      p.Text(e.provider_message_id).Text(e.provider_message_id).Text(e.wa_id);
      sql = &kAccepted;
      status = core::MessageStatus::kAccepted;
      break;
    case AttemptEnd::Kind::kFailed:
      p.Text(e.error_message).Text(e.error_code).Text(e.error_message);
      sql = &kFailed;
      status = core::MessageStatus::kFailed;
      break;
    case AttemptEnd::Kind::kRescheduled:
      p.Text(e.error_message).Int(e.next_attempt_at_ms).Text(e.error_code).Text(e.error_message);
      sql = &kRescheduled;
      break;
    case AttemptEnd::Kind::kGivenBack:
      sql = &kGivenBack;
      break;
  }
  if (sql == nullptr) return MakeError(ErrorCode::kInternal, "unknown kind of attempt end");
  SG_ASSIGN_OR_RETURN(Rows done, db.Run(*sql, p));
  if (done.Changed() == 0) return LeaseLost(e);
  Written written;
  if (e.kind != AttemptEnd::Kind::kGivenBack) {
    if (!IsPending(status)) {
      written.outbox_depth_change = -1;  // it was `sending`
      SG_RETURN_IF_ERROR(AddCallback(db, callbacks, e.id, status, e.now_ms, "", e.error_code,
                                     e.error_message, e.now_ms));
    }
    // Reports that came while the attempt was on its way apply now.
    StatusStatements statuses(db, callbacks);
    SG_RETURN_IF_ERROR(ApplyHeldReports(statuses, e.id, e.provider_message_id, e.now_ms, written));
  }
  return written;
}

Result<void> EndAttempts(Connection& db, AttemptEnd::Kind kind,
                         const std::vector<const AttemptEnd*>& ends,
                         const std::vector<Result<Written>*>& results,
                         const CallbackDomains& callbacks) {
  std::vector<std::string> ids, owners, a, b, times;
  for (const AttemptEnd* e : ends) {
    ids.push_back(e->id);
    owners.push_back(e->owner);
    if (kind == AttemptEnd::Kind::kAccepted) {
      a.push_back(e->provider_message_id);
      b.push_back(e->wa_id);
      times.push_back(std::to_string(e->now_ms));
    } else {
      times.push_back(std::to_string(e->next_attempt_at_ms));
    }
  }
  Params p;
  p.TextArray(ids).TextArray(owners);
  const Sql* sql = &kManyGivenBack;
  if (kind == AttemptEnd::Kind::kAccepted) {
    p.TextArray(a).TextArray(b);
    sql = &kManyAccepted;
  } else if (kind != AttemptEnd::Kind::kGivenBack) {
    return MakeError(ErrorCode::kInternal, "only give-backs and acceptances are recorded together");
  }
  p.TextArray(times);
  auto done = db.Run(*sql, p);
  if (!done) {
    for (auto* r : results) *r = tl::unexpected(done.error());
    return tl::unexpected(done.error());
  }
  std::set<std::string, std::less<>> recorded;
  for (int i = 0; i < done->size(); ++i) recorded.insert(done->Text(i, 0));
  // Reports that came while the attempts were on their way apply now: looked for one by one
  // only when there are some.
  bool held = false;
  if (kind == AttemptEnd::Kind::kAccepted) {
    // The acceptances' callbacks, one statement (the messages whose lease was lost are not
    // among those recorded).
    std::vector<std::string> accepted(recorded.begin(), recorded.end());
    auto added = AddAcceptedCallbacks(db, callbacks, accepted, ends.front()->now_ms);
    if (!added) {
      for (auto* r : results) *r = tl::unexpected(added.error());
      return tl::unexpected(added.error());
    }
    auto any = AnyHeld(db, ids, a);
    if (!any) {
      for (auto* r : results) *r = tl::unexpected(any.error());
      return tl::unexpected(any.error());
    }
    held = *any;
  }
  for (std::size_t i = 0; i < ends.size(); ++i) {
    if (recorded.erase(ends[i]->id) == 0) {
      *results[i] = LeaseLost(*ends[i]);
      continue;
    }
    Written written;
    // Accepted: it was `sending`, it is no longer waiting; given back: still waiting.
    if (kind == AttemptEnd::Kind::kAccepted) written.outbox_depth_change = -1;
    if (held) {
      StatusStatements statuses(db, callbacks);
      auto applied = ApplyHeldReports(statuses, ends[i]->id, ends[i]->provider_message_id,
                                      ends[i]->now_ms, written);
      if (!applied) {
        for (auto* r : results) *r = tl::unexpected(applied.error());
        return tl::unexpected(applied.error());
      }
    }
    *results[i] = written;
  }
  return {};
}

Result<Written> ExtendLeases(Connection& db, const LeaseExtension& x) {
  Params p;
  p.Int(x.lease_until_ms).TextArray(x.ids).Text(x.owner);
  SG_RETURN_IF_ERROR(db.Run(kExtendLeases, p));
  return Written{};
}

Result<Written> ReleaseLeases(Connection& db, const LeaseRelease& r) {
  Params p;
  p.Int(r.now_ms).Text(r.owner);
  SG_ASSIGN_OR_RETURN(Rows done, db.Run(kReleaseLeases, p));
  Written written;
  written.changed = done.Changed();
  return written;
}

Result<std::optional<StoredMessage>> GetMessage(Connection& db, std::string_view domain,
                                                std::string_view id) {
  Params p;
  p.Text(id).Text(domain);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(GetMessageSql(), p));
  if (rows.size() == 0) return std::optional<StoredMessage>();
  SG_ASSIGN_OR_RETURN(StoredMessage m, ReadMessageRow(rows, 0));
  const int history = rows.columns() - 1;
  ReadMessagePricing(rows, 0, history - kMessagePricingColumnCount, m);
  if (!rows.IsNull(0, history)) SG_RETURN_IF_ERROR(ReadHistory(rows.View(0, history), m.history));
  return std::optional<StoredMessage>(std::move(m));
}

Result<std::string> MediaBytes(Connection& db, std::string_view id) {
  Params p;
  p.Text(id);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kMediaBytes, p, /*binary_rows=*/true));
  if (rows.size() == 0) {
    return MakeError(ErrorCode::kNotFound, "the message has no media header",
                     "no media for " + std::string(id));
  }
  return rows.Text(0, 0);
}

Result<std::vector<AttemptState>> AttemptStates(Connection& db,
                                                const std::vector<std::string>& ids) {
  Params p;
  p.TextArray(ids);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kAttemptStates, p));
  std::vector<AttemptState> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    SG_ASSIGN_OR_RETURN(const core::MessageStatus status, StatusColumn(rows, i, 1));
    out.push_back(AttemptState{rows.Text(i, 0), status, rows.Int(i, 2), rows.Text(i, 3),
                               rows.Text(i, 4), rows.Text(i, 5)});
  }
  return out;
}

Result<std::int64_t> CountPending(Connection& db) {
  Params none;
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kCountPending, none));
  return rows.Int64(0, 0);
}

Result<std::optional<std::int64_t>> OldestQueuedDueAt(Connection& db) {
  Params none;
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kOldestQueuedDue, none));
  const std::int64_t at = rows.Int64(0, 0);
  if (at < 0) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(at);
}

Result<void> MoveOutboxDepth(Connection& db, std::string_view counter, std::int64_t change) {
  Params p;
  p.Text(counter).Int(change);
  SG_RETURN_IF_ERROR(db.Run(kMoveDepth, p));
  return {};
}

Result<void> FoldOutboxDepth(Connection& db, std::string_view counter) {
  Params p;
  p.Text(counter);
  SG_RETURN_IF_ERROR(db.Run(kFoldDepth, p));
  return {};
}

}  // namespace socialgate::store::postgres
