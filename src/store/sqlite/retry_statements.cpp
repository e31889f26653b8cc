#include "store/sqlite/retry_statements.hpp"

#include "store/sqlite/outbox_statements.hpp"

namespace socialgate::store::sqlite {

core::Result<Written> RetryMessage(Connection& db, const MessageRetry& retry) {
  Written written;
  {
    // The committer's transaction holds the write lock: the status read here is the one the
    // UPDATE below finds.
    SG_ASSIGN_OR_RETURN(auto stmt,
                        db.Prepare("SELECT status FROM messages WHERE id = ? AND domain = ?"));
    Statement s(stmt);
    s.Bind(retry.id).Bind(retry.domain);
    const int rc = s.Step();
    if (rc == SQLITE_DONE) {
      written.retried = RetryOutcome::kNotFound;
      return written;
    }
    if (rc != SQLITE_ROW) return tl::unexpected(db.Error("retry: read status"));
    SG_ASSIGN_OR_RETURN(const core::MessageStatus status, StatusColumn(s, 0));
    if (status != core::MessageStatus::kFailed) {
      written.retried = RetryOutcome::kNotFailed;
      return written;
    }
  }
  {
    SG_ASSIGN_OR_RETURN(
        auto stmt,
        db.Prepare("UPDATE messages SET status = 'queued', attempts = 0, next_attempt_at = ?1, "
                   "error_code = NULL, error_message = NULL, lease_owner = NULL, "
                   "lease_until = NULL, updated_at = ?1 "
                   "WHERE id = ?2 AND domain = ?3 AND status = 'failed'"));
    Statement s(stmt);
    s.Bind(retry.now_ms).Bind(retry.id).Bind(retry.domain);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("retry message"));
  }
  SG_RETURN_IF_ERROR(
      AddEvent(db, retry.id, core::MessageStatus::kQueued, retry.now_ms, retry.detail));
  written.retried = RetryOutcome::kRequeued;
  written.outbox_depth_change = +1;
  return written;
}

}  // namespace socialgate::store::sqlite
