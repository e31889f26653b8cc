#include "store/sqlite/callback_statements.hpp"

#include <algorithm>
#include <limits>

#include "store/sqlite/conversation_statements.hpp"
#include "store/sqlite/outbox_statements.hpp"

namespace socialgate::store::sqlite {

using core::ErrorCode;
using core::MakeError;
using core::Result;

Result<void> AddCallback(Connection& db, const CallbackDomains& domains, std::string_view id,
                         core::MessageStatus status, std::int64_t at_ms, std::string_view source,
                         std::string_view error_code, std::string_view error_message,
                         std::int64_t now_ms) {
  if (domains.names.empty()) return {};
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("INSERT INTO callbacks(id, domain, message_id, status, at, source, error_code, "
                 "error_message, state, next_attempt_at, created_at) "
                 "SELECT 'cb_' || lower(hex(randomblob(16))), domain, id, ?, ?, ?, ?, ?, "
                 "'pending', ?, ? FROM messages WHERE id = ? "
                 "AND domain IN (SELECT value FROM json_each(?))"));
  Statement s(stmt);
  s.Bind(core::MessageStatusName(status))
      .Bind(at_ms)
      .Bind(source)
      .Bind(error_code)
      .Bind(error_message)
      .Bind(now_ms)
      .Bind(now_ms)
      .Bind(id)
      .Bind(domains.json);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("add callback"));
  return {};
}

namespace {

Result<void> PurgeCallbacks(Connection& db, std::int64_t now_ms) {
  SG_ASSIGN_OR_RETURN(
      auto stmt, db.Prepare("DELETE FROM callbacks WHERE seq IN (SELECT seq FROM callbacks WHERE "
                            "(state = 'delivered' AND finished_at < ?) OR "
                            "(state = 'failed' AND finished_at < ?) LIMIT 1000)"));
  Statement s(stmt);
  s.Bind(now_ms - kKeepDeliveredCallbacksMs).Bind(now_ms - kKeepFailedCallbacksMs);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("purge callbacks"));
  return {};
}

}  // namespace

Result<Written> ClaimCallbacks(Connection& db, const CallbackClaim& c, std::uint64_t& claims) {
  Written written;
  {
    // The earliest pending callback of each message, due and not under a live lease.
    SG_ASSIGN_OR_RETURN(
        auto stmt,
        db.Prepare(
            "UPDATE callbacks SET lease_owner = ?1, lease_until = ?2, attempts = attempts + 1 "
            "WHERE seq IN (SELECT c.seq FROM callbacks c WHERE c.state = 'pending' "
            "AND c.next_attempt_at <= ?3 AND (c.lease_until IS NULL OR c.lease_until <= ?3) "
            "AND NOT EXISTS (SELECT 1 FROM callbacks p WHERE p.state = 'pending' "
            "AND p.message_id = c.message_id AND p.seq < c.seq) "
            "ORDER BY c.next_attempt_at, c.seq LIMIT ?4) "
            "RETURNING id, domain, message_id, status, at, source, error_code, error_message, "
            "attempts, created_at, seq, inbound_seq"));
    Statement s(stmt);
    s.Bind(c.owner).Bind(c.now_ms + c.lease_ms).Bind(c.now_ms).Bind(std::int64_t{c.limit});
    int rc = 0;
    std::vector<std::pair<std::int64_t, CallbackDelivery>> claimed;
    while ((rc = s.Step()) == SQLITE_ROW) {
      CallbackDelivery d;
      d.id = s.Text(0);
      d.domain = s.Text(1);
      d.message_id = s.Text(2);
      if (!s.IsNull(11)) {
        d.inbound = InboundRecord{};
        d.inbound->seq = s.Int64(11);
      } else {
        SG_ASSIGN_OR_RETURN(d.status, StatusColumn(s, 3));
      }
      d.at_ms = s.Int64(4);
      d.source = s.Text(5);
      d.error_code = s.Text(6);
      d.error_message = s.Text(7);
      d.attempts = s.Int(8);
      d.created_at_ms = s.Int64(9);
      claimed.emplace_back(s.Int64(10), std::move(d));
    }
    if (rc != SQLITE_DONE) return tl::unexpected(db.Error("claim callbacks"));
    // RETURNING gives no order: the order of the changes.
    std::sort(claimed.begin(), claimed.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [seq, d] : claimed) written.callbacks.push_back(std::move(d));
  }
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("SELECT service_phone, customer_phone, provider_message_id FROM messages "
                 "WHERE id = ?"));
  for (CallbackDelivery& d : written.callbacks) {
    if (d.inbound) {
      // A customer's message: as stored (an erased one is posted with what the row says).
      SG_ASSIGN_OR_RETURN(auto message, InboundBySeq(db, d.inbound->seq));
      if (message) d.inbound = std::move(*message);
      d.service_phone = d.inbound->service_phone;
      d.customer_phone = d.inbound->customer_phone;
      d.provider_message_id = d.message_id;
      continue;
    }
    Statement s(stmt);
    s.Bind(d.message_id);
    const int rc = s.Step();
    if (rc == SQLITE_ROW) {
      d.service_phone = s.Text(0);
      d.customer_phone = s.Text(1);
      d.provider_message_id = s.Text(2);
    } else if (rc != SQLITE_DONE) {
      return tl::unexpected(db.Error("callback's message"));
    }
  }
  if (++claims % 256 == 0) SG_RETURN_IF_ERROR(PurgeCallbacks(db, c.now_ms));
  return written;
}

Result<Written> RecordCallback(Connection& db, const CallbackOutcome& o) {
  const char* sql = nullptr;
  switch (o.kind) {
    case CallbackOutcome::Kind::kDelivered:
      sql =
          "UPDATE callbacks SET state = 'delivered', finished_at = ?1, last_error = ?3, "
          "lease_owner = NULL, lease_until = NULL WHERE id = ?4 AND lease_owner = ?5 "
          "AND state = 'pending'";  // ?2 (next attempt) is not used
      break;
    case CallbackOutcome::Kind::kRetry:
      sql =
          "UPDATE callbacks SET next_attempt_at = ?2, last_error = ?3, lease_owner = NULL, "
          "lease_until = NULL WHERE id = ?4 AND lease_owner = ?5 AND state = 'pending'";
      break;
    case CallbackOutcome::Kind::kFailed:
      sql =
          "UPDATE callbacks SET state = 'failed', finished_at = ?1, last_error = ?3, "
          "lease_owner = NULL, lease_until = NULL WHERE id = ?4 AND lease_owner = ?5 "
          "AND state = 'pending'";
      break;
  }
  if (sql == nullptr) return MakeError(ErrorCode::kInternal, "unknown kind of callback outcome");
  SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql));
  Statement s(stmt);
  s.Bind(o.now_ms).Bind(o.next_attempt_at_ms).Bind(o.error).Bind(o.id).Bind(o.owner);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("record callback"));
  if (db.Changes() == 0) {
    return MakeError(ErrorCode::kNotFound, "callback is not leased by this sender",
                     "callback lease lost for " + o.id);
  }
  return Written{};
}

Result<std::vector<CallbackRecord>> ListCallbacks(Connection& db, const CallbackQuery& q) {
  // One statement per shape, each read in order from its index (callbacks_by_domain with a
  // state, callbacks_by_domain_newest without): no page sorts the domain's callbacks.
  SG_ASSIGN_OR_RETURN(
      auto stmt, db.Prepare(q.state.empty()
                                ? "SELECT id, message_id, status, at, state, attempts, last_error, "
                                  "created_at, finished_at, seq, inbound_seq FROM callbacks "
                                  "WHERE domain = ?1 AND seq < ?3 ORDER BY seq DESC LIMIT ?4"
                                : "SELECT id, message_id, status, at, state, attempts, last_error, "
                                  "created_at, finished_at, seq, inbound_seq FROM callbacks "
                                  "WHERE domain = ?1 AND state = ?2 AND seq < ?3 "
                                  "ORDER BY seq DESC LIMIT ?4"));
  Statement s(stmt);
  s.Bind(q.domain)
      .Bind(q.state)
      .Bind(q.before_seq > 0 ? q.before_seq : std::numeric_limits<std::int64_t>::max())
      .Bind(std::int64_t{q.limit});
  std::vector<CallbackRecord> out;
  int rc = 0;
  while ((rc = s.Step()) == SQLITE_ROW) {
    CallbackRecord r;
    r.id = s.Text(0);
    r.message_id = s.Text(1);
    r.received = !s.IsNull(10);
    if (!r.received) {
      SG_ASSIGN_OR_RETURN(r.status, StatusColumn(s, 2));
    }
    r.at_ms = s.Int64(3);
    r.state = s.Text(4);
    r.attempts = s.Int(5);
    r.last_error = s.Text(6);
    r.created_at_ms = s.Int64(7);
    r.finished_at_ms = s.IsNull(8) ? 0 : s.Int64(8);
    r.seq = s.Int64(9);
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return tl::unexpected(db.Error("list callbacks"));
  return out;
}

}  // namespace socialgate::store::sqlite
