// File: core/message_status.hpp
//
// Where a message is on its way out: the status the store keeps, the providers report and the
// API shows. The names are the contract (the database's `status` columns and the JSON hold
// them, exactly as MessageStatusName spells them):
//
//   queued -> sending -> accepted -> sent -> delivered -> read
//                     \-> queued (retry later)   \-> failed (at any point)
//
// A message's status history holds these too: `queued` when stored and when an attempt is
// rescheduled, `sending` for each claim, then the attempt's outcome and the providers' reports.
//
// Thread safety: pure functions.
#pragma once

#include <string_view>

#include "core/error.hpp"

namespace socialgate::core {

enum class MessageStatus {
  kQueued,     // stored, waiting for its (next) attempt
  kSending,    // claimed by a dispatcher, under its lease
  kAccepted,   // the provider took it
  kSent,       // reported by the provider: sent to WhatsApp
  kDelivered,  // reported: delivered to the customer's phone
  kRead,       // reported: read by the customer
  kFailed,     // for good: rejected, given up, or reported failed
};

// "queued", "sending", "accepted", "sent", "delivered", "read", "failed".
std::string_view MessageStatusName(MessageStatus status);

// The status named `name` (exactly one of the names above, lower case); any other string is
// kInvalidArgument naming it.
Result<MessageStatus> ParseMessageStatus(std::string_view name);

}  // namespace socialgate::core
