// File: store/postgres/status_statements.hpp
//
// The SQL of webhook events and delivery statuses in PostgreSQL (tables webhook_events,
// held_statuses, and the messages' statuses, history and pricing): the statements
// store/status_report_table.hpp applies reports with, as store/sqlite/status_statements.hpp
// does for SQLite. A message's row is read FOR UPDATE: two instances applying reports of one
// message at once take turns, so neither moves its status back.
#pragma once

#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/delivery_statuses.hpp"
#include "store/postgres/callback_statements.hpp"
#include "store/postgres/connection.hpp"
#include "store/status_report_table.hpp"

namespace socialgate::store::postgres {

class StatusStatements final : public StatusReportTable {
 public:
  // `callbacks`: the domains whose changes become callbacks.
  StatusStatements(Connection& db, const CallbackDomains& callbacks)
      : db_(db), callbacks_(callbacks) {}

  core::Result<void> InsertEvent(const WebhookEvent& event) override;
  core::Result<void> InsertAppliedEvent(const WebhookEvent& event, std::int64_t applied_at_ms,
                                        std::string_view outcome) override;
  core::Result<void> MarkApplied(std::string_view event_id, std::int64_t now_ms,
                                 std::string_view outcome) override;
  core::Result<std::optional<ReportedMessage>> FindByProviderId(
      std::string_view provider_message_id) override;
  core::Result<std::optional<ReportedMessage>> FindById(std::string_view id) override;
  core::Result<bool> HasEvent(std::string_view id, core::MessageStatus status, std::int64_t at_ms,
                              std::string_view source) override;
  core::Result<void> AddEvent(std::string_view id, const StatusReport& report) override;
  core::Result<void> MoveStatus(std::string_view id, const StatusReport& report) override;
  core::Result<void> AddCallback(std::string_view id, const StatusReport& report,
                                 std::int64_t now_ms) override;
  core::Result<void> SetPricing(std::string_view id, const StatusReport& report) override;
  core::Result<void> Hold(const StatusReport& report, std::int64_t received_at_ms,
                          std::int64_t hold_until_ms) override;
  core::Result<std::vector<StatusReport>> TakeHeld(std::string_view message_id,
                                                   std::string_view provider_message_id) override;
  core::Result<int> Purge(std::int64_t events_before_ms, std::int64_t now_ms, int limit) override;

 private:
  core::Result<std::optional<ReportedMessage>> FindOne(const Sql& sql, std::string_view key);

  Connection& db_;
  const CallbackDomains& callbacks_;
};

// Whether reports are held for any of these messages (by id) or provider ids: a batch of
// attempt outcomes looks for them one by one only then.
core::Result<bool> AnyHeld(Connection& db, const std::vector<std::string>& message_ids,
                           const std::vector<std::string>& provider_message_ids);

// The pricing and conversation columns of `messages`, each after `prefix` ("" or a table's
// alias and a dot), in the order AddPricing (status_statements.cpp) binds them and
// ReadMessagePricing reads them: one list, for the statements of both files.
#define SG_PRICING_COLUMNS_OF(prefix)                                                      \
  prefix "pricing_billable, " prefix "pricing_category, " prefix "pricing_model, " prefix  \
         "pricing_type, " prefix "conversation_id, " prefix "conversation_origin, " prefix \
         "conversation_expires_at"

// Those columns of `messages` as `m`, for Outbox::Get's one statement.
inline constexpr std::string_view kMessagePricingColumns = SG_PRICING_COLUMNS_OF("m.");
inline constexpr int kMessagePricingColumnCount = 7;

// Fills `message`'s pricing and conversation from kMessagePricingColumns, starting at column
// `first` of `row`.
void ReadMessagePricing(const Rows& rows, int row, int first, StoredMessage& message);

core::Result<std::vector<WebhookEvent>> UnappliedWebhooks(Connection& db,
                                                          std::int64_t received_before_ms,
                                                          int limit);
core::Result<std::vector<UnfinishedDelivery>> UnfinishedDeliveries(Connection& db, int limit);

}  // namespace socialgate::store::postgres
