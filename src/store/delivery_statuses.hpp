// File: store/delivery_statuses.hpp
//
// The delivery statuses providers report (sent, delivered, read, failed), which arrive as
// webhook events: Meta's callbacks, and the sandbox's own events in Meta's shape. Each event is
// stored as received first (ReceiveWebhookAsync: the webhook is answered once it is durable),
// then applied (ApplyWebhookAsync): its status reports move their messages forward and the
// event is marked applied, in one commit. An event whose application is known when it arrives
// is stored and applied in one commit instead (ReceiveAndApplyWebhookAsync).
//
// A report finds its message by the provider's message id, or else by the gateway's message id
// it carries (Meta's biz_opaque_callback_data, the send's own id) when the provider id is not
// recorded yet. A message's current status moves forward only (status_order.hpp); every report
// is kept in its history with its time and source, and a repeat of a report already kept (same
// status, time and source) changes nothing. A report whose message is not found, or whose
// message is being sent right now (its attempt's outcome is not recorded yet), is held: it is
// applied as soon as the attempt's outcome is recorded with its provider id, and forgotten after
// WebhookApplication::hold_until_ms.
//
// Thread safety: safe to call from many threads at once. The ...Async calls only queue their
// write (`done` runs on the store's thread and must not block); the others may block on I/O.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/message_status.hpp"
#include "store/conversations.hpp"
#include "store/records.hpp"

namespace socialgate::store {

// A webhook event as received: the raw body, never re-serialised.
struct WebhookEvent {
  std::string id;      // the gateway's, unique (a UUIDv7)
  std::string source;  // "meta", "sandbox"
  std::int64_t received_at_ms = 0;
  std::string body;
};

// One status a provider reports for one message.
struct StatusReport {
  std::string provider_message_id;  // Meta's wamid
  std::string message_id;           // the gateway's id the report carries; "" when none
  std::string service_phone;        // the business number the event was routed to
  core::MessageStatus status = core::MessageStatus::kSent;  // sent, delivered, read or failed
  std::int64_t at_ms = 0;                                   // when the provider says it happened
  std::string source;                                       // the event's source
  std::string error_code;                                   // failed: the provider's code
  std::string detail;  // failed: the provider's reason, shown to the caller
  std::optional<Pricing> pricing;
  std::optional<Conversation> conversation;
};

// What a stored webhook event says, to apply in one commit.
struct WebhookApplication {
  std::string event_id;
  std::vector<StatusReport> reports;
  // The customers' messages the event brought, routed (domain and service_phone set): stored in
  // the same commit (store/conversations.hpp).
  std::vector<InboundRecord> inbound;
  std::string outcome;  // what the gateway made of the event, kept with it (e.g. why ignored)
  std::int64_t now_ms = 0;
  std::int64_t hold_until_ms = 0;  // reports whose message is not found are kept until then
  // Applied events received before this, and held reports past their time, are deleted (a few
  // at a time, as applications commit).
  std::int64_t forget_events_before_ms = 0;
};

// An event received and applied at once (DeliveryStatuses::ReceiveAndApplyWebhookAsync): the
// event is stored already applied, with `application.outcome`, in the commit that applies it.
struct ReceivedWebhook {
  WebhookEvent event;
  WebhookApplication application;  // application.event_id is event.id
};

// What an application did.
struct WebhookApplied {
  int applied = 0;  // reports that found their message (repeats included)
  int held = 0;     // reports kept for a message not found yet
  int inbound = 0;  // inbound messages stored (repeats of stored ones left out)
};

// A message the provider accepted whose delivery has not reached a final status.
struct UnfinishedDelivery {
  std::string service_phone;
  std::string provider_message_id;
  std::string message_id;
  core::MessageStatus status = core::MessageStatus::kAccepted;  // accepted, sent or delivered
};

class DeliveryStatuses {
 public:
  virtual ~DeliveryStatuses() = default;
  DeliveryStatuses() = default;
  DeliveryStatuses(const DeliveryStatuses&) = delete;
  DeliveryStatuses& operator=(const DeliveryStatuses&) = delete;
  DeliveryStatuses(DeliveryStatuses&&) = delete;
  DeliveryStatuses& operator=(DeliveryStatuses&&) = delete;

  // Stores an event as received, not applied yet. Refused at once (kUnavailable, nothing
  // stored) when too many writes wait, like a new message: the sender tries again later.
  virtual void ReceiveWebhookAsync(WebhookEvent event,
                                   std::function<void(core::Result<void>)> done) = 0;

  // Applies a stored event's reports and marks it applied, in one commit. Applying an event
  // again changes nothing (each report is a repeat). Always queued, however many writes wait.
  virtual void ApplyWebhookAsync(WebhookApplication application,
                                 std::function<void(core::Result<WebhookApplied>)> done) = 0;

  // Stores an event and applies it, in one commit: what ReceiveWebhookAsync and then
  // ApplyWebhookAsync do, with one write instead of two (the event is never stored unapplied).
  // Refused at once like ReceiveWebhookAsync; on any failure nothing is stored, and the caller
  // may store the event alone to apply it later.
  virtual void ReceiveAndApplyWebhookAsync(
      WebhookEvent event, WebhookApplication application,
      std::function<void(core::Result<WebhookApplied>)> done) = 0;

  // Up to `limit` events not applied yet that were received before `received_before_ms`,
  // oldest first: those a stopped instance left, to apply again.
  virtual core::Result<std::vector<WebhookEvent>> UnappliedWebhooks(std::int64_t received_before_ms,
                                                                    int limit) = 0;

  // Up to `limit` messages accepted by a provider and not yet read or failed, oldest first, so
  // a provider that tracks delivery itself (the sandbox) can resume after a restart.
  virtual core::Result<std::vector<UnfinishedDelivery>> UnfinishedDeliveries(int limit) = 0;
};

}  // namespace socialgate::store
