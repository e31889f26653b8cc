// File: store/status_report_table.hpp
//
// How webhook events are stored and their status reports applied (store/delivery_statuses.hpp),
// for any engine: the engine gives the few statements over its tables (messages,
// message_events, webhook_events, held_statuses) and these functions decide, inside the
// committer's transaction, which message a report belongs to, whether it moves the message's
// status, whether it is a repeat, and when it must be held for a message not recorded yet.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/conversation_table.hpp"
#include "store/delivery_statuses.hpp"
#include "store/write.hpp"

namespace socialgate::store {

// A message as a status report needs it.
struct ReportedMessage {
  std::string id;
  std::string service_phone;
  std::string provider_message_id;  // "" when not recorded yet
  core::MessageStatus status = core::MessageStatus::kQueued;
};

// An engine's statements, each run in the open transaction.
class StatusReportTable {
 public:
  virtual ~StatusReportTable() = default;
  StatusReportTable() = default;
  StatusReportTable(const StatusReportTable&) = delete;
  StatusReportTable& operator=(const StatusReportTable&) = delete;
  StatusReportTable(StatusReportTable&&) = delete;
  StatusReportTable& operator=(StatusReportTable&&) = delete;

  virtual core::Result<void> InsertEvent(const WebhookEvent& event) = 0;
  // The event stored already applied, with what came of it (ReceiveAndApplyWebhookAsync).
  virtual core::Result<void> InsertAppliedEvent(const WebhookEvent& event,
                                                std::int64_t applied_at_ms,
                                                std::string_view outcome) = 0;
  virtual core::Result<void> MarkApplied(std::string_view event_id, std::int64_t now_ms,
                                         std::string_view outcome) = 0;

  // The newest message with this provider message id (locked for the transaction).
  virtual core::Result<std::optional<ReportedMessage>> FindByProviderId(
      std::string_view provider_message_id) = 0;
  // The message with this id (locked for the transaction).
  virtual core::Result<std::optional<ReportedMessage>> FindById(std::string_view id) = 0;

  // Whether the message's history has an event of this status, time and source already.
  virtual core::Result<bool> HasEvent(std::string_view id, core::MessageStatus status,
                                      std::int64_t at_ms, std::string_view source) = 0;
  virtual core::Result<void> AddEvent(std::string_view id, const StatusReport& report) = 0;
  // Sets the message's status (and, for `failed`, its error code and message) and its provider
  // id when it has none; updated_at is the report's time.
  virtual core::Result<void> MoveStatus(std::string_view id, const StatusReport& report) = 0;
  // Adds the callback of the message's change to the report's status, when its domain has
  // callbacks (store/callbacks.hpp).
  virtual core::Result<void> AddCallback(std::string_view id, const StatusReport& report,
                                         std::int64_t now_ms) = 0;
  // Sets what the report says of pricing and conversation (when it says it).
  virtual core::Result<void> SetPricing(std::string_view id, const StatusReport& report) = 0;

  virtual core::Result<void> Hold(const StatusReport& report, std::int64_t received_at_ms,
                                  std::int64_t hold_until_ms) = 0;
  // Deletes and returns the held reports for this provider id (when not empty) or this message
  // id, in the order they were held.
  virtual core::Result<std::vector<StatusReport>> TakeHeld(
      std::string_view message_id, std::string_view provider_message_id) = 0;
  // Deletes up to `limit` applied events received before `events_before_ms` and up to `limit`
  // held reports whose time ended before `now_ms`; how many held reports were deleted.
  virtual core::Result<int> Purge(std::int64_t events_before_ms, std::int64_t now_ms,
                                  int limit) = 0;
};

// Purge runs with every this many applications, `kPurgeBatch` rows at most.
inline constexpr std::uint64_t kPurgeEvery = 256;
inline constexpr int kPurgeBatch = 1000;

// DeliveryStatuses::ReceiveWebhookAsync's write.
core::Result<Written> ReceiveWebhook(StatusReportTable& table, const WebhookEvent& event);

// DeliveryStatuses::ApplyWebhookAsync's write: its reports, then its inbound messages over
// `conversations` (chats idle after chat_idle_ms end); `applications` counts them for the purge.
core::Result<Written> ApplyWebhook(StatusReportTable& table, ConversationTable& conversations,
                                   const WebhookApplication& application, std::int64_t chat_idle_ms,
                                   std::uint64_t& applications);

// DeliveryStatuses::ReceiveAndApplyWebhookAsync's write: the event stored as applied, then what
// ApplyWebhook does but the marking.
core::Result<Written> ReceiveAndApplyWebhook(StatusReportTable& table,
                                             ConversationTable& conversations,
                                             const ReceivedWebhook& received,
                                             std::int64_t chat_idle_ms,
                                             std::uint64_t& applications);

// After an attempt's outcome is recorded: applies the reports held for the message (by its id,
// or by the provider id the outcome recorded), now that it is no longer being sent. Adds to
// `written`'s outbox depth change.
core::Result<void> ApplyHeldReports(StatusReportTable& table, std::string_view message_id,
                                    std::string_view provider_message_id, std::int64_t now_ms,
                                    Written& written);

}  // namespace socialgate::store
