#include "api/json_body.hpp"

#include "api/json_token_count.hpp"

namespace socialgate::api {
namespace {

core::Error Malformed(std::string message) {
  return core::Error{core::ErrorCode::kMalformed, std::move(message), {}};
}

}  // namespace

core::Result<simdjson::dom::element> ParseJsonBody(simdjson::dom::parser& parser,
                                                   std::string& body) {
  // Parsing memory grows with the number of values: refuse a body of a great many before
  // parsing it.
  if (HasMoreJsonValuesThan(body, kMaxJsonValues)) {
    return tl::unexpected(Malformed("body: holds more than " + std::to_string(kMaxJsonValues) +
                                    " JSON values; a request holds a few dozen"));
  }
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  simdjson::dom::element root;
  const auto error = parser.parse(body.data(), body.size(), false).get(root);
  if (error == simdjson::DEPTH_ERROR) {
    return tl::unexpected(
        Malformed("body: JSON nested more than " + std::to_string(kMaxJsonDepth) + " levels deep"));
  }
  if (error == simdjson::MEMALLOC) {
    return core::MakeError(core::ErrorCode::kUnavailable, "the gateway is out of memory",
                           "allocating a JSON parser for a request body");
  }
  if (error != simdjson::SUCCESS) {
    return tl::unexpected(
        Malformed(std::string("body: is not valid JSON (") + simdjson::error_message(error) + ")"));
  }
  return root;
}

const char* JsonTypeName(simdjson::dom::element_type type) {
  using simdjson::dom::element_type;
  switch (type) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "a number";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "something else";
}

}  // namespace socialgate::api
