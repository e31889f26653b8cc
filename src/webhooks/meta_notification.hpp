// File: webhooks/meta_notification.hpp
//
// Reads what a Meta webhook callback says about delivery: the `statuses` of each change of
// field "messages" (developers.facebook.com/docs/whatsapp/cloud-api/webhooks/reference/messages
// /status; ../shared/reference/meta-cloud-api.md section 5), each with the phone_number_id of
// its change's metadata, by which the caller routes it to a business number.
//
// The body is untrusted even when signed: its size, depth and number of statuses are bounded,
// every value is checked for its type and length, and what cannot be used is not an error but
// a sentence in `ignored` (kept with the stored event): a status the gateway does not track
// ("played"), a change of another field, a status without an id. Inbound messages are ignored
// until the gateway takes them.
//
// Changes of field "message_template_status_update" (a template approved, paused, disabled...)
// are read into `template_statuses`, each with its entry's id: the WhatsApp Business Account.
//
// Thread safety: ParseMetaNotification may be called from many threads at once.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "store/delivery_statuses.hpp"

namespace socialgate::webhooks {

// Meta documents callbacks of up to 3 MB (batched statuses and messages).
inline constexpr std::size_t kMaxNotificationBytes = 3 * 1024 * 1024;
inline constexpr std::size_t kMaxNotificationDepth = 32;
inline constexpr std::size_t kMaxStatusesPerNotification = 1000;
inline constexpr std::size_t kMaxIdBytes = 256;       // wamid, phone_number_id, conversation id
inline constexpr std::size_t kMaxOpaqueBytes = 512;   // biz_opaque_callback_data, as Meta's
inline constexpr std::size_t kMaxDetailBytes = 1024;  // an error's sentence, cut beyond
inline constexpr std::size_t kMaxIgnoredNotes = 20;   // sentences kept in `ignored`

// One status of the callback, with the phone_number_id it came for.
struct NotifiedStatus {
  std::string phone_number_id;
  // service_phone and source are left to the caller (routing); the rest is filled.
  store::StatusReport report;
};

// A template's new status (field "message_template_status_update").
struct TemplateStatusUpdate {
  std::string account;      // the entry's id: the WhatsApp Business Account
  std::string template_id;  // message_template_id, digits ("" when absent)
  std::string name;         // message_template_name
  std::string language;     // message_template_language, as Meta writes it (en_GB)
  std::string status;       // event: APPROVED, PAUSED, REJECTED, DISABLED, ... (REINSTATED is
                            // APPROVED; FLAGGED changes no status and is only a note)
  std::string reason;       // reason: "" when absent or "NONE"
};

inline constexpr std::size_t kMaxTemplateStatusesPerNotification = 100;

struct MetaNotification {
  std::vector<NotifiedStatus> statuses;
  std::vector<TemplateStatusUpdate> template_statuses;
  std::vector<std::string> ignored;  // at most kMaxIgnoredNotes, then a count
};

MetaNotification ParseMetaNotification(std::string_view body);

}  // namespace socialgate::webhooks
