#include "store/postgres/callback_statements.hpp"

#include <algorithm>
#include <limits>

#include "store/postgres/conversation_statements.hpp"
#include "store/postgres/outbox_statements.hpp"

namespace socialgate::store::postgres {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;

const Sql kAdd{"add_callback",
               "INSERT INTO callbacks(id, domain, message_id, status, at, source, error_code, "
               "error_message, state, next_attempt_at, created_at) "
               "SELECT 'cb_' || replace(gen_random_uuid()::text, '-', ''), domain, id, $1, $2, "
               "$3, $4, $5, 'pending', $6, $6 FROM messages WHERE id = $7 "
               "AND domain = ANY($8::text[])"};
const Sql kAddAccepted{"add_accepted_callbacks",
                       "INSERT INTO callbacks(id, domain, message_id, status, at, source, "
                       "error_code, error_message, state, next_attempt_at, created_at) "
                       "SELECT 'cb_' || replace(gen_random_uuid()::text, '-', ''), domain, id, "
                       "'accepted', $1, '', '', '', 'pending', $1, $1 FROM messages "
                       "WHERE id = ANY($2::text[]) AND domain = ANY($3::text[]) ORDER BY id"};
// The earliest pending callback of each message, due and not under a live lease, with what the
// body needs of its message.
const Sql kClaim{"claim_callbacks",
                 "WITH due AS (SELECT c.seq FROM callbacks c WHERE c.state = 'pending' "
                 "AND c.next_attempt_at <= $3 AND (c.lease_until IS NULL OR c.lease_until <= $3) "
                 "AND NOT EXISTS (SELECT 1 FROM callbacks p WHERE p.state = 'pending' "
                 "AND p.message_id = c.message_id AND p.seq < c.seq) "
                 "ORDER BY c.next_attempt_at, c.seq LIMIT $4 FOR UPDATE SKIP LOCKED), "
                 "claimed AS (UPDATE callbacks SET lease_owner = $1, lease_until = $2, "
                 "attempts = callbacks.attempts + 1 FROM due WHERE callbacks.seq = due.seq "
                 "RETURNING callbacks.*) "
                 "SELECT c.id, c.domain, c.message_id, c.status, c.at, c.source, c.error_code, "
                 "c.error_message, c.attempts, c.created_at, m.service_phone, m.customer_phone, "
                 "m.provider_message_id, c.inbound_seq FROM claimed c "
                 "LEFT JOIN messages m ON m.id = c.message_id AND c.inbound_seq IS NULL "
                 "ORDER BY c.seq"};
const Sql kPurge{"purge_callbacks",
                 "DELETE FROM callbacks WHERE seq IN (SELECT seq FROM callbacks WHERE "
                 "(state = 'delivered' AND finished_at < $1) OR "
                 "(state = 'failed' AND finished_at < $2) LIMIT 1000)"};
const Sql kDelivered{"callback_delivered",
                     "UPDATE callbacks SET state = 'delivered', finished_at = $1, last_error = $2, "
                     "lease_owner = NULL, lease_until = NULL WHERE id = $3 AND lease_owner = $4 "
                     "AND state = 'pending'"};
const Sql kRetry{"callback_retry",
                 "UPDATE callbacks SET next_attempt_at = $1, last_error = $2, lease_owner = NULL, "
                 "lease_until = NULL WHERE id = $3 AND lease_owner = $4 AND state = 'pending'"};
const Sql kFailed{"callback_failed",
                  "UPDATE callbacks SET state = 'failed', finished_at = $1, last_error = $2, "
                  "lease_owner = NULL, lease_until = NULL WHERE id = $3 AND lease_owner = $4 "
                  "AND state = 'pending'"};
// One statement per shape, each read in order from its index (callbacks_by_domain with a state,
// callbacks_by_domain_newest without): no page sorts the domain's callbacks.
const Sql kList{"list_callbacks",
                "SELECT id, message_id, status, at, state, attempts, last_error, created_at, "
                "finished_at, seq, inbound_seq FROM callbacks WHERE domain = $1 AND seq < $2 "
                "ORDER BY seq DESC LIMIT $3"};
const Sql kListState{"list_callbacks_in_state",
                     "SELECT id, message_id, status, at, state, attempts, last_error, "
                     "created_at, finished_at, seq, inbound_seq FROM callbacks WHERE domain = $1 "
                     "AND state = $4 AND seq < $2 ORDER BY seq DESC LIMIT $3"};

}  // namespace

Result<void> AddCallback(Connection& db, const CallbackDomains& domains, std::string_view id,
                         core::MessageStatus status, std::int64_t at_ms, std::string_view source,
                         std::string_view error_code, std::string_view error_message,
                         std::int64_t now_ms) {
  if (domains.empty()) return {};
  Params p;
  p.Text(core::MessageStatusName(status))
      .Int(at_ms)
      .Text(source)
      .Text(error_code)
      .Text(error_message)
      .Int(now_ms)
      .Text(id)
      .TextArray(domains);
  SG_RETURN_IF_ERROR(db.Run(kAdd, p));
  return {};
}

Result<void> AddAcceptedCallbacks(Connection& db, const CallbackDomains& domains,
                                  const std::vector<std::string>& ids, std::int64_t now_ms) {
  if (domains.empty() || ids.empty()) return {};
  Params p;
  p.Int(now_ms).TextArray(ids).TextArray(domains);
  SG_RETURN_IF_ERROR(db.Run(kAddAccepted, p));
  return {};
}

Result<Written> ClaimCallbacks(Connection& db, const CallbackClaim& c, std::uint64_t& claims) {
  Params p;
  p.Text(c.owner).Int(c.now_ms + c.lease_ms).Int(c.now_ms).Int(c.limit);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kClaim, p));
  Written written;
  for (int i = 0; i < rows.size(); ++i) {
    CallbackDelivery d;
    d.id = rows.Text(i, 0);
    d.domain = rows.Text(i, 1);
    d.message_id = rows.Text(i, 2);
    if (!rows.IsNull(i, 13)) {
      // A customer's message: as stored (an erased one is posted with what the row says).
      SG_ASSIGN_OR_RETURN(auto message, InboundBySeq(db, rows.Int64(i, 13)));
      d.inbound = message ? std::move(*message) : InboundRecord{};
      d.inbound->seq = rows.Int64(i, 13);
    } else {
      SG_ASSIGN_OR_RETURN(d.status, StatusColumn(rows, i, 3));
    }
    d.at_ms = rows.Int64(i, 4);
    d.source = rows.Text(i, 5);
    d.error_code = rows.Text(i, 6);
    d.error_message = rows.Text(i, 7);
    d.attempts = rows.Int(i, 8);
    d.created_at_ms = rows.Int64(i, 9);
    d.service_phone = rows.Text(i, 10);
    d.customer_phone = rows.Text(i, 11);
    d.provider_message_id = rows.Text(i, 12);
    if (d.inbound) {
      d.service_phone = d.inbound->service_phone;
      d.customer_phone = d.inbound->customer_phone;
      d.provider_message_id = d.message_id;
    }
    written.callbacks.push_back(std::move(d));
  }
  if (++claims % 256 == 0) {
    Params purge;
    purge.Int(c.now_ms - kKeepDeliveredCallbacksMs).Int(c.now_ms - kKeepFailedCallbacksMs);
    SG_RETURN_IF_ERROR(db.Run(kPurge, purge));
  }
  return written;
}

Result<Written> RecordCallback(Connection& db, const CallbackOutcome& o) {
  const Sql* sql = nullptr;
  Params p;
  switch (o.kind) {
    case CallbackOutcome::Kind::kDelivered:
      sql = &kDelivered;
      p.Int(o.now_ms);
      break;
    case CallbackOutcome::Kind::kRetry:
      sql = &kRetry;
      p.Int(o.next_attempt_at_ms);
      break;
    case CallbackOutcome::Kind::kFailed:
      sql = &kFailed;
      p.Int(o.now_ms);
      break;
  }
  if (sql == nullptr) return MakeError(ErrorCode::kInternal, "unknown kind of callback outcome");
  p.Text(o.error).Text(o.id).Text(o.owner);
  SG_ASSIGN_OR_RETURN(Rows done, db.Run(*sql, p));
  if (done.Changed() == 0) {
    return MakeError(ErrorCode::kNotFound, "callback is not leased by this sender",
                     "callback lease lost for " + o.id);
  }
  return Written{};
}

Result<std::vector<CallbackRecord>> ListCallbacks(Connection& db, const CallbackQuery& q) {
  Params p;
  p.Text(q.domain)
      .Int(q.before_seq > 0 ? q.before_seq : std::numeric_limits<std::int64_t>::max())
      .Int(q.limit);
  if (!q.state.empty()) p.Text(q.state);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(q.state.empty() ? kList : kListState, p));
  std::vector<CallbackRecord> out;
  for (int i = 0; i < rows.size(); ++i) {
    CallbackRecord r;
    r.id = rows.Text(i, 0);
    r.message_id = rows.Text(i, 1);
    r.received = !rows.IsNull(i, 10);
    if (!r.received) {
      SG_ASSIGN_OR_RETURN(r.status, StatusColumn(rows, i, 2));
    }
    r.at_ms = rows.Int64(i, 3);
    r.state = rows.Text(i, 4);
    r.attempts = rows.Int(i, 5);
    r.last_error = rows.Text(i, 6);
    r.created_at_ms = rows.Int64(i, 7);
    r.finished_at_ms = rows.IsNull(i, 8) ? 0 : rows.Int64(i, 8);
    r.seq = rows.Int64(i, 9);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace socialgate::store::postgres
