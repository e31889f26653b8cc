#include "store/sqlite/status_statements.hpp"

#include <string>

#include "store/sqlite/outbox_statements.hpp"

namespace socialgate::store::sqlite {

using core::Result;

namespace {

// The pricing columns, in the order BindPricing binds them and ReadPricingColumns reads them.
constexpr const char* kPricingColumns =
    "pricing_billable, pricing_category, pricing_model, pricing_type, conversation_id, "
    "conversation_origin, conversation_expires_at";

// NULLs for what the report does not say.
void BindPricing(Statement& s, const StatusReport& r) {
  if (r.pricing && r.pricing->billable) {
    s.Bind(std::int64_t{*r.pricing->billable ? 1 : 0});
  } else {
    s.BindNull();
  }
  if (r.pricing) {
    s.Bind(r.pricing->category).Bind(r.pricing->pricing_model).Bind(r.pricing->type);
  } else {
    s.BindNull().BindNull().BindNull();
  }
  if (r.conversation) {
    s.Bind(r.conversation->id).Bind(r.conversation->origin_type);
    r.conversation->expires_at_ms > 0 ? s.Bind(r.conversation->expires_at_ms) : s.BindNull();
  } else {
    s.BindNull().BindNull().BindNull();
  }
}

// Columns first..first+6 of the current row (kPricingColumns).
void ReadPricingColumns(const Statement& s, int first, std::optional<Pricing>& pricing,
                        std::optional<Conversation>& conversation) {
  if (!s.IsNull(first + 1)) {
    Pricing p;
    if (!s.IsNull(first)) p.billable = s.Int64(first) != 0;
    p.category = s.Text(first + 1);
    p.pricing_model = s.Text(first + 2);
    p.type = s.Text(first + 3);
    pricing = std::move(p);
  }
  if (!s.IsNull(first + 4)) {
    Conversation c;
    c.id = s.Text(first + 4);
    c.origin_type = s.Text(first + 5);
    c.expires_at_ms = s.IsNull(first + 6) ? 0 : s.Int64(first + 6);
    conversation = std::move(c);
  }
}

}  // namespace

Result<void> StatusStatements::InsertEvent(const WebhookEvent& e) {
  SG_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("INSERT INTO webhook_events(id, source, received_at, "
                                             "body) VALUES(?,?,?,?)"));
  Statement s(stmt);
  s.Bind(e.id).Bind(e.source).Bind(e.received_at_ms).BindBlobInPlace(e.body);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("insert webhook event"));
  return {};
}

Result<void> StatusStatements::InsertAppliedEvent(const WebhookEvent& e, std::int64_t applied_at_ms,
                                                  std::string_view outcome) {
  SG_ASSIGN_OR_RETURN(auto stmt,
                      db_.Prepare("INSERT INTO webhook_events(id, source, received_at, body, "
                                  "applied_at, outcome) VALUES(?,?,?,?,?,?)"));
  Statement s(stmt);
  s.Bind(e.id).Bind(e.source).Bind(e.received_at_ms).BindBlobInPlace(e.body);
  s.Bind(applied_at_ms).Bind(outcome);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("insert applied webhook event"));
  return {};
}

Result<void> StatusStatements::MarkApplied(std::string_view event_id, std::int64_t now_ms,
                                           std::string_view outcome) {
  SG_ASSIGN_OR_RETURN(
      auto stmt, db_.Prepare("UPDATE webhook_events SET applied_at = ?, outcome = ? WHERE id = ?"));
  Statement s(stmt);
  s.Bind(now_ms).Bind(outcome).Bind(event_id);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("mark webhook event applied"));
  return {};
}

Result<std::optional<ReportedMessage>> StatusStatements::FindOne(const char* sql,
                                                                 std::string_view key) {
  SG_ASSIGN_OR_RETURN(auto stmt, db_.Prepare(sql));
  Statement s(stmt);
  s.Bind(key);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<ReportedMessage>();
  if (rc != SQLITE_ROW) return tl::unexpected(db_.Error("find reported message"));
  ReportedMessage m;
  m.id = s.Text(0);
  m.service_phone = s.Text(1);
  m.provider_message_id = s.Text(2);
  SG_ASSIGN_OR_RETURN(m.status, StatusColumn(s, 3));
  return m;
}

Result<std::optional<ReportedMessage>> StatusStatements::FindByProviderId(
    std::string_view provider_message_id) {
  return FindOne(
      "SELECT id, service_phone, provider_message_id, status FROM messages "
      "WHERE provider_message_id = ? ORDER BY created_at DESC LIMIT 1",
      provider_message_id);
}

Result<std::optional<ReportedMessage>> StatusStatements::FindById(std::string_view id) {
  return FindOne("SELECT id, service_phone, provider_message_id, status FROM messages WHERE id = ?",
                 id);
}

Result<bool> StatusStatements::HasEvent(std::string_view id, core::MessageStatus status,
                                        std::int64_t at_ms, std::string_view source) {
  SG_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("SELECT 1 FROM message_events WHERE message_id = ? "
                                             "AND status = ? AND at = ? AND source = ? LIMIT 1"));
  Statement s(stmt);
  s.Bind(id).Bind(core::MessageStatusName(status)).Bind(at_ms).Bind(source);
  const int rc = s.Step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return tl::unexpected(db_.Error("find event"));
  return rc == SQLITE_ROW;
}

Result<void> StatusStatements::AddEvent(std::string_view id, const StatusReport& r) {
  SG_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("INSERT INTO message_events(message_id, status, at, "
                                             "detail, source) VALUES(?,?,?,?,?)"));
  Statement s(stmt);
  s.Bind(id).Bind(core::MessageStatusName(r.status)).Bind(r.at_ms).Bind(r.detail).Bind(r.source);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("insert event"));
  return {};
}

Result<void> StatusStatements::MoveStatus(std::string_view id, const StatusReport& r) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db_.Prepare("UPDATE messages SET status = ?1, "
                  "error_code = CASE WHEN ?1 = 'failed' THEN ?2 ELSE error_code END, "
                  "error_message = CASE WHEN ?1 = 'failed' THEN ?3 ELSE error_message END, "
                  "provider_message_id = COALESCE(provider_message_id, NULLIF(?4, '')), "
                  "updated_at = MAX(updated_at, ?5) WHERE id = ?6"));
  Statement s(stmt);
  s.Bind(core::MessageStatusName(r.status))
      .Bind(r.error_code)
      .Bind(r.detail)
      .Bind(r.provider_message_id)
      .Bind(r.at_ms)
      .Bind(id);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("update status"));
  return {};
}

Result<void> StatusStatements::AddCallback(std::string_view id, const StatusReport& r,
                                           std::int64_t now_ms) {
  return sqlite::AddCallback(db_, callbacks_, id, r.status, r.at_ms, r.source, r.error_code,
                             r.status == core::MessageStatus::kFailed ? r.detail : "", now_ms);
}

Result<void> StatusStatements::SetPricing(std::string_view id, const StatusReport& r) {
  // What the report does not say stays as it was.
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db_.Prepare("UPDATE messages SET "
                  "pricing_billable = CASE WHEN ?8 THEN ?1 ELSE pricing_billable END, "
                  "pricing_category = CASE WHEN ?8 THEN ?2 ELSE pricing_category END, "
                  "pricing_model = CASE WHEN ?8 THEN ?3 ELSE pricing_model END, "
                  "pricing_type = CASE WHEN ?8 THEN ?4 ELSE pricing_type END, "
                  "conversation_id = CASE WHEN ?9 THEN ?5 ELSE conversation_id END, "
                  "conversation_origin = CASE WHEN ?9 THEN ?6 ELSE conversation_origin END, "
                  "conversation_expires_at = CASE WHEN ?9 THEN COALESCE(?7, "
                  "conversation_expires_at) ELSE conversation_expires_at END WHERE id = ?10"));
  Statement s(stmt);
  BindPricing(s, r);
  s.Bind(std::int64_t{r.pricing ? 1 : 0}).Bind(std::int64_t{r.conversation ? 1 : 0}).Bind(id);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("update pricing"));
  return {};
}

Result<void> StatusStatements::Hold(const StatusReport& r, std::int64_t received_at_ms,
                                    std::int64_t hold_until_ms) {
  static const std::string kSql =
      std::string(
          "INSERT INTO held_statuses(provider_message_id, message_id, service_phone, "
          "status, at, source, error_code, detail, ") +
      kPricingColumns + ", received_at, hold_until) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  SG_ASSIGN_OR_RETURN(auto stmt, db_.Prepare(kSql.c_str()));
  Statement s(stmt);
  s.Bind(r.provider_message_id)
      .Bind(r.message_id)
      .Bind(r.service_phone)
      .Bind(core::MessageStatusName(r.status))
      .Bind(r.at_ms)
      .Bind(r.source)
      .Bind(r.error_code)
      .Bind(r.detail);
  BindPricing(s, r);
  s.Bind(received_at_ms).Bind(hold_until_ms);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("hold status"));
  return {};
}

Result<std::vector<StatusReport>> StatusStatements::TakeHeld(std::string_view message_id,
                                                             std::string_view provider_message_id) {
  static const std::string kSql =
      std::string(
          "SELECT seq, provider_message_id, message_id, service_phone, status, at, "
          "source, error_code, detail, ") +
      kPricingColumns +
      // Each arm names its index's condition, so that the two indexes are searched (the one
      // on message_id is partial): a plain "message_id = ?1 OR ..." scans the whole table, on
      // every attempt's outcome.
      " FROM held_statuses WHERE (message_id = ?1 AND message_id <> '') "
      "OR (provider_message_id = ?2 AND ?2 <> '') ORDER BY seq";
  std::vector<StatusReport> held;
  std::vector<std::int64_t> seqs;
  {
    SG_ASSIGN_OR_RETURN(auto stmt, db_.Prepare(kSql.c_str()));
    Statement s(stmt);
    s.Bind(message_id).Bind(provider_message_id);
    int rc = 0;
    while ((rc = s.Step()) == SQLITE_ROW) {
      StatusReport r;
      seqs.push_back(s.Int64(0));
      r.provider_message_id = s.Text(1);
      r.message_id = s.Text(2);
      r.service_phone = s.Text(3);
      SG_ASSIGN_OR_RETURN(r.status, StatusColumn(s, 4));
      r.at_ms = s.Int64(5);
      r.source = s.Text(6);
      r.error_code = s.Text(7);
      r.detail = s.Text(8);
      ReadPricingColumns(s, 9, r.pricing, r.conversation);
      held.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return tl::unexpected(db_.Error("read held statuses"));
  }
  if (seqs.empty()) return held;
  SG_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("DELETE FROM held_statuses WHERE seq = ?"));
  for (const std::int64_t seq : seqs) {
    Statement s(stmt);
    s.Bind(seq);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("delete held status"));
  }
  return held;
}

Result<int> StatusStatements::Purge(std::int64_t events_before_ms, std::int64_t now_ms, int limit) {
  {
    SG_ASSIGN_OR_RETURN(
        auto stmt,
        db_.Prepare("DELETE FROM webhook_events WHERE rowid IN (SELECT rowid FROM webhook_events "
                    "WHERE received_at < ? AND applied_at IS NOT NULL LIMIT ?)"));
    Statement s(stmt);
    s.Bind(events_before_ms).Bind(std::int64_t{limit});
    if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("purge webhook events"));
  }
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db_.Prepare("DELETE FROM held_statuses WHERE seq IN (SELECT seq FROM held_statuses "
                  "WHERE hold_until < ? LIMIT ?)"));
  Statement s(stmt);
  s.Bind(now_ms).Bind(std::int64_t{limit});
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db_.Error("purge held statuses"));
  return db_.Changes();
}

Result<void> ReadPricing(Connection& db, std::string_view id, StoredMessage& message) {
  static const std::string kSql =
      std::string("SELECT ") + kPricingColumns + " FROM messages WHERE id = ?";
  SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare(kSql.c_str()));
  Statement s(stmt);
  s.Bind(id);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return {};
  if (rc != SQLITE_ROW) return tl::unexpected(db.Error("read pricing"));
  ReadPricingColumns(s, 0, message.pricing, message.conversation);
  return {};
}

Result<std::vector<WebhookEvent>> UnappliedWebhooks(Connection& db, std::int64_t received_before_ms,
                                                    int limit) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("SELECT id, source, received_at, body FROM webhook_events "
                 "WHERE applied_at IS NULL AND received_at < ? ORDER BY received_at LIMIT ?"));
  Statement s(stmt);
  s.Bind(received_before_ms).Bind(std::int64_t{limit});
  std::vector<WebhookEvent> out;
  int rc = 0;
  while ((rc = s.Step()) == SQLITE_ROW) {
    out.push_back(WebhookEvent{s.Text(0), s.Text(1), s.Int64(2), s.Blob(3)});
  }
  if (rc != SQLITE_DONE) return tl::unexpected(db.Error("unapplied webhook events"));
  return out;
}

Result<std::vector<UnfinishedDelivery>> UnfinishedDeliveries(Connection& db, int limit) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare(
          "SELECT service_phone, provider_message_id, id, status FROM messages "
          "WHERE status IN ('accepted', 'sent', 'delivered') AND provider_message_id IS NOT NULL "
          "ORDER BY updated_at LIMIT ?"));
  Statement s(stmt);
  s.Bind(static_cast<std::int64_t>(limit));
  std::vector<UnfinishedDelivery> out;
  int rc = 0;
  while ((rc = s.Step()) == SQLITE_ROW) {
    SG_ASSIGN_OR_RETURN(const core::MessageStatus status, StatusColumn(s, 3));
    out.push_back(UnfinishedDelivery{s.Text(0), s.Text(1), s.Text(2), status});
  }
  if (rc != SQLITE_DONE) return tl::unexpected(db.Error("unfinished deliveries"));
  return out;
}

}  // namespace socialgate::store::sqlite
