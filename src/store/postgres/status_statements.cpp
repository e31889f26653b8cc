#include "store/postgres/status_statements.hpp"

#include <algorithm>
#include <charconv>
#include <string>

#include "store/postgres/outbox_statements.hpp"

namespace socialgate::store::postgres {
namespace {

using core::Result;

// The pricing columns of the statements here, unqualified (the header holds the list).
#define SG_PRICING_COLUMNS SG_PRICING_COLUMNS_OF("")

constexpr int ColumnCount(std::string_view columns) {
  int n = 1;
  for (const char c : columns) n += c == ',' ? 1 : 0;
  return n;
}
static_assert(ColumnCount(SG_PRICING_COLUMNS) == kMessagePricingColumnCount);

// NULLs for what the report does not say.
void AddPricing(Params& p, const StatusReport& r) {
  if (r.pricing && r.pricing->billable) {
    p.Bool(*r.pricing->billable);
  } else {
    p.Null();
  }
  if (r.pricing) {
    p.Text(r.pricing->category).Text(r.pricing->pricing_model).Text(r.pricing->type);
  } else {
    p.Null().Null().Null();
  }
  if (r.conversation) {
    p.Text(r.conversation->id).Text(r.conversation->origin_type);
    r.conversation->expires_at_ms > 0 ? p.Int(r.conversation->expires_at_ms) : p.Null();
  } else {
    p.Null().Null().Null();
  }
}

// Columns first..first+6 of `row` (SG_PRICING_COLUMNS).
void ReadPricingColumns(const Rows& rows, int row, int first, std::optional<Pricing>& pricing,
                        std::optional<Conversation>& conversation) {
  if (!rows.IsNull(row, first + 1)) {
    Pricing p;
    if (!rows.IsNull(row, first)) p.billable = rows.Bool(row, first);
    p.category = rows.Text(row, first + 1);
    p.pricing_model = rows.Text(row, first + 2);
    p.type = rows.Text(row, first + 3);
    pricing = std::move(p);
  }
  if (!rows.IsNull(row, first + 4)) {
    Conversation c;
    c.id = rows.Text(row, first + 4);
    c.origin_type = rows.Text(row, first + 5);
    c.expires_at_ms = rows.IsNull(row, first + 6) ? 0 : rows.Int64(row, first + 6);
    conversation = std::move(c);
  }
}

const Sql kInsertEvent{"insert_webhook_event",
                       "INSERT INTO webhook_events(id, source, received_at, body) "
                       "VALUES($1, $2, $3, $4)"};
const Sql kInsertAppliedEvent{
    "insert_applied_webhook_event",
    "INSERT INTO webhook_events(id, source, received_at, body, applied_at, outcome) "
    "VALUES($1, $2, $3, $4, $5, $6)"};
const Sql kMarkApplied{"mark_webhook_applied",
                       "UPDATE webhook_events SET applied_at = $1, outcome = $2 WHERE id = $3"};
const Sql kFindByProviderId{"reported_by_provider_id",
                            "SELECT id, service_phone, provider_message_id, status FROM messages "
                            "WHERE provider_message_id = $1 ORDER BY created_at DESC LIMIT 1 "
                            "FOR UPDATE"};
const Sql kFindById{"reported_by_id",
                    "SELECT id, service_phone, provider_message_id, status FROM messages "
                    "WHERE id = $1 FOR UPDATE"};
const Sql kHasEvent{"has_event",
                    "SELECT 1 FROM message_events WHERE message_id = $1 AND status = $2 "
                    "AND at = $3 AND source = $4 LIMIT 1"};
const Sql kAddReportedEvent{"add_reported_event",
                            "INSERT INTO message_events(message_id, status, at, detail, source) "
                            "VALUES($1, $2, $3, $4, $5)"};
const Sql kMoveStatus{"move_reported_status",
                      "UPDATE messages SET status = $1, "
                      "error_code = CASE WHEN $1 = 'failed' THEN $2 ELSE error_code END, "
                      "error_message = CASE WHEN $1 = 'failed' THEN $3 ELSE error_message END, "
                      "provider_message_id = COALESCE(provider_message_id, NULLIF($4, '')), "
                      "updated_at = GREATEST(updated_at, $5) WHERE id = $6"};
const Sql kSetPricing{
    "set_pricing",
    "UPDATE messages SET "
    "pricing_billable = CASE WHEN $8 THEN $1::boolean ELSE pricing_billable END, "
    "pricing_category = CASE WHEN $8 THEN $2 ELSE pricing_category END, "
    "pricing_model = CASE WHEN $8 THEN $3 ELSE pricing_model END, "
    "pricing_type = CASE WHEN $8 THEN $4 ELSE pricing_type END, "
    "conversation_id = CASE WHEN $9 THEN $5 ELSE conversation_id END, "
    "conversation_origin = CASE WHEN $9 THEN $6 ELSE conversation_origin END, "
    "conversation_expires_at = CASE WHEN $9 THEN COALESCE($7::bigint, conversation_expires_at) "
    "ELSE conversation_expires_at END "
    "WHERE id = $10"};
const Sql kHold{"hold_status",
                "INSERT INTO held_statuses(provider_message_id, message_id, service_phone, status, "
                "at, source, error_code, detail, " SG_PRICING_COLUMNS
                ", received_at, hold_until) "
                "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)"};
// Each arm names its index's condition, so that a generic plan can search both indexes (the one
// on message_id is partial) rather than the whole table, on every attempt's outcome.
const Sql kTakeHeld{
    "take_held",
    "DELETE FROM held_statuses WHERE (message_id = $1 AND message_id <> '') OR "
    "(provider_message_id = $2 AND $2 <> '') RETURNING seq, provider_message_id, message_id, "
    "service_phone, status, at, source, error_code, detail, " SG_PRICING_COLUMNS};
const Sql kAnyHeld{"any_held",
                   "SELECT 1 FROM held_statuses WHERE (message_id = ANY($1) "
                   "AND message_id <> '') OR provider_message_id = ANY($2) LIMIT 1"};
const Sql kPurgeEvents{"purge_webhook_events",
                       "DELETE FROM webhook_events WHERE id IN (SELECT id FROM webhook_events "
                       "WHERE received_at < $1 AND applied_at IS NOT NULL LIMIT $2)"};
const Sql kPurgeHeld{"purge_held",
                     "DELETE FROM held_statuses WHERE seq IN (SELECT seq FROM held_statuses "
                     "WHERE hold_until < $1 LIMIT $2)"};
// Binary rows, for the body: the time as text, which binary format leaves as it is.
const Sql kUnapplied{"unapplied_webhooks",
                     "SELECT id, source, received_at::text, body FROM webhook_events "
                     "WHERE applied_at IS NULL AND received_at < $1 ORDER BY received_at "
                     "LIMIT $2"};
const Sql kUnfinished{
    "unfinished_deliveries",
    "SELECT service_phone, provider_message_id, id, status FROM messages "
    "WHERE status IN ('accepted', 'sent', 'delivered') AND provider_message_id IS NOT NULL "
    "ORDER BY updated_at LIMIT $1"};

}  // namespace

Result<void> StatusStatements::InsertEvent(const WebhookEvent& e) {
  Params p;
  p.Text(e.id).Text(e.source).Int(e.received_at_ms).BytesInPlace(e.body);
  SG_RETURN_IF_ERROR(db_.Run(kInsertEvent, p));
  return {};
}

Result<void> StatusStatements::InsertAppliedEvent(const WebhookEvent& e, std::int64_t applied_at_ms,
                                                  std::string_view outcome) {
  Params p;
  p.Text(e.id).Text(e.source).Int(e.received_at_ms).BytesInPlace(e.body);
  p.Int(applied_at_ms).Text(outcome);
  SG_RETURN_IF_ERROR(db_.Run(kInsertAppliedEvent, p));
  return {};
}

Result<void> StatusStatements::MarkApplied(std::string_view event_id, std::int64_t now_ms,
                                           std::string_view outcome) {
  Params p;
  p.Int(now_ms).Text(outcome).Text(event_id);
  SG_RETURN_IF_ERROR(db_.Run(kMarkApplied, p));
  return {};
}

Result<std::optional<ReportedMessage>> StatusStatements::FindOne(const Sql& sql,
                                                                 std::string_view key) {
  Params p;
  p.Text(key);
  SG_ASSIGN_OR_RETURN(Rows rows, db_.Run(sql, p));
  if (rows.size() == 0) return std::optional<ReportedMessage>();
  ReportedMessage m;
  m.id = rows.Text(0, 0);
  m.service_phone = rows.Text(0, 1);
  m.provider_message_id = rows.Text(0, 2);
  SG_ASSIGN_OR_RETURN(m.status, StatusColumn(rows, 0, 3));
  return m;
}

Result<std::optional<ReportedMessage>> StatusStatements::FindByProviderId(
    std::string_view provider_message_id) {
  return FindOne(kFindByProviderId, provider_message_id);
}

Result<std::optional<ReportedMessage>> StatusStatements::FindById(std::string_view id) {
  return FindOne(kFindById, id);
}

Result<bool> StatusStatements::HasEvent(std::string_view id, core::MessageStatus status,
                                        std::int64_t at_ms, std::string_view source) {
  Params p;
  p.Text(id).Text(core::MessageStatusName(status)).Int(at_ms).Text(source);
  SG_ASSIGN_OR_RETURN(Rows rows, db_.Run(kHasEvent, p));
  return rows.size() > 0;
}

Result<void> StatusStatements::AddEvent(std::string_view id, const StatusReport& r) {
  Params p;
  p.Text(id).Text(core::MessageStatusName(r.status)).Int(r.at_ms).Text(r.detail).Text(r.source);
  SG_RETURN_IF_ERROR(db_.Run(kAddReportedEvent, p));
  return {};
}

Result<void> StatusStatements::MoveStatus(std::string_view id, const StatusReport& r) {
  Params p;
  p.Text(core::MessageStatusName(r.status))
      .Text(r.error_code)
      .Text(r.detail)
      .Text(r.provider_message_id)
      .Int(r.at_ms)
      .Text(id);
  SG_RETURN_IF_ERROR(db_.Run(kMoveStatus, p));
  return {};
}

Result<void> StatusStatements::AddCallback(std::string_view id, const StatusReport& r,
                                           std::int64_t now_ms) {
  return postgres::AddCallback(db_, callbacks_, id, r.status, r.at_ms, r.source, r.error_code,
                               r.status == core::MessageStatus::kFailed ? r.detail : "", now_ms);
}

Result<void> StatusStatements::SetPricing(std::string_view id, const StatusReport& r) {
  Params p;
  AddPricing(p, r);
  p.Bool(r.pricing.has_value()).Bool(r.conversation.has_value()).Text(id);
  SG_RETURN_IF_ERROR(db_.Run(kSetPricing, p));
  return {};
}

Result<void> StatusStatements::Hold(const StatusReport& r, std::int64_t received_at_ms,
                                    std::int64_t hold_until_ms) {
  Params p;
  p.Text(r.provider_message_id)
      .Text(r.message_id)
      .Text(r.service_phone)
      .Text(core::MessageStatusName(r.status))
      .Int(r.at_ms)
      .Text(r.source)
      .Text(r.error_code)
      .Text(r.detail);
  AddPricing(p, r);
  p.Int(received_at_ms).Int(hold_until_ms);
  SG_RETURN_IF_ERROR(db_.Run(kHold, p));
  return {};
}

Result<std::vector<StatusReport>> StatusStatements::TakeHeld(std::string_view message_id,
                                                             std::string_view provider_message_id) {
  Params p;
  p.Text(message_id).Text(provider_message_id);
  SG_ASSIGN_OR_RETURN(Rows rows, db_.Run(kTakeHeld, p));
  std::vector<std::pair<std::int64_t, StatusReport>> held;
  for (int i = 0; i < rows.size(); ++i) {
    StatusReport r;
    r.provider_message_id = rows.Text(i, 1);
    r.message_id = rows.Text(i, 2);
    r.service_phone = rows.Text(i, 3);
    SG_ASSIGN_OR_RETURN(r.status, StatusColumn(rows, i, 4));
    r.at_ms = rows.Int64(i, 5);
    r.source = rows.Text(i, 6);
    r.error_code = rows.Text(i, 7);
    r.detail = rows.Text(i, 8);
    ReadPricingColumns(rows, i, 9, r.pricing, r.conversation);
    held.emplace_back(rows.Int64(i, 0), std::move(r));
  }
  // RETURNING gives no order: the order they were held in.
  std::sort(held.begin(), held.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<StatusReport> out;
  out.reserve(held.size());
  for (auto& [seq, r] : held) out.push_back(std::move(r));
  return out;
}

Result<int> StatusStatements::Purge(std::int64_t events_before_ms, std::int64_t now_ms, int limit) {
  Params events;
  events.Int(events_before_ms).Int(limit);
  SG_RETURN_IF_ERROR(db_.Run(kPurgeEvents, events));
  Params held;
  held.Int(now_ms).Int(limit);
  SG_ASSIGN_OR_RETURN(Rows purged, db_.Run(kPurgeHeld, held));
  return purged.Changed();
}

Result<bool> AnyHeld(Connection& db, const std::vector<std::string>& message_ids,
                     const std::vector<std::string>& provider_message_ids) {
  Params p;
  p.TextArray(message_ids).TextArray(provider_message_ids);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kAnyHeld, p));
  return rows.size() > 0;
}

void ReadMessagePricing(const Rows& rows, int row, int first, StoredMessage& message) {
  ReadPricingColumns(rows, row, first, message.pricing, message.conversation);
}

Result<std::vector<WebhookEvent>> UnappliedWebhooks(Connection& db, std::int64_t received_before_ms,
                                                    int limit) {
  Params p;
  p.Int(received_before_ms).Int(limit);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kUnapplied, p, /*binary_rows=*/true));
  std::vector<WebhookEvent> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    WebhookEvent e;
    e.id = rows.Text(i, 0);
    e.source = rows.Text(i, 1);
    const std::string_view at = rows.View(i, 2);
    std::from_chars(at.data(), at.data() + at.size(), e.received_at_ms);
    e.body = rows.Text(i, 3);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<UnfinishedDelivery>> UnfinishedDeliveries(Connection& db, int limit) {
  Params p;
  p.Int(limit);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kUnfinished, p));
  std::vector<UnfinishedDelivery> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    SG_ASSIGN_OR_RETURN(const core::MessageStatus status, StatusColumn(rows, i, 3));
    out.push_back(UnfinishedDelivery{rows.Text(i, 0), rows.Text(i, 1), rows.Text(i, 2), status});
  }
  return out;
}

}  // namespace socialgate::store::postgres
