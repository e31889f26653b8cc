// File: core/validate.hpp
//
// Turns a request of each kind (shape already checked by its API codec) into an OutboundMessage
// with the kind's content, or the first rule it breaks as an Error{kInvalidArgument} whose
// message is one sentence naming the field and the rule, e.g. "bodyData[1]: must not contain a
// newline or tab". Fields are checked in the order documented for each function, so a request
// with several mistakes always reports the same one. A new message kind gets its own
// Validate...Request here.
//
// Thread safety: every function is safe to call from many threads at once; the LanguageCatalog
// must not be modified while it is in use (build it at start-up, then share it read-only).
#pragma once

#include <cstddef>
#include <string_view>

#include "core/error.hpp"
#include "core/language.hpp"
#include "core/media.hpp"  // ValidationLimits
#include "core/message.hpp"

namespace socialgate::core {

struct ValidationContext {
  const LanguageCatalog* languages = nullptr;  // REQUIRES: not null
  ValidationLimits limits;
};

// customerPhoneNumber, servicePhoneNumber, templateName, language, header, headerData, bodyData,
// dynamicUrl. REQUIRES: context.languages (else kInternal).
Result<OutboundMessage> ValidateTemplateRequest(TemplateRequest request,
                                                const ValidationContext& context);

// The longest free-form text, in characters (Unicode code points): Meta's limit for a text
// message's body.
inline constexpr std::size_t kMaxTextChars = 4096;

// A free-form text's rules, in this order, each its own sentence naming `text`: not empty; valid
// UTF-8; no control character (U+0000-U+001F, U+007F-U+009F) but newline and tab; not only
// whitespace; at most kMaxTextChars characters.
Result<void> ValidateMessageText(std::string_view text);

// customerPhoneNumber, servicePhoneNumber, text (ValidateMessageText). The text is kept as
// given (not trimmed). The 24-hour customer-service window is not a rule of the request: the
// send pipeline decides it.
Result<OutboundMessage> ValidateTextRequest(TextRequest request, const ValidationContext& context);

// The longest chat id sendExternalTextMessageToActiveChat takes (CTLive's are about 50 bytes).
inline constexpr std::size_t kMaxChatIdLength = 256;

// A chat id as a caller writes it (`field` names it in the sentence): 1 to kMaxChatIdLength
// printable ASCII characters without spaces. Whether the chat exists is the caller's to check.
Result<void> ValidateChatId(std::string_view field, std::string_view id);

// userid (the customer's number), serviceid (the business number), text (ValidateMessageText),
// chatid (1 to kMaxChatIdLength printable ASCII characters; whether the chat exists is the
// send's to check): a text message with its chat_id.
Result<OutboundMessage> ValidateChatTextRequest(ChatTextRequest request,
                                                const ValidationContext& context);

// customerPhoneNumber, servicePhoneNumber, then the media (core::DecodeMediaMessage: messageType,
// document, fileName, the sniffed bytes) within context.limits.
Result<OutboundMessage> ValidateMediaRequest(const MediaRequest& request,
                                             const ValidationContext& context);

}  // namespace socialgate::core
