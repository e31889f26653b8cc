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
// ("played"), a change of another field, a status without an id.
//
// The customers' messages of the same changes (`value.messages`, .../webhooks/reference/messages)
// are read into `inbound`, each with its change's phone_number_id and what the gateway keeps of
// it (store::InboundRecord; the contract of each field is at NotifiedInbound). A message without
// a usable id, `from` or timestamp is left out with a note; any other value that is unusable is
// left empty with a note, and a text longer than its bound is cut, with a note.
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

#include "store/conversations.hpp"
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

// Bounds of the inbound messages (Meta's own limits are lower or undocumented).
inline constexpr std::size_t kMaxInboundPerNotification = 1000;
inline constexpr std::size_t kMaxInboundTextChars = 4096;      // code points, as a WhatsApp text
inline constexpr std::size_t kMaxInboundPayloadBytes = 16384;  // the type's object, minified
inline constexpr std::size_t kMaxNameBytes = 256;              // a profile name, cut beyond
inline constexpr std::size_t kMaxFileNameBytes = 256;          // a document's file name, cut beyond
inline constexpr std::size_t kMaxMimeTypeBytes = 128;          // "audio/ogg; codecs=opus"
inline constexpr std::size_t kMaxTypeBytes = 32;               // a message type's name

// One customer's message, with the phone_number_id it came to. Of `record`:
//   - id: the wamid, 1..kMaxIdBytes printable ASCII characters;
//   - customer_phone: `from`, 7 to 15 digits not starting with 0 (the shape of an E.164 number;
//     its country's numbering plan is not checked, so no real customer is refused for an
//     outdated plan);
//   - customer_name: the profile name of the value's contact whose wa_id is `from`, one line of
//     valid UTF-8 within kMaxNameBytes, "" when none;
//   - at_ms: the message's timestamp (whole seconds) in milliseconds;
//   - type: Meta's type as given when it is 1..kMaxTypeBytes of [a-z0-9_], else "unknown";
//   - text: what the message says, valid UTF-8 of at most kMaxInboundTextChars code points with
//     its lines (core::MessageText): text.body; the caption of an image, video, document or
//     sticker; a button's text; an interactive reply's title (button_reply, list_reply) or a
//     flow reply's body (nfm_reply); a reaction's emoji ("" when a reaction is removed); a
//     location's name and address ("name, address"; else its coordinates); a system message's
//     body; a summary of shared contacts ("Name (phone); ..."); the title of an unsupported
//     message's first error; "" for other types;
//   - media_id, mime_type, file_name: of an image, video, audio, document or sticker; the id as
//     a plain id, the mime type as printable ASCII within kMaxMimeTypeBytes, the file name (a
//     document's) one line within kMaxFileNameBytes with '/' and '\' made '_'; "" otherwise;
//   - context_id: the wamid the message replies to (context.id) or reacts to
//     (reaction.message_id), "" for none;
//   - payload: the message's object of its type (message[type]), minified JSON of at most
//     kMaxInboundPayloadBytes, "" when absent or larger (with a note);
//   - service_phone and source: "" (routing fills them, as for statuses).
struct NotifiedInbound {
  std::string phone_number_id;
  store::InboundRecord record;
};

struct MetaNotification {
  std::vector<NotifiedStatus> statuses;
  std::vector<TemplateStatusUpdate> template_statuses;
  std::vector<NotifiedInbound> inbound;  // at most kMaxInboundPerNotification, in body order
  std::vector<std::string> ignored;      // at most kMaxIgnoredNotes, then a count
};

MetaNotification ParseMetaNotification(std::string_view body);

}  // namespace socialgate::webhooks
