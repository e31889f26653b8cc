// File: api/template_codec.hpp
//
// JSON -> TemplateRequest for the seed endpoint. Checks the contract's shape only: the body is
// a JSON object, every field is present once with its type (strings, arrays of strings, the
// header object or null). Unknown extra fields are ignored. Values are checked later by
// core::ValidateTemplateRequest. Errors are kMalformed with the field named:
//   "bodyData[1]: must be a string", "templateName: is required".
//
// Thread safety: safe from many threads (one simdjson parser per thread).
#pragma once

#include <string>

#include "api/json_body.hpp"
#include "core/error.hpp"
#include "core/message.hpp"

namespace socialgate::api {

// Takes the body and frees it as soon as it is parsed: a media request's 7 MB of base64 is then
// held twice at most while it is decoded (the parser's copy and the field's), not three times.
core::Result<core::TemplateRequest> DecodeTemplateRequest(std::string body);

}  // namespace socialgate::api
