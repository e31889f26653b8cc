// File: tests/unit/support/sync_store.hpp
//
// Synchronous forms of the store's asynchronous writes, for tests: each queues its write and
// waits for the answer. Production code never waits like this (it would hold a thread per
// write); tests do, to check one result at a time. Never call them from a store callback (the
// store's own thread): the write would wait for itself.
#pragma once

#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store/delivery_statuses.hpp"
#include "store/outbox.hpp"

namespace socialgate::testing {

// The answer of one asynchronous call.
template <typename T>
class Answer {
 public:
  // The callback to hand the call; may run on any thread, even after the test stopped waiting.
  std::function<void(T)> Callback() const {
    return [promise = promise_](T value) { promise->set_value(std::move(value)); };
  }
  T Get() { return future_.get(); }

 private:
  std::shared_ptr<std::promise<T>> promise_ = std::make_shared<std::promise<T>>();
  std::future<T> future_ = promise_->get_future();
};

inline core::Result<store::Inserted> Insert(store::Outbox& outbox, store::NewMessage message) {
  Answer<core::Result<store::Inserted>> answer;
  outbox.InsertAsync(std::move(message), answer.Callback());
  return answer.Get();
}

inline core::Result<store::Claim> Claim(store::Outbox& outbox, std::int64_t now_ms,
                                        const std::string& owner, std::int64_t lease_ms, int limit,
                                        const std::vector<std::string>& skip_numbers = {}) {
  Answer<core::Result<store::Claim>> answer;
  outbox.ClaimDueAsync(now_ms, owner, lease_ms, limit, skip_numbers, answer.Callback());
  return answer.Get();
}

// The claimed messages alone.
inline core::Result<std::vector<store::StoredMessage>> ClaimDue(
    store::Outbox& outbox, std::int64_t now_ms, const std::string& owner, std::int64_t lease_ms,
    int limit, const std::vector<std::string>& skip_numbers = {}) {
  auto claim = Claim(outbox, now_ms, owner, lease_ms, limit, skip_numbers);
  if (!claim) return tl::unexpected(claim.error());
  return std::move(claim->messages);
}

inline core::Result<void> RecordAttempt(store::Outbox& outbox, store::AttemptEnd end) {
  Answer<core::Result<void>> answer;
  outbox.RecordAttemptAsync(std::move(end), answer.Callback());
  return answer.Get();
}

inline core::Result<void> MarkAccepted(store::Outbox& outbox, const std::string& id,
                                       const std::string& owner,
                                       const std::string& provider_message_id,
                                       const std::string& wa_id, std::int64_t now_ms) {
  store::AttemptEnd e;
  e.kind = store::AttemptEnd::Kind::kAccepted;
  e.id = id;
  e.owner = owner;
  e.provider_message_id = provider_message_id;
  e.wa_id = wa_id;
  e.now_ms = now_ms;
  return RecordAttempt(outbox, std::move(e));
}

inline core::Result<void> MarkFailed(store::Outbox& outbox, const std::string& id,
                                     const std::string& owner, const std::string& error_code,
                                     const std::string& error_message, std::int64_t now_ms) {
  store::AttemptEnd e;
  e.kind = store::AttemptEnd::Kind::kFailed;
  e.id = id;
  e.owner = owner;
  e.error_code = error_code;
  e.error_message = error_message;
  e.now_ms = now_ms;
  return RecordAttempt(outbox, std::move(e));
}

inline core::Result<void> Reschedule(store::Outbox& outbox, const std::string& id,
                                     const std::string& owner, std::int64_t next_attempt_at_ms,
                                     const std::string& error_code,
                                     const std::string& error_message, std::int64_t now_ms) {
  store::AttemptEnd e;
  e.kind = store::AttemptEnd::Kind::kRescheduled;
  e.id = id;
  e.owner = owner;
  e.next_attempt_at_ms = next_attempt_at_ms;
  e.error_code = error_code;
  e.error_message = error_message;
  e.now_ms = now_ms;
  return RecordAttempt(outbox, std::move(e));
}

// Gives a claimed message back unsent (AttemptEnd::Kind::kGivenBack).
inline core::Result<void> Release(store::Outbox& outbox, const std::string& id,
                                  const std::string& owner, std::int64_t next_attempt_at_ms) {
  store::AttemptEnd e;
  e.kind = store::AttemptEnd::Kind::kGivenBack;
  e.id = id;
  e.owner = owner;
  e.next_attempt_at_ms = next_attempt_at_ms;
  return RecordAttempt(outbox, std::move(e));
}

// Stores a webhook event as received.
inline core::Result<void> ReceiveWebhook(store::DeliveryStatuses& statuses,
                                         store::WebhookEvent event) {
  Answer<core::Result<void>> answer;
  statuses.ReceiveWebhookAsync(std::move(event), answer.Callback());
  return answer.Get();
}

// Applies an event's reports.
inline core::Result<store::WebhookApplied> ApplyWebhook(store::DeliveryStatuses& statuses,
                                                        store::WebhookApplication application) {
  Answer<core::Result<store::WebhookApplied>> answer;
  statuses.ApplyWebhookAsync(std::move(application), answer.Callback());
  return answer.Get();
}

// Stores an event and applies it in one commit.
inline core::Result<store::WebhookApplied> ReceiveAndApplyWebhook(
    store::DeliveryStatuses& statuses, store::WebhookEvent event,
    store::WebhookApplication application) {
  Answer<core::Result<store::WebhookApplied>> answer;
  statuses.ReceiveAndApplyWebhookAsync(std::move(event), std::move(application), answer.Callback());
  return answer.Get();
}

// A report of `status` at `at_ms` from "meta" for the message with this provider id (and, when
// given, this gateway id), of business number `service_phone`.
inline store::StatusReport Report(const std::string& provider_message_id,
                                  core::MessageStatus status, std::int64_t at_ms,
                                  const std::string& service_phone = "3902124122690",
                                  const std::string& message_id = "") {
  store::StatusReport r;
  r.provider_message_id = provider_message_id;
  r.message_id = message_id;
  r.service_phone = service_phone;
  r.status = status;
  r.at_ms = at_ms;
  r.source = "meta";
  return r;
}

// Applies one report as an event of its own (event id `provider_message_id` + the status name
// + the time), held until `at_ms` + 1 hour.
inline core::Result<store::WebhookApplied> RecordDeliveryStatus(store::DeliveryStatuses& statuses,
                                                                store::StatusReport report) {
  store::WebhookApplication a;
  a.event_id = report.provider_message_id + "." +
               std::string(core::MessageStatusName(report.status)) + "." +
               std::to_string(report.at_ms);
  a.now_ms = report.at_ms;
  a.hold_until_ms = report.at_ms + 3'600'000;
  a.reports.push_back(std::move(report));
  return ApplyWebhook(statuses, std::move(a));
}

// The same for a report that says only the provider id, status, time and detail.
inline core::Result<store::WebhookApplied> RecordDeliveryStatus(
    store::DeliveryStatuses& statuses, const std::string& provider_message_id,
    core::MessageStatus status, std::int64_t at_ms, const std::string& detail) {
  store::StatusReport r = Report(provider_message_id, status, at_ms);
  r.detail = detail;
  return RecordDeliveryStatus(statuses, std::move(r));
}

}  // namespace socialgate::testing
