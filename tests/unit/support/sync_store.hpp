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

inline core::Result<void> Insert(store::Outbox& outbox, store::NewMessage message) {
  Answer<core::Result<void>> answer;
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

inline core::Result<void> RecordDeliveryStatus(store::DeliveryStatuses& statuses,
                                               const std::string& provider_message_id,
                                               core::MessageStatus status, std::int64_t at_ms,
                                               const std::string& detail) {
  Answer<core::Result<void>> answer;
  statuses.RecordDeliveryStatusAsync(provider_message_id, status, at_ms, detail, answer.Callback());
  return answer.Get();
}

}  // namespace socialgate::testing
