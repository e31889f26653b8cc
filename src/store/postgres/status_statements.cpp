#include "store/postgres/status_statements.hpp"

#include <string>

#include "store/postgres/outbox_statements.hpp"
#include "store/status_order.hpp"

namespace socialgate::store::postgres {
namespace {

using core::Result;

const Sql kFindByProviderId{"find_by_provider_id",
                            "SELECT id, status FROM messages WHERE provider_message_id = $1 "
                            "ORDER BY created_at DESC LIMIT 1 FOR UPDATE"};
const Sql kUpdateStatus{
    "update_delivery_status",
    "UPDATE messages SET status = $1, error_message = CASE WHEN $1 = 'failed' THEN $2 "
    "ELSE error_message END, updated_at = $3 WHERE id = $4"};
const Sql kUnfinished{
    "unfinished_deliveries",
    "SELECT service_phone, provider_message_id, status FROM messages "
    "WHERE status IN ('accepted', 'sent', 'delivered') AND provider_message_id IS NOT NULL "
    "ORDER BY updated_at LIMIT $1"};

}  // namespace

Result<Written> RecordDeliveryStatus(Connection& db, const DeliveryStatus& d) {
  Params find;
  find.Text(d.provider_message_id);
  SG_ASSIGN_OR_RETURN(Rows found, db.Run(kFindByProviderId, find));
  if (found.size() == 0) {
    return core::MakeError(core::ErrorCode::kNotFound, "no message has this provider message id");
  }
  const std::string id = found.Text(0, 0);
  SG_ASSIGN_OR_RETURN(const core::MessageStatus current, StatusColumn(found, 0, 1));
  Written written;
  if (StatusMovesForward(current, d.status)) {
    if (IsPending(current) && !IsPending(d.status)) written.outbox_depth_change = -1;
    Params p;
    p.Text(core::MessageStatusName(d.status)).Text(d.detail).Int(d.at_ms).Text(id);
    SG_RETURN_IF_ERROR(db.Run(kUpdateStatus, p));
  }
  SG_RETURN_IF_ERROR(AddEvent(db, id, d.status, d.at_ms, d.detail));
  return written;
}

Result<std::vector<UnfinishedDelivery>> UnfinishedDeliveries(Connection& db, int limit) {
  Params p;
  p.Int(limit);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kUnfinished, p));
  std::vector<UnfinishedDelivery> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    SG_ASSIGN_OR_RETURN(const core::MessageStatus status, StatusColumn(rows, i, 2));
    out.push_back(UnfinishedDelivery{rows.Text(i, 0), rows.Text(i, 1), status});
  }
  return out;
}

}  // namespace socialgate::store::postgres
