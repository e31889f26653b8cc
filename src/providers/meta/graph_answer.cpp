#include "providers/meta/graph_answer.hpp"

#include <cstdint>
#include <limits>
#include <optional>

#include <simdjson.h>

#include "core/text.hpp"
#include "util/json_nesting.hpp"

namespace socialgate::providers::meta {
namespace {

using core::ErrorCode;
using core::MakeError;
using Value = simdjson::dom::element;
using Type = simdjson::dom::element_type;

tl::unexpected<core::Error> Unusable(std::string why) {
  return MakeError(ErrorCode::kMalformed, std::move(why));
}

// "a string", "an array", ...: what a value is, for the reasons above.
std::string_view TypeName(Value v) {
  switch (v.type()) {
    case Type::NULL_VALUE:
      return "null";
    case Type::BOOL:
      return "a boolean";
    case Type::INT64:
    case Type::UINT64:
      return "an integer";
    case Type::DOUBLE:
      return "a number with a fraction or exponent";
    case Type::STRING:
      return "a string";
    case Type::ARRAY:
      return "an array";
    case Type::OBJECT:
      return "an object";
  }
  return "not a JSON value";
}

std::string WrongType(std::string_view path, Value v, std::string_view wanted) {
  return std::string(path) + " is " + std::string(TypeName(v)) + ", not " + std::string(wanted);
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// An answer up to this size is parsed by a thread's parser as it is; a larger one (an HTML
// error page from a proxy, say) grows the parser, which gives that memory back at the thread's
// next small answer instead of keeping it for the thread's life.
constexpr std::size_t kKeptParserBytes = 16 * 1024;

// The answer's top-level object, parsed within the bounds. It lives in this thread's parser:
// valid until the thread parses the next answer (each reader below is done with it by then).
// Read as nlohmann read it (the oracle test) but for two kinds of text no Graph answer holds,
// now refused as not JSON where nlohmann accepted them: a number beyond 64 bits (nlohmann: a
// float), and bytes after a NUL that follows the value (nlohmann: the end of the text).
core::Result<Value> ParseObject(std::string_view body) {
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
  // A UTF-8 byte order mark before the value is skipped, as nlohmann skips it.
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  thread_local simdjson::dom::parser parser;
  if (body.size() <= kKeptParserBytes && parser.capacity() > kKeptParserBytes) {
    parser = simdjson::dom::parser();
  }
  // simdjson checks the whole text (UTF-8, structure, nothing after the value) and reports,
  // never throws, through the error-code interface used here.
  Value json;
  if (parser.parse(body.data(), body.size()).get(json) != simdjson::SUCCESS) {
    return Unusable("the answer is not JSON");
  }
  if (json.type() != Type::OBJECT) return Unusable(WrongType("the answer", json, "an object"));
  return json;
}

// The member `key` of `v` if `v` is an object that has one (the last, when a key repeats, as
// JSON readers that keep one value per key do); nullopt otherwise.
std::optional<Value> Member(Value v, std::string_view key) {
  simdjson::dom::object object;
  if (v.get(object) != simdjson::SUCCESS) return std::nullopt;
  std::optional<Value> found;
  for (const auto field : object) {
    if (field.key == key) found = field.value;
  }
  return found;
}

// The first element of the array member `key` of `j`, which must be an object: "messages[0]".
core::Result<Value> FirstObject(Value j, const char* key) {
  const std::optional<Value> member = Member(j, key);
  const std::string path = key;
  if (!member) return Unusable(path + " is missing");
  simdjson::dom::array array;
  if (member->get(array) != simdjson::SUCCESS) {
    return Unusable(WrongType(path, *member, "an array"));
  }
  if (array.begin() == array.end()) return Unusable(path + " is empty");
  const Value first = *array.begin();
  if (first.type() != Type::OBJECT) {
    return Unusable(WrongType(path + "[0]", first, "an object"));
  }
  return first;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// The string member `key` of `parent` (called `path`) as an id: whole, or refused.
core::Result<std::string> ReadId(Value parent, const char* key, const std::string& path,
                                 std::size_t max_bytes, bool trim = false) {
  const std::optional<Value> value = Member(parent, key);
  if (!value) return Unusable(path + " is missing");
  std::string_view id;
  if (value->get(id) != simdjson::SUCCESS) return Unusable(WrongType(path, *value, "a string"));
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
std::string ReadText(Value parent, const char* key) {
  const std::optional<Value> value = Member(parent, key);
  std::string_view text;
  if (!value || value->get(text) != simdjson::SUCCESS) return {};
  const std::string line = core::OneLine(text, kMaxErrorTextBytes);
  return std::string(TrimSpaces(line));
}

// error.code as an int within [0, INT32_MAX].
core::Result<int> ReadCode(Value error) {
  const std::optional<Value> code = Member(error, "code");
  if (!code) return Unusable("error.code is missing");
  const Type type = code->type();
  if (type != Type::INT64 && type != Type::UINT64) {
    return Unusable(WrongType("error.code", *code, "an integer"));
  }
  constexpr auto kMax = std::numeric_limits<std::int32_t>::max();
  // simdjson keeps an integer as signed unless it is beyond INT64_MAX (then out of range too).
  std::int64_t value = 0;
  if (type != Type::INT64 || code->get(value) != simdjson::SUCCESS || value < 0 || value > kMax) {
    return Unusable("error.code is out of range (0 to " + std::to_string(kMax) + ")");
  }
  return static_cast<int>(value);
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
  SG_ASSIGN_OR_RETURN(auto id, ReadId(message, "id", "messages[0].id", kMaxMessageIdBytes));
  SendAnswer answer;
  answer.message_id = std::move(id);
  // The recipient's WhatsApp id is worth keeping but not required: Meta may leave it out.
  if (Member(json, "contacts")) {
    auto contact = FirstObject(json, "contacts");
    core::Result<std::string> wa_id =
        contact ? ReadId(*contact, "wa_id", "contacts[0].wa_id", kMaxWaIdBytes, /*trim=*/true)
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
  const std::optional<Value> error = Member(json, "error");
  if (!error) return Unusable("error is missing");
  if (error->type() != Type::OBJECT) return Unusable(WrongType("error", *error, "an object"));
  SG_ASSIGN_OR_RETURN(auto code, ReadCode(*error));
  GraphError out;
  out.code = code;
  out.message = ReadText(*error, "message");
  if (const std::optional<Value> data = Member(*error, "error_data")) {
    out.details = ReadText(*data, "details");
  }
  return out;
}

}  // namespace socialgate::providers::meta
