#include "store/status_report_table.hpp"

#include <utility>

#include "store/status_order.hpp"

namespace socialgate::store {
namespace {

using core::MessageStatus;
using core::Result;

// Applies one report to the message it belongs to.
Result<void> ApplyToMessage(StatusReportTable& table, const ReportedMessage& message,
                            const StatusReport& report, std::int64_t now_ms, Written& written) {
  SG_ASSIGN_OR_RETURN(const bool repeat,
                      table.HasEvent(message.id, report.status, report.at_ms, report.source));
  if (repeat) return {};
  if (StatusMovesForward(message.status, report.status)) {
    if (IsPending(message.status) && !IsPending(report.status)) {
      written.outbox_depth_change -= 1;
    }
    SG_RETURN_IF_ERROR(table.MoveStatus(message.id, report));
    SG_RETURN_IF_ERROR(table.AddCallback(message.id, report, now_ms));
  }
  if (report.pricing || report.conversation) {
    SG_RETURN_IF_ERROR(table.SetPricing(message.id, report));
  }
  return table.AddEvent(message.id, report);
}

// The message a report belongs to: by provider id, else by the gateway's id it carries when that
// message is of the number the report came for and has no other provider id.
Result<std::optional<ReportedMessage>> FindReported(StatusReportTable& table,
                                                    const StatusReport& report) {
  if (!report.provider_message_id.empty()) {
    SG_ASSIGN_OR_RETURN(auto found, table.FindByProviderId(report.provider_message_id));
    if (found) return found;
  }
  if (report.message_id.empty()) return std::optional<ReportedMessage>();
  SG_ASSIGN_OR_RETURN(auto found, table.FindById(report.message_id));
  if (!found || found->service_phone != report.service_phone ||
      (!found->provider_message_id.empty() &&
       found->provider_message_id != report.provider_message_id)) {
    return std::optional<ReportedMessage>();
  }
  return found;
}

}  // namespace

Result<Written> ReceiveWebhook(StatusReportTable& table, const WebhookEvent& event) {
  SG_RETURN_IF_ERROR(table.InsertEvent(event));
  return Written{};
}

namespace {

// What ApplyWebhook and ReceiveAndApplyWebhook share: the reports, the inbound messages, and now
// and then the purge; not the event's own row.
Result<Written> ApplyWhatItSays(StatusReportTable& table, ConversationTable& conversations,
                                const WebhookApplication& application, std::int64_t chat_idle_ms,
                                std::uint64_t& applications) {
  Written written;
  for (const StatusReport& report : application.reports) {
    SG_ASSIGN_OR_RETURN(auto message, FindReported(table, report));
    // A message being sent has its attempt's outcome still to come, which sets its status: the
    // report waits for it (ApplyHeldReports), as it waits for a message not found at all.
    if (!message || message->status == MessageStatus::kSending) {
      SG_RETURN_IF_ERROR(table.Hold(report, application.now_ms, application.hold_until_ms));
      ++written.webhook.held;
      continue;
    }
    SG_RETURN_IF_ERROR(ApplyToMessage(table, *message, report, application.now_ms, written));
    ++written.webhook.applied;
  }
  if (!application.inbound.empty()) {
    SG_ASSIGN_OR_RETURN(written.webhook.inbound, ApplyInbound(conversations, application.inbound,
                                                              application.now_ms, chat_idle_ms));
  }
  if (++applications % kPurgeEvery == 0) {
    SG_RETURN_IF_ERROR(
        table.Purge(application.forget_events_before_ms, application.now_ms, kPurgeBatch));
  }
  return written;
}

}  // namespace

Result<Written> ApplyWebhook(StatusReportTable& table, ConversationTable& conversations,
                             const WebhookApplication& application, std::int64_t chat_idle_ms,
                             std::uint64_t& applications) {
  SG_ASSIGN_OR_RETURN(Written written, ApplyWhatItSays(table, conversations, application,
                                                       chat_idle_ms, applications));
  SG_RETURN_IF_ERROR(
      table.MarkApplied(application.event_id, application.now_ms, application.outcome));
  return written;
}

Result<Written> ReceiveAndApplyWebhook(StatusReportTable& table, ConversationTable& conversations,
                                       const ReceivedWebhook& received, std::int64_t chat_idle_ms,
                                       std::uint64_t& applications) {
  SG_RETURN_IF_ERROR(table.InsertAppliedEvent(received.event, received.application.now_ms,
                                              received.application.outcome));
  return ApplyWhatItSays(table, conversations, received.application, chat_idle_ms, applications);
}

Result<void> ApplyHeldReports(StatusReportTable& table, std::string_view message_id,
                              std::string_view provider_message_id, std::int64_t now_ms,
                              Written& written) {
  SG_ASSIGN_OR_RETURN(auto held, table.TakeHeld(message_id, provider_message_id));
  for (const StatusReport& report : held) {
    // Read again for each: the previous report may have moved the status.
    SG_ASSIGN_OR_RETURN(auto message, table.FindById(message_id));
    if (!message) break;
    // Held by the gateway's id, it is the message's only if it is of the message's number and
    // names the provider id the message has now (as FindReported checks on the direct path).
    if (report.service_phone != message->service_phone ||
        (!message->provider_message_id.empty() &&
         report.provider_message_id != message->provider_message_id)) {
      continue;
    }
    SG_RETURN_IF_ERROR(ApplyToMessage(table, *message, report, now_ms, written));
  }
  return {};
}

}  // namespace socialgate::store
