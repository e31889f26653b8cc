#include "api/json_body.hpp"

#include <string_view>
#include <vector>

#include "api/json_token_count.hpp"

namespace socialgate::api {
namespace {

core::Error Malformed(std::string message) {
  return core::Error{core::ErrorCode::kMalformed, std::move(message), {}};
}

// What a thread's parser keeps between requests: plenty for any body without media.
constexpr std::size_t kSmallDocumentBytes = 64 * 1024;

simdjson::dom::parser NewParser() {
  simdjson::dom::parser p;
  // On failure the parser allocates on first use instead; the depth limit is then the default.
  if (p.allocate(kSmallDocumentBytes, kMaxJsonDepth) != simdjson::SUCCESS) {
    return simdjson::dom::parser{};
  }
  return p;
}

core::Result<void> ReadFields(simdjson::dom::parser& parser, std::string& body,
                              std::span<const StringField> fields) {
  SG_ASSIGN_OR_RETURN(auto root, ParseJsonBody(parser, body));
  std::string().swap(body);  // the parser holds its own copy of every string
  simdjson::dom::object object;
  if (root.get(object) != simdjson::SUCCESS) {
    return tl::unexpected(
        Malformed(std::string("body: must be a JSON object, not ") + JsonTypeName(root.type())));
  }
  std::vector<bool> seen(fields.size(), false);
  for (auto [key, value] : object) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (key != fields[i].name) continue;
      const std::string name = fields[i].name;
      if (seen[i]) return tl::unexpected(Malformed(name + ": appears more than once"));
      seen[i] = true;
      std::string_view text;
      if (value.get(text) != simdjson::SUCCESS) {
        return tl::unexpected(
            Malformed(name + ": must be a string, not " + JsonTypeName(value.type())));
      }
      fields[i].out->assign(text);
    }
  }
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (!seen[i]) return tl::unexpected(Malformed(std::string(fields[i].name) + ": is required"));
  }
  return {};
}

}  // namespace

core::Result<void> DecodeStringFields(std::string body, std::span<const StringField> fields) {
  // One parser per thread: it keeps its buffers between requests...
  thread_local simdjson::dom::parser parser = NewParser();
  auto decoded = ReadFields(parser, body, fields);
  // ...but not those of a media request (several times the document's size) for good.
  if (parser.capacity() > kSmallDocumentBytes) parser = NewParser();
  return decoded;
}

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
