// File: api/json_body.hpp
//
// Parses a request body as JSON with the limits every body gets: at most kMaxJsonValues values
// (counted before parsing, see json_token_count.hpp) and kMaxJsonDepth levels. Errors are
// kMalformed sentences about "body": "body: JSON nested more than 32 levels deep".
// DecodeStringFields reads the bodies that are one object of string fields (the text and media
// send endpoints) with the template codec's rules and sentences.
//
// Thread safety: ParseJsonBody: one parser per thread; DecodeStringFields keeps its own per
// thread.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include <simdjson.h>

#include "core/error.hpp"

namespace socialgate::api {

constexpr std::size_t kMaxJsonDepth = 32;
// Values (strings, numbers, arrays, objects...) a request body may hold, unknown fields
// included: parsing memory grows with them.
constexpr std::size_t kMaxJsonValues = 10'000;

// The parsed document's root, valid while `parser` is not used again. simdjson reads up to
// SIMDJSON_PADDING bytes past the end of `body`: they are reserved in it, not copied.
core::Result<simdjson::dom::element> ParseJsonBody(simdjson::dom::parser& parser,
                                                   std::string& body);

// One field of a body that is an object of strings: its JSON name and where its value goes.
struct StringField {
  const char* name;
  std::string* out;
};

// Reads `body` as a JSON object in which each of `fields` is present exactly once and a string;
// unknown fields are ignored. The first problem is kMalformed: "body: must be a JSON object, not
// an array", "text: must be a string, not a number", "text: appears more than once", then, in
// `fields`' order, "text: is required" (ParseJsonBody's refusals before them). Takes the body and
// frees it once parsed, as DecodeTemplateRequest does; values are copied out valid UTF-8
// (simdjson refuses a body that is not).
core::Result<void> DecodeStringFields(std::string body, std::span<const StringField> fields);

// "an array", "a number"...: how an error names a value's type.
const char* JsonTypeName(simdjson::dom::element_type type);

}  // namespace socialgate::api
