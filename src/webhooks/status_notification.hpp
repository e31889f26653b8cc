// File: webhooks/status_notification.hpp
//
// A status webhook body in Meta's shape (../shared/reference/meta-cloud-api.md section 5), for
// the providers that report statuses themselves (the sandbox): their reports then take the path
// Meta's do (stored as received, parsed by webhooks/meta_notification.hpp, applied), so the
// sandbox shows the whole loop as it runs with Meta.
//
// Thread safety: a pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/message_status.hpp"
#include "store/records.hpp"

namespace socialgate::webhooks {

struct StatusNotice {
  std::string waba_id;          // entry[].id
  std::string phone_number_id;  // metadata.phone_number_id (the sandbox: the number itself)
  std::string display_phone_number;
  std::string provider_message_id;  // statuses[].id
  core::MessageStatus status = core::MessageStatus::kSent;
  std::int64_t at_unix_seconds = 0;
  std::string recipient_id;  // the customer's number, digits
  std::string message_id;    // biz_opaque_callback_data; "" for none
  std::optional<store::Pricing> pricing;
  std::optional<store::Conversation> conversation;
  // `failed`: errors[0]
  int error_code = 0;
  std::string error_title;
  std::string error_details;
};

// Compact JSON, one change of field "messages" with one status.
std::string BuildStatusNotification(const StatusNotice& notice);

}  // namespace socialgate::webhooks
