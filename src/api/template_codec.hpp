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

#include "core/error.hpp"
#include "core/message.hpp"

namespace socialgate::api {

constexpr std::size_t kMaxJsonDepth = 32;

// `body` may be grown (capacity only) to give the parser its padding; its content is unchanged.
core::Result<core::TemplateRequest> DecodeTemplateRequest(std::string& body);

}  // namespace socialgate::api
