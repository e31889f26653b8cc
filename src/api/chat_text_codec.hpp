// File: api/chat_text_codec.hpp
//
// JSON -> ChatTextRequest for POST /livechat/{domain?}/sendExternalTextMessageToActiveChat,
// CTLive's text into an open chat: {"userid", "serviceid", "text", "chatid"}, each required, a
// string, and given once; unknown fields are ignored. Only the shape is checked here: the values
// are core::ValidateChatTextRequest's. Errors are kMalformed with the field named, as
// DecodeTextRequest's.
//
// Thread safety: safe from many threads (one parser per thread).
#pragma once

#include <string>

#include "core/error.hpp"
#include "core/message.hpp"

namespace socialgate::api {

// Takes the body and frees it once parsed.
core::Result<core::ChatTextRequest> DecodeChatTextRequest(std::string body);

}  // namespace socialgate::api
