// File: webhooks/callback_body.hpp
//
// What a caller's callback URL receives for a change of a message's status (docs/webhooks.md):
//
//   {"type": "message.status.updated", "timestamp": "<the change, RFC 3339 UTC>",
//    "data": {"domain", "messageId", "status", "at", "source" ("gateway", "meta", "sandbox"),
//             "servicePhoneNumber", "customerPhoneNumber", "providerMessageId" (or null),
//             "deliveryError" (null, or {"code", "message"})}}
//
// and for a customer's message (store/conversations.hpp):
//
//   {"type": "message.received", "timestamp": "<when the customer sent it>",
//    "data": {"domain", "messageId" (the provider's, as in transcripts), "chatId",
//             "servicePhoneNumber", "customerPhoneNumber", "customerName", "messageType"
//             (as in transcripts: TEXT, IMAGE, ...), "text", "replyTo" (or null), "at",
//             "media" (null, or {"mimeType", "fileName"}: its bytes through
//             getMultimediaMessageByMessageID once fetched)}}
//
// Built from what does not change once the change is recorded, so every attempt of one callback
// posts the same bytes.
//
// Thread safety: a pure function.
#pragma once

#include <string>

#include "store/callbacks.hpp"

namespace socialgate::webhooks {

inline constexpr const char* kStatusUpdated = "message.status.updated";
inline constexpr const char* kMessageReceived = "message.received";

std::string BuildCallbackBody(const store::CallbackDelivery& callback);

}  // namespace socialgate::webhooks
