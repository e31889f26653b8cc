#include "store/sqlite/outbox_statements.hpp"

#include <algorithm>
#include <functional>
#include <vector>

#include "store/sqlite/conversation_statements.hpp"
#include "store/sqlite/idempotency_statements.hpp"
#include "store/sqlite/message_content.hpp"
#include "store/sqlite/status_statements.hpp"
#include "store/status_order.hpp"
#include "store/string_array.hpp"

namespace socialgate::store::sqlite {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;

}  // namespace

// The content's columns (message_content.hpp) start at column kFirstContentColumn.
const std::string kMessageColumns =
    std::string(
        "id, domain, customer_phone, service_phone, status, attempts, next_attempt_at, "
        "provider_message_id, wa_id, error_code, error_message, created_at, updated_at, "
        "chat_id, ") +
    kContentColumns;
constexpr int kFirstContentColumn = 14;

Result<StoredMessage> ReadMessageRow(const Statement& s) {
  StoredMessage m;
  m.id = s.Text(0);
  m.domain = s.Text(1);
  m.message.customer_phone = s.Text(2);
  m.message.service_phone = s.Text(3);
  SG_ASSIGN_OR_RETURN(m.status, StatusColumn(s, 4));
  m.attempts = s.Int(5);
  m.next_attempt_at_ms = s.Int64(6);
  m.provider_message_id = s.Text(7);
  m.wa_id = s.Text(8);
  m.error_code = s.Text(9);
  m.error_message = s.Text(10);
  m.created_at_ms = s.Int64(11);
  m.updated_at_ms = s.Int64(12);
  m.chat_id = s.Text(13);
  m.message.content = ReadContent(s, kFirstContentColumn);
  return m;
}

Result<void> ReadMessageMedia(Connection& db, StoredMessage& m) {
  core::MediaHeader* media = core::MediaOf(m.message);
  if (media == nullptr) return {};
  return ReadMedia(db, m.id, *media);
}

namespace {

// The earliest due time, or expiry of a lease of another owner than `owner`; nullopt when none.
Result<std::optional<std::int64_t>> NextDueAt(Connection& db, std::string_view owner) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("SELECT MIN(t) FROM ("
                 "SELECT * FROM (SELECT next_attempt_at AS t FROM messages WHERE status = 'queued' "
                 "ORDER BY next_attempt_at LIMIT 1) UNION ALL "
                 "SELECT * FROM (SELECT lease_until AS t FROM messages WHERE status = 'sending' "
                 "AND lease_owner <> ? ORDER BY lease_until LIMIT 1))"));
  Statement s(stmt);
  s.Bind(owner);
  if (s.Step() != SQLITE_ROW) return tl::unexpected(db.Error("next due"));
  if (s.IsNull(0)) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(s.Int64(0));
}

// The claim itself: leases the messages, records their `sending` events, reads their media.
Result<void> ClaimMessages(Connection& db, const ClaimRequest& r,
                           std::vector<StoredMessage>& claimed) {
  {
    // One statement leases them all. Two index scans (queued and due; leased and expired)
    // instead of one OR over the table, each stopping after `limit` rows: with a backlog of
    // a hundred thousand due messages a claim still reads only the few it takes.
    static const std::string kSql =
        std::string(
            "UPDATE messages SET status = 'sending', lease_owner = ?4, lease_until = ?5, "
            "attempts = attempts + 1, updated_at = ?1 WHERE id IN ("
            "SELECT id FROM messages WHERE id IN ("
            "SELECT id FROM (SELECT id FROM messages WHERE status = 'queued' AND "
            "next_attempt_at <= ?1 AND service_phone NOT IN (SELECT value FROM json_each(?3)) "
            "ORDER BY next_attempt_at LIMIT ?2) "
            "UNION ALL SELECT id FROM (SELECT id FROM messages WHERE status = 'sending' "
            "AND lease_until <= ?1 AND lease_owner <> ?4 ORDER BY lease_until LIMIT ?2)) "
            "ORDER BY next_attempt_at LIMIT ?2) RETURNING ") +
        kMessageColumns;
    SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare(kSql.c_str()));
    Statement s(stmt);
    s.Bind(r.now_ms)
        .Bind(static_cast<std::int64_t>(r.limit))
        .Bind(EncodeStringArray(r.skip_numbers))
        .Bind(r.owner)
        .Bind(r.now_ms + r.lease_ms);
    int rc = 0;
    while ((rc = s.Step()) == SQLITE_ROW) {
      SG_ASSIGN_OR_RETURN(StoredMessage m, ReadMessageRow(s));
      claimed.push_back(std::move(m));
    }
    if (rc != SQLITE_DONE) return tl::unexpected(db.Error("claim"));
  }
  // RETURNING gives no order: oldest due first, as they were chosen.
  std::stable_sort(claimed.begin(), claimed.end(), [](const auto& a, const auto& b) {
    return a.next_attempt_at_ms < b.next_attempt_at_ms;
  });
  std::vector<std::string> ids;
  ids.reserve(claimed.size());
  for (const auto& m : claimed) ids.push_back(m.id);
  if (!ids.empty()) {
    SG_ASSIGN_OR_RETURN(auto stmt,
                        db.Prepare("INSERT INTO message_events(message_id, status, at, detail) "
                                   "SELECT id, 'sending', ?1, 'attempt ' || attempts FROM messages "
                                   "WHERE id IN (SELECT value FROM json_each(?2))"));
    Statement s(stmt);
    s.Bind(r.now_ms).Bind(EncodeStringArray(ids));
    if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("claim events"));
  }
  for (auto& m : claimed) SG_RETURN_IF_ERROR(ReadMessageMedia(db, m));
  return {};
}

// An attempt's outcome, recorded only while `owner` holds the lease. `sql` binds its own
// leading values (bind_leading), then now_ms, id and owner.
Result<Written> FinishAttempt(Connection& db, const AttemptEnd& e, core::MessageStatus status,
                              const char* sql, const std::function<void(Statement&)>& bind_leading,
                              std::string_view event_detail, const CallbackDomains& callbacks) {
  SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql));
  {
    Statement s(stmt);
    bind_leading(s);
    s.Bind(e.now_ms).Bind(e.id).Bind(e.owner);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("finish attempt"));
  }
  if (db.Changes() == 0) {
    return MakeError(ErrorCode::kNotFound, "message is not leased by this worker",
                     "lease lost for " + e.id);
  }
  SG_RETURN_IF_ERROR(AddEvent(db, e.id, status, e.now_ms, event_detail));
  Written written;
  if (!IsPending(status)) {
    written.outbox_depth_change = -1;  // it was `sending`
    SG_RETURN_IF_ERROR(AddCallback(db, callbacks, e.id, status, e.now_ms, "", e.error_code,
                                   e.error_message, e.now_ms));
  }
  // Reports that came while the attempt was on its way apply now.
  StatusStatements statuses(db, callbacks);
  SG_RETURN_IF_ERROR(ApplyHeldReports(statuses, e.id, e.provider_message_id, e.now_ms, written));
  return written;
}

// A claim given back unsent: queued again, and the claim does not count as an attempt.
Result<Written> GiveBack(Connection& db, const AttemptEnd& e) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare(
          "UPDATE messages SET status = 'queued', next_attempt_at = ?, attempts = attempts - 1, "
          "lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ? "
          "AND status = 'sending'"));
  Statement s(stmt);
  s.Bind(e.next_attempt_at_ms).Bind(e.id).Bind(e.owner);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("release"));
  if (db.Changes() == 0) {
    return MakeError(ErrorCode::kNotFound, "message is not leased by this worker",
                     "lease lost for " + e.id);
  }
  return Written{};
}

}  // namespace

Result<core::MessageStatus> StatusColumn(const Statement& s, int column) {
  const std::string name = s.Text(column);
  auto status = core::ParseMessageStatus(name);
  if (!status) {
    return MakeError(ErrorCode::kInternal, "a stored message is unreadable",
                     "unknown status \"" + name + "\" in the database");
  }
  return *status;
}

Result<void> AddEvent(Connection& db, std::string_view id, core::MessageStatus status,
                      std::int64_t at_ms, std::string_view detail) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("INSERT INTO message_events(message_id, status, at, detail) VALUES(?,?,?,?)"));
  Statement s(stmt);
  s.Bind(id).Bind(core::MessageStatusName(status)).Bind(at_ms).Bind(detail);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("insert event"));
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
  {
    static const std::string kSql =
        std::string("INSERT INTO messages(id, domain, customer_phone, service_phone, chat_id, ") +
        kContentColumns +
        ", status, attempts, next_attempt_at, created_at, updated_at) VALUES(?,?,?,?,?," +
        kContentPlaceholders + ",'queued',0,?,?,?)";
    SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare(kSql.c_str()));
    Statement s(stmt);
    s.Bind(m.id).Bind(m.domain).Bind(m.message.customer_phone).Bind(m.message.service_phone);
    s.Bind(chat_id);
    BindContent(s, m.message.content);
    s.Bind(m.due_at_ms > 0 ? m.due_at_ms : m.now_ms).Bind(m.now_ms).Bind(m.now_ms);
    const int rc = s.Step();
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
      return MakeError(ErrorCode::kAlreadyExists, "a message with this id already exists");
    }
    if (rc != SQLITE_DONE) return tl::unexpected(db.Error("insert message"));
  }
  if (const core::MediaHeader* media = core::MediaOf(m.message)) {
    SG_RETURN_IF_ERROR(InsertMedia(db, m.id, *media));
  }
  if (m.idempotency) SG_RETURN_IF_ERROR(InsertIdempotencyKey(db, m));
  // Expired keys are dead weight: clear them out now and then, in the same transaction.
  if (++inserts % 1024 == 0) SG_RETURN_IF_ERROR(PurgeIdempotencyKeys(db, m.now_ms));
  SG_RETURN_IF_ERROR(AddEvent(db, m.id, core::MessageStatus::kQueued, m.now_ms, ""));
  Written written;
  written.outbox_depth_change = +1;
  written.chat_id = chat_id;
  return written;
}

Result<Written> ClaimDue(Connection& db, const ClaimRequest& request) {
  Claim claim;
  SG_RETURN_IF_ERROR(ClaimMessages(db, request, claim.messages));
  if (static_cast<int>(claim.messages.size()) < request.limit) {
    SG_ASSIGN_OR_RETURN(auto next, NextDueAt(db, request.owner));
    claim.next_due_at_ms = next;
  }
  Written written;
  written.claim = std::move(claim);
  return written;
}

Result<Written> EndAttempt(Connection& db, const AttemptEnd& e, const CallbackDomains& callbacks) {
  switch (e.kind) {
    case AttemptEnd::Kind::kAccepted:
      return FinishAttempt(
          db, e, core::MessageStatus::kAccepted,
          "UPDATE messages SET status = 'accepted', provider_message_id = ?, wa_id = ?, "
          "lease_owner = NULL, lease_until = NULL, error_code = NULL, error_message = NULL, "
          "updated_at = ? WHERE id = ? AND lease_owner = ? AND status = 'sending'",
          [&](Statement& s) { s.Bind(e.provider_message_id).Bind(e.wa_id); }, e.provider_message_id,
          callbacks);
    case AttemptEnd::Kind::kFailed:
      return FinishAttempt(
          db, e, core::MessageStatus::kFailed,
          "UPDATE messages SET status = 'failed', error_code = ?, error_message = ?, "
          "lease_owner = NULL, lease_until = NULL, updated_at = ? "
          "WHERE id = ? AND lease_owner = ? AND status = 'sending'",
          [&](Statement& s) { s.Bind(e.error_code).Bind(e.error_message); }, e.error_message,
          callbacks);
    case AttemptEnd::Kind::kRescheduled:
      return FinishAttempt(
          db, e, core::MessageStatus::kQueued,
          "UPDATE messages SET status = 'queued', next_attempt_at = ?, error_code = ?, "
          "error_message = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? "
          "WHERE id = ? AND lease_owner = ? AND status = 'sending'",
          [&](Statement& s) {
            s.Bind(e.next_attempt_at_ms).Bind(e.error_code).Bind(e.error_message);
          },
          e.error_message, callbacks);
    case AttemptEnd::Kind::kGivenBack:
      return GiveBack(db, e);
  }
  return MakeError(ErrorCode::kInternal, "unknown kind of attempt end");
}

Result<Written> ExtendLeases(Connection& db, const LeaseExtension& x) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("UPDATE messages SET lease_until = ? WHERE id IN (SELECT value FROM json_each(?)) "
                 "AND lease_owner = ? AND status = 'sending'"));
  Statement s(stmt);
  s.Bind(x.lease_until_ms).Bind(EncodeStringArray(x.ids)).Bind(x.owner);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("extend leases"));
  return Written{};
}

Result<Written> ReleaseLeases(Connection& db, const LeaseRelease& r) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare(
          "UPDATE messages SET status = 'queued', lease_owner = NULL, lease_until = NULL, "
          "next_attempt_at = ?, updated_at = ? WHERE lease_owner = ? AND status = 'sending'"));
  Statement s(stmt);
  s.Bind(r.now_ms).Bind(r.now_ms).Bind(r.owner);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("release leases"));
  Written written;
  written.changed = db.Changes();
  return written;
}

Result<std::optional<StoredMessage>> GetMessage(Connection& db, std::string_view domain,
                                                std::string_view id) {
  static const std::string kSql =
      std::string("SELECT ") + kMessageColumns + " FROM messages WHERE id = ? AND domain = ?";
  SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare(kSql.c_str()));
  StoredMessage m;
  {
    Statement s(stmt);
    s.Bind(id).Bind(domain);
    const int rc = s.Step();
    if (rc == SQLITE_DONE) return std::optional<StoredMessage>();
    if (rc != SQLITE_ROW) return tl::unexpected(db.Error("get message"));
    SG_ASSIGN_OR_RETURN(m, ReadMessageRow(s));
  }
  SG_RETURN_IF_ERROR(ReadMessageMedia(db, m));
  SG_ASSIGN_OR_RETURN(
      auto events,
      db.Prepare("SELECT status, at, detail, source FROM message_events WHERE message_id = ? "
                 "ORDER BY seq"));
  {
    Statement s(events);
    s.Bind(id);
    int rc = 0;
    while ((rc = s.Step()) == SQLITE_ROW) {
      SG_ASSIGN_OR_RETURN(const core::MessageStatus status, StatusColumn(s, 0));
      m.history.push_back(StatusEvent{status, s.Int64(1), s.Text(2), s.Text(3)});
    }
    if (rc != SQLITE_DONE) return tl::unexpected(db.Error("get events"));
  }
  SG_RETURN_IF_ERROR(ReadPricing(db, id, m));
  return std::optional<StoredMessage>(std::move(m));
}

Result<std::string> MediaBytes(Connection& db, std::string_view id) {
  SG_ASSIGN_OR_RETURN(auto stmt,
                      db.Prepare("SELECT bytes FROM message_media WHERE message_id = ?"));
  Statement s(stmt);
  s.Bind(id);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) {
    return MakeError(ErrorCode::kNotFound, "the message has no media header",
                     "no media for " + std::string(id));
  }
  if (rc != SQLITE_ROW) return tl::unexpected(db.Error("media bytes"));
  const void* blob = sqlite3_column_blob(stmt, 0);
  const int size = sqlite3_column_bytes(stmt, 0);
  return std::string(static_cast<const char*>(blob), static_cast<std::size_t>(size));
}

Result<std::vector<AttemptState>> AttemptStates(Connection& db,
                                                const std::vector<std::string>& ids) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("SELECT id, status, attempts, provider_message_id, error_code, error_message "
                 "FROM messages WHERE id IN (SELECT value FROM json_each(?))"));
  Statement s(stmt);
  s.Bind(EncodeStringArray(ids));
  std::vector<AttemptState> out;
  int rc = 0;
  while ((rc = s.Step()) == SQLITE_ROW) {
    SG_ASSIGN_OR_RETURN(const core::MessageStatus status, StatusColumn(s, 1));
    out.push_back(AttemptState{s.Text(0), status, s.Int(2), s.Text(3), s.Text(4), s.Text(5)});
  }
  if (rc != SQLITE_DONE) return tl::unexpected(db.Error("attempt states"));
  return out;
}

Result<std::int64_t> CountPending(Connection& db) {
  // Two counts over the partial indexes of queued and sending messages: `status IN (...)`
  // would scan every message ever stored.
  SG_ASSIGN_OR_RETURN(auto stmt,
                      db.Prepare("SELECT (SELECT COUNT(*) FROM messages WHERE status = 'queued') + "
                                 "(SELECT COUNT(*) FROM messages WHERE status = 'sending')"));
  Statement s(stmt);
  if (s.Step() != SQLITE_ROW) return tl::unexpected(db.Error("pending count"));
  return s.Int64(0);
}

Result<std::optional<std::int64_t>> OldestQueuedDueAt(Connection& db) {
  // MIN over the partial index of queued messages by due time: one index step.
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare(
          "SELECT COALESCE(MIN(next_attempt_at), -1) FROM messages WHERE status = 'queued'"));
  Statement s(stmt);
  if (s.Step() != SQLITE_ROW) return tl::unexpected(db.Error("oldest queued message"));
  const std::int64_t at = s.Int64(0);
  if (at < 0) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(at);
}

}  // namespace socialgate::store::sqlite
