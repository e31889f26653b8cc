// File: api/text_codec.hpp
//
// JSON -> TextRequest for POST /livechat/{domain?}/sendExternalMessageToCtlivesocial, CTLive's
// free-text send: {"customerPhoneNumber", "servicePhoneNumber", "text"}, each required, a
// string, and given once; unknown fields are ignored. Only the shape is checked here: the values
// are core::ValidateTextRequest's. Errors are kMalformed with the field named ("text: is
// required", "text: must be a string, not null"), as DecodeTemplateRequest's.
//
// Thread safety: safe from many threads (one parser per thread).
#pragma once

#include <string>

#include "core/error.hpp"
#include "core/message.hpp"

namespace socialgate::api {

// Takes the body and frees it once parsed.
core::Result<core::TextRequest> DecodeTextRequest(std::string body);

}  // namespace socialgate::api
