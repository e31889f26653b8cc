#include "store/postgres/retry_statements.hpp"

#include "store/postgres/outbox_statements.hpp"

namespace socialgate::store::postgres {
namespace {

// The row locked until the transaction ends: a dispatcher's claim cannot move it in between.
const Sql kRetryStatus{"retry_status",
                       "SELECT status FROM messages WHERE id = $1 AND domain = $2 FOR UPDATE"};
// $1 now, $2 id, $3 domain, $4 the event's detail.
const Sql kRetryRequeue{
    "retry_requeue",
    "WITH m AS (UPDATE messages SET status = 'queued', attempts = 0, next_attempt_at = $1, "
    "error_code = NULL, error_message = NULL, lease_owner = NULL, lease_until = NULL, "
    "updated_at = $1 WHERE id = $2 AND domain = $3 AND status = 'failed' RETURNING id) "
    "INSERT INTO message_events(message_id, status, at, detail) "
    "SELECT id, 'queued', $1, $4 FROM m"};

}  // namespace

core::Result<Written> RetryMessage(Connection& db, const MessageRetry& retry) {
  Written written;
  Params by_id;
  by_id.Text(retry.id).Text(retry.domain);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kRetryStatus, by_id));
  if (rows.size() == 0) {
    written.retried = RetryOutcome::kNotFound;
    return written;
  }
  SG_ASSIGN_OR_RETURN(const core::MessageStatus status, StatusColumn(rows, 0, 0));
  if (status != core::MessageStatus::kFailed) {
    written.retried = RetryOutcome::kNotFailed;
    return written;
  }
  Params p;
  p.Int(retry.now_ms).Text(retry.id).Text(retry.domain).Text(retry.detail);
  SG_ASSIGN_OR_RETURN(Rows requeued, db.Run(kRetryRequeue, p));
  if (requeued.Changed() != 1) {
    return core::MakeError(core::ErrorCode::kInternal, "a failed message could not be requeued",
                           "retry of " + retry.id + " changed no row after reading it failed");
  }
  written.retried = RetryOutcome::kRequeued;
  written.outbox_depth_change = +1;
  return written;
}

}  // namespace socialgate::store::postgres
