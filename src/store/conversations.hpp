// File: store/conversations.hpp
//
// The two-way conversation (issue 19): the customers' inbound messages, the 24-hour
// customer-service window they open, and chats, the threads of one customer with one business
// number as CTLive names them (`CHAT_<DOMAIN>_<uuid>`).
//
// Inbound messages come in Meta's webhooks: the intake hands them to the store with the event's
// status reports (WebhookApplication::inbound, delivery_statuses.hpp), and the store applies
// them in the same commit that marks the event applied:
//   - an inbound message is stored once per (source, id): a repeat changes nothing;
//   - it opens or extends the window of (business number, customer): last_inbound_at becomes the
//     latest of the stored one and the message's at_ms;
//   - it joins the customer's active chat with that number, or opens one (a chat ends when
//     EndChat ends it, or when its last message is older than the idle time: a message after
//     that opens a new chat);
//   - for a domain with callbacks, a `message.received` callback is written with it.
// Outbound messages join chats the same way when they are inserted (Outbox::InsertAsync): the
// first message either way opens the chat.
//
// Thread safety: every method may be called from any thread; the reads may block on I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace socialgate::store {

// One inbound message, as a provider reported it (webhooks/meta_notification.hpp reads Meta's).
struct InboundRecord {
  std::string id;              // the provider's id of the message (Meta's wamid)
  std::string source;          // "meta", "sandbox"
  std::string service_phone;   // the business number it was sent to (set by routing)
  std::string customer_phone;  // who sent it: E.164 digits (Meta's `from`)
  std::string customer_name;   // the sender's profile name, "" when not given
  std::int64_t at_ms = 0;      // when the customer sent it (the provider's timestamp)
  // text, image, video, audio, document, sticker, location, contacts, button, interactive,
  // reaction, system, unsupported, ... (Meta's `type`, kept as given)
  std::string type;
  std::string text;       // what it says: the text, a caption, a button's or reply's title, ...
  std::string media_id;   // the provider's media id, "" without media
  std::string mime_type;  // of the media
  std::string file_name;  // a document's
  std::string context_id;  // the id of the message it replies to (or reacts to), "" for none
  std::string payload;     // the type's own object as JSON (bounded), for the transcripts
};

// A chat: one customer and one business number of a domain, from its first message to its end.
struct ChatRecord {
  std::string id;  // CHAT_<DOMAIN>_<uuid>, the domain upper-cased as CTLive writes it
  std::string domain;
  std::string service_phone;
  std::string customer_phone;
  std::int64_t opened_at_ms = 0;
  std::int64_t last_message_at_ms = 0;
  std::int64_t ended_at_ms = 0;  // 0 while active
  std::string end_reason;        // EndChat's reason, or "idle"
};

}  // namespace socialgate::store
