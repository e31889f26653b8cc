#include "providers/meta/graph_answer.hpp"

#include <cstdint>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/text.hpp"
#include "util/json_nesting.hpp"

namespace socialgate::providers::meta {
namespace {

using Json = nlohmann::json;
using core::ErrorCode;
using core::MakeError;

tl::unexpected<core::Error> Unusable(std::string why) {
  return MakeError(ErrorCode::kMalformed, std::move(why));
}

// "a string", "an array", ...: what a value is, for the reasons above.
std::string_view TypeName(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "an integer";
    case Json::value_t::number_float:
      return "a number with a fraction or exponent";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::binary:
    case Json::value_t::discarded:
      break;
  }
  return "not a JSON value";
}

std::string WrongType(std::string_view path, const Json& j, std::string_view wanted) {
  return std::string(path) + " is " + std::string(TypeName(j)) + ", not " + std::string(wanted);
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The answer's top-level object, parsed within the bounds.
core::Result<Json> ParseObject(std::string_view body) {
  if (body.size() > kMaxAnswerBytes) {
    return Unusable("the answer is " + std::to_string(body.size()) + " bytes, more than " +
                    std::to_string(kMaxAnswerBytes));
  }
  bool blank = true;
  for (const char c : body) blank = blank && IsJsonSpace(c);
  if (blank) return Unusable("the answer is empty");
  if (!util::JsonNestingWithin(body, kMaxAnswerDepth)) {
    return Unusable("the answer nests deeper than " + std::to_string(kMaxAnswerDepth) + " levels");
  }
  Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Unusable("the answer is not JSON");
  if (!json.is_object()) return Unusable(WrongType("the answer", json, "an object"));
  return json;
}

// The member `key` of the object `j`, or nullptr.
const Json* Member(const Json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

// The first element of the array member `key` of `j`, which must be an object: "messages[0]".
core::Result<const Json*> FirstObject(const Json& j, const char* key) {
  const Json* array = Member(j, key);
  const std::string path = key;
  if (array == nullptr) return Unusable(path + " is missing");
  if (!array->is_array()) return Unusable(WrongType(path, *array, "an array"));
  if (array->empty()) return Unusable(path + " is empty");
  const Json& first = array->front();
  if (!first.is_object()) return Unusable(WrongType(path + "[0]", first, "an object"));
  return &first;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// The string member `key` of `parent` (called `path`) as an id: whole, or refused.
core::Result<std::string> ReadId(const Json& parent, const char* key, const std::string& path,
                                 std::size_t max_bytes, bool trim = false) {
  const Json* value = Member(parent, key);
  if (value == nullptr) return Unusable(path + " is missing");
  if (!value->is_string()) return Unusable(WrongType(path, *value, "a string"));
  std::string_view id = value->get_ref<const std::string&>();
  if (trim) id = TrimSpaces(id);
  if (id.empty()) return Unusable(path + " is empty");
  if (id.size() > max_bytes) {
    return Unusable(path + " is " + std::to_string(id.size()) + " bytes, more than " +
                    std::to_string(max_bytes));
  }
  if (!IsSafeId(id, max_bytes)) {
    return Unusable(
        path + " has characters other than printable ASCII (no spaces, quotes or backslashes)");
  }
  return std::string(id);
}

// The string member `key` of `parent` as one bounded, trimmed line; "" unless a string.
std::string ReadText(const Json& parent, const char* key) {
  const Json* value = Member(parent, key);
  if (value == nullptr || !value->is_string()) return {};
  const std::string line = core::OneLine(value->get_ref<const std::string&>(), kMaxErrorTextBytes);
  return std::string(TrimSpaces(line));
}

// error.code as an int within [0, INT32_MAX].
core::Result<int> ReadCode(const Json& error) {
  const Json* code = Member(error, "code");
  if (code == nullptr) return Unusable("error.code is missing");
  if (!code->is_number_integer()) return Unusable(WrongType("error.code", *code, "an integer"));
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max());
  // nlohmann keeps a non-negative integer as unsigned and a negative one as signed.
  if (!code->is_number_unsigned() || code->get<std::uint64_t>() > kMax) {
    return Unusable("error.code is out of range (0 to " + std::to_string(kMax) + ")");
  }
  return static_cast<int>(code->get<std::uint64_t>());
}

}  // namespace

bool IsSafeId(std::string_view id, std::size_t max_bytes) {
  if (id.empty() || id.size() > max_bytes) return false;
  for (const char c : id) {
    // Printable ASCII but for the space, '"' and '\\': safe in a log line and a JSON string
    // as it is. Meta's ids use far fewer (a wamid is base64 after "wamid.", a media id digits),
    // but its own spec's examples hold "<MEDIA_ID>", and nothing here depends on the narrower
    // set. Put into a URL, an id is percent-encoded like any other text.
    const bool ok = c > ' ' && c < 0x7f && c != '"' && c != '\\';
    if (!ok) return false;
  }
  return true;
}

core::Result<SendAnswer> ReadSendAnswer(std::string_view body) {
  SG_ASSIGN_OR_RETURN(auto json, ParseObject(body));
  SG_ASSIGN_OR_RETURN(auto message, FirstObject(json, "messages"));
  SG_ASSIGN_OR_RETURN(auto id, ReadId(*message, "id", "messages[0].id", kMaxMessageIdBytes));
  SendAnswer answer;
  answer.message_id = std::move(id);
  // The recipient's WhatsApp id is worth keeping but not required: Meta may leave it out.
  if (Member(json, "contacts") != nullptr) {
    auto contact = FirstObject(json, "contacts");
    core::Result<std::string> wa_id =
        contact ? ReadId(**contact, "wa_id", "contacts[0].wa_id", kMaxWaIdBytes, /*trim=*/true)
                : tl::unexpected(std::move(contact.error()));
    if (wa_id) {
      answer.wa_id = std::move(*wa_id);
    } else {
      answer.ignored = wa_id.error().message;
    }
  }
  return answer;
}

core::Result<std::string> ReadUploadAnswer(std::string_view body) {
  SG_ASSIGN_OR_RETURN(auto json, ParseObject(body));
  return ReadId(json, "id", "id", kMaxMediaIdBytes);
}

core::Result<GraphError> ReadGraphError(std::string_view body) {
  SG_ASSIGN_OR_RETURN(auto json, ParseObject(body));
  const Json* error = Member(json, "error");
  if (error == nullptr) return Unusable("error is missing");
  if (!error->is_object()) return Unusable(WrongType("error", *error, "an object"));
  SG_ASSIGN_OR_RETURN(auto code, ReadCode(*error));
  GraphError out;
  out.code = code;
  out.message = ReadText(*error, "message");
  if (const Json* data = Member(*error, "error_data"); data != nullptr) {
    out.details = ReadText(*data, "details");
  }
  return out;
}

}  // namespace socialgate::providers::meta
