// File: webhooks/inbound_notification.hpp
//
// A customer's text message as Meta's `messages` webhook carries it (../shared/reference/
// meta-cloud-api.md section 5), for the sandbox, which has no customers: a message a developer
// posts as a customer's (api/sandbox_endpoints.hpp) takes the path Meta's inbound messages
// take (stored as received, parsed by webhooks/meta_notification.hpp, applied), so it opens the
// 24-hour window and joins chats as a real one does.
//
// Thread safety: a pure function.
#pragma once

#include <cstdint>
#include <string>

namespace socialgate::webhooks {

struct InboundNotice {
  std::string waba_id;          // entry[].id
  std::string phone_number_id;  // metadata.phone_number_id (the sandbox: the number itself)
  std::string display_phone_number;
  std::string message_id;  // messages[].id
  std::string from;        // the customer's number, digits
  std::string name;        // contacts[].profile.name; "" for none
  std::int64_t at_unix_seconds = 0;
  std::string text;  // text.body
};

// Compact JSON, one change of field "messages" with one text message.
std::string BuildInboundNotification(const InboundNotice& notice);

}  // namespace socialgate::webhooks
