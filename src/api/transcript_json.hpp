// File: api/transcript_json.hpp
//
// A chat as CTLive's Transcript object (../shared/reference/ctlive-livechat-api.md section 4):
//   {"_id": chat id, "room": chat id, "ctlive_type": "chat", "messages": [Message...]}
// with the additive "isChatActive", "customerPhoneNumber", "servicePhoneNumber", "openedAt",
// "endedAt", "endReason" and "truncated". Each Message, both ways, in time order:
//   {"room": chat id, "_id": id, "data": {"id", "messageType", "ts" (Unix ms),
//    "deliverySuccess", "deliveryErrorReason", "replyTo", "content": {..., "user": {"id",
//    "isAgent", "nickname"}}}}
// An outbound message (isAgent true, the business number's) has the gateway's id, its kind as
// messageType (TEXT, IMAGE, DOCUMENT, or TEMPLATE), deliverySuccess while the provider has it
// (accepted, sent, delivered, read) and the additive "status"; an inbound one (isAgent false,
// the customer's number and profile name) has the provider's id, Meta's type upper-cased as
// messageType (a button reply QUICK_REPLY), deliverySuccess true, and the message it replies to
// as replyTo. Text is in content.text (a media's caption too, and a reply's title); a file's
// name and type in content.fileName, mimeType and documentType (its bytes:
// getMultimediaMessageByMessageID); other types' own object in content.payload.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/conversations.hpp"
#include "store/records.hpp"

namespace socialgate::api {

// `truncated`: a direction had more messages than were read.
nlohmann::ordered_json TranscriptJson(const store::ChatRecord& chat,
                                      const std::vector<store::InboundRecord>& inbound,
                                      const std::vector<store::StoredMessage>& outbound,
                                      bool truncated);

}  // namespace socialgate::api
