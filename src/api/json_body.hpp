// File: api/json_body.hpp
//
// Parses a request body as JSON with the limits every body gets: at most kMaxJsonValues values
// (counted before parsing, see json_token_count.hpp) and kMaxJsonDepth levels. Errors are
// kMalformed sentences about "body": "body: JSON nested more than 32 levels deep".
//
// Thread safety: one parser per thread.
#pragma once

#include <cstddef>
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

// "an array", "a number"...: how an error names a value's type.
const char* JsonTypeName(simdjson::dom::element_type type);

}  // namespace socialgate::api
