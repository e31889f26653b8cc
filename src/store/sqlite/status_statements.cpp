#include "store/sqlite/status_statements.hpp"

#include <string>

#include "store/sqlite/outbox_statements.hpp"
#include "store/status_order.hpp"

namespace socialgate::store::sqlite {

using core::Result;

Result<Written> RecordDeliveryStatus(Connection& db, const DeliveryStatus& d) {
  std::string id;
  core::MessageStatus current = core::MessageStatus::kQueued;
  {
    SG_ASSIGN_OR_RETURN(auto stmt,
                        db.Prepare("SELECT id, status FROM messages WHERE provider_message_id = ? "
                                   "ORDER BY created_at DESC LIMIT 1"));
    Statement s(stmt);
    s.Bind(d.provider_message_id);
    const int rc = s.Step();
    if (rc == SQLITE_DONE) {
      return core::MakeError(core::ErrorCode::kNotFound, "no message has this provider message id");
    }
    if (rc != SQLITE_ROW) return tl::unexpected(db.Error("find by provider id"));
    id = s.Text(0);
    SG_ASSIGN_OR_RETURN(current, StatusColumn(s, 1));
  }
  Written written;
  if (StatusMovesForward(current, d.status)) {
    if (IsPending(current) && !IsPending(d.status)) written.outbox_depth_change = -1;
    SG_ASSIGN_OR_RETURN(
        auto stmt,
        db.Prepare(
            "UPDATE messages SET status = ?, error_message = CASE WHEN ? = 'failed' THEN ? ELSE "
            "error_message END, updated_at = ? WHERE id = ?"));
    Statement s(stmt);
    const std::string_view status = core::MessageStatusName(d.status);
    s.Bind(status).Bind(status).Bind(d.detail).Bind(d.at_ms).Bind(id);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("update status"));
  }
  SG_RETURN_IF_ERROR(AddEvent(db, id, d.status, d.at_ms, d.detail));
  return written;
}

Result<std::vector<UnfinishedDelivery>> UnfinishedDeliveries(Connection& db, int limit) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare(
          "SELECT service_phone, provider_message_id, status FROM messages "
          "WHERE status IN ('accepted', 'sent', 'delivered') AND provider_message_id IS NOT NULL "
          "ORDER BY updated_at LIMIT ?"));
  Statement s(stmt);
  s.Bind(static_cast<std::int64_t>(limit));
  std::vector<UnfinishedDelivery> out;
  int rc = 0;
  while ((rc = s.Step()) == SQLITE_ROW) {
    SG_ASSIGN_OR_RETURN(const core::MessageStatus status, StatusColumn(s, 2));
    out.push_back(UnfinishedDelivery{s.Text(0), s.Text(1), status});
  }
  if (rc != SQLITE_DONE) return tl::unexpected(db.Error("unfinished deliveries"));
  return out;
}

}  // namespace socialgate::store::sqlite
