// File: api/media_codec.hpp
//
// JSON -> MediaRequest for POST /livechat/{domain?}/sendExternalMultimediaMessageToCtlivesocial,
// CTLive's image or document send: {"customerPhoneNumber", "servicePhoneNumber", "document"
// (base64), "messageType", "fileName"}, each required, a string, and given once; unknown fields
// are ignored. Only the shape is checked here: the values (messageType IMAGE or DOCUMENT, the
// base64, the sniffed bytes, the file name) are core::ValidateMediaRequest's. Errors are
// kMalformed with the field named ("document: is required", "messageType: must be a string, not
// a number"), as DecodeTemplateRequest's.
//
// Thread safety: safe from many threads (one parser per thread).
#pragma once

#include <string>

#include "core/error.hpp"
#include "core/message.hpp"

namespace socialgate::api {

// Takes the body and frees it once parsed: a document's megabytes of base64 are then held twice
// at most while they are decoded (the parser's copy and the field's).
core::Result<core::MediaRequest> DecodeMediaRequest(std::string body);

}  // namespace socialgate::api
