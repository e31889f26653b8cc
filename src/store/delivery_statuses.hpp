// File: store/delivery_statuses.hpp
//
// The delivery statuses providers report (sent, delivered, read, failed) against the provider's
// message id. A message's current status moves forward only (status_order.hpp); every report is
// kept in its history.
//
// Thread safety: safe to call from many threads at once. UnfinishedDeliveries may block on disk
// I/O; RecordDeliveryStatusAsync only queues its write.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/message_status.hpp"

namespace socialgate::store {

// A message the provider accepted whose delivery has not reached a final status.
struct UnfinishedDelivery {
  std::string service_phone;
  std::string provider_message_id;
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

  // Records a status without waiting: `done` gets the result once it is durable (or refused), on
  // the store's own thread, and must not block. An unknown provider message id is kNotFound.
  // Always queued, however many writes wait.
  virtual void RecordDeliveryStatusAsync(std::string provider_message_id,
                                         core::MessageStatus status, std::int64_t at_ms,
                                         std::string detail,
                                         std::function<void(core::Result<void>)> done) = 0;

  // Up to `limit` messages accepted by a provider and not yet read or failed, oldest first, so
  // a provider that tracks delivery itself (the sandbox) can resume after a restart.
  virtual core::Result<std::vector<UnfinishedDelivery>> UnfinishedDeliveries(int limit) = 0;
};

}  // namespace socialgate::store
