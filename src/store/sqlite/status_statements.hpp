// File: store/sqlite/status_statements.hpp
//
// The SQL of webhook events and delivery statuses in SQLite (tables webhook_events,
// held_statuses, and the messages' statuses, history and pricing): the statements
// store/status_report_table.hpp applies reports with. Every function needs the connection's
// mutex held; the writes run on the committer, inside its transaction.
#pragma once

#include <vector>

#include "core/error.hpp"
#include "store/delivery_statuses.hpp"
#include "store/sqlite/callback_statements.hpp"
#include "store/sqlite/connection.hpp"
#include "store/status_report_table.hpp"

namespace socialgate::store::sqlite {

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
  core::Result<std::optional<ReportedMessage>> FindOne(const char* sql, std::string_view key);

  Connection& db_;
  const CallbackDomains& callbacks_;
};

// The pricing and conversation columns of a message (Outbox::Get).
core::Result<void> ReadPricing(Connection& db, std::string_view id, StoredMessage& message);

core::Result<std::vector<WebhookEvent>> UnappliedWebhooks(Connection& db,
                                                          std::int64_t received_before_ms,
                                                          int limit);
core::Result<std::vector<UnfinishedDelivery>> UnfinishedDeliveries(Connection& db, int limit);

}  // namespace socialgate::store::sqlite
