// File: api/message_json.hpp
//
// A stored message as the API shows it: the fields the single-message answer
// (GET /livechat/{domain}/messages/{messageId}) and each message of the list
// (GET /livechat/{domain}/messages) share, from one function so that the two cannot drift.
//
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "store/records.hpp"

namespace socialgate::api {

// Adds to `body`, in this order: messageId, status, providerMessageId (null when none),
// deliveryError (null, or {code, message}), attempts, customerPhoneNumber, servicePhoneNumber,
// messageType and the content's fields by kind (TEMPLATE: templateName, language; TEXT: text;
// IMAGE or DOCUMENT: fileName, mimeType), createdAt and
// updatedAt (RFC 3339 UTC with milliseconds). Not the history: only the single-message answer
// has it (MessageHistoryJson).
void AddMessageFields(nlohmann::ordered_json& body, const store::StoredMessage& m);

// The message's status history, oldest first: [{status, at, detail?, source?}] (source: who
// reported it, "meta" or "sandbox"; absent for the gateway's own events).
nlohmann::ordered_json MessageHistoryJson(const store::StoredMessage& m);

// Adds what the provider says the message costs and the conversation it was billed in (only the
// single-message answer reads them): pricing (null, or {billable (null when not said), category,
// pricingModel, type}) and conversation (null, or {id, originType, expiresAt (null when not
// said)}).
void AddBillingFields(nlohmann::ordered_json& body, const store::StoredMessage& m);

}  // namespace socialgate::api
