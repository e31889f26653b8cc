// The answer readers (simdjson since they stopped building an nlohmann tree, a sixth of the
// provider client's CPU per send) against the nlohmann readers they replaced, kept here as the
// oracle: for the fuzz corpus's answers and many random edits of them, both must accept the
// same values or refuse with the same reason. Three differences are allowed, each checked to be
// what it says (graph_answer.cpp's ParseObject names them; no Graph answer holds such text):
//   - a number beyond 64 bits, anywhere: nlohmann reads it as a float, simdjson refuses the
//     text as not JSON (so an answer that was read is now refused);
//   - a NUL after the value: nlohmann stops reading there, simdjson refuses the text;
//   - an error code of -0: nlohmann keeps it signed (out of range), simdjson reads 0.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "core/text.hpp"
#include "providers/meta/graph_answer.hpp"
#include "util/json_nesting.hpp"

namespace socialgate::providers::meta {
namespace {

namespace oracle {

using Json = nlohmann::json;

std::string TypeName(const Json& j) {
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
    default:
      return "not a JSON value";
  }
}

std::string WrongType(const std::string& path, const Json& j, const std::string& wanted) {
  return path + " is " + TypeName(j) + ", not " + wanted;
}

// The reason, or "" and the parsed object.
std::string Parse(std::string_view body, Json& out) {
  if (body.size() > kMaxAnswerBytes) {
    return "the answer is " + std::to_string(body.size()) + " bytes, more than " +
           std::to_string(kMaxAnswerBytes);
  }
  if (body.find_first_not_of(" \t\n\r") == std::string_view::npos) return "the answer is empty";
  if (!util::JsonNestingWithin(body, kMaxAnswerDepth)) {
    return "the answer nests deeper than " + std::to_string(kMaxAnswerDepth) + " levels";
  }
  out = Json::parse(body, nullptr, false);
  if (out.is_discarded()) return "the answer is not JSON";
  if (!out.is_object()) return WrongType("the answer", out, "an object");
  return "";
}

const Json* Member(const Json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string FirstObject(const Json& j, const char* key, const Json*& out) {
  const Json* array = Member(j, key);
  const std::string path = key;
  if (array == nullptr) return path + " is missing";
  if (!array->is_array()) return WrongType(path, *array, "an array");
  if (array->empty()) return path + " is empty";
  if (!array->front().is_object()) return WrongType(path + "[0]", array->front(), "an object");
  out = &array->front();
  return "";
}

std::string Trim(std::string s) {
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

std::string ReadId(const Json& parent, const char* key, const std::string& path,
                   std::size_t max_bytes, bool trim, std::string& out) {
  const Json* value = Member(parent, key);
  if (value == nullptr) return path + " is missing";
  if (!value->is_string()) return WrongType(path, *value, "a string");
  std::string id = value->get<std::string>();
  if (trim) id = Trim(id);
  if (id.empty()) return path + " is empty";
  if (id.size() > max_bytes) {
    return path + " is " + std::to_string(id.size()) + " bytes, more than " +
           std::to_string(max_bytes);
  }
  if (!IsSafeId(id, max_bytes)) {
    return path + " has characters other than printable ASCII (no spaces, quotes or backslashes)";
  }
  out = id;
  return "";
}

std::string ReadText(const Json& parent, const char* key) {
  const Json* value = Member(parent, key);
  if (value == nullptr || !value->is_string()) return {};
  return Trim(core::OneLine(value->get<std::string>(), kMaxErrorTextBytes));
}

// What a reader gave, as one comparable line.
std::string Send(std::string_view body) {
  Json json;
  if (auto why = Parse(body, json); !why.empty()) return "refused: " + why;
  const Json* message = nullptr;
  if (auto why = FirstObject(json, "messages", message); !why.empty()) return "refused: " + why;
  std::string id;
  if (auto why = ReadId(*message, "id", "messages[0].id", kMaxMessageIdBytes, false, id);
      !why.empty()) {
    return "refused: " + why;
  }
  std::string wa_id, ignored;
  if (Member(json, "contacts") != nullptr) {
    const Json* contact = nullptr;
    ignored = FirstObject(json, "contacts", contact);
    if (ignored.empty()) {
      ignored = ReadId(*contact, "wa_id", "contacts[0].wa_id", kMaxWaIdBytes, true, wa_id);
    }
  }
  return "id " + id + " wa_id " + wa_id + " ignored " + ignored;
}

std::string Upload(std::string_view body) {
  Json json;
  if (auto why = Parse(body, json); !why.empty()) return "refused: " + why;
  std::string id;
  if (auto why = ReadId(json, "id", "id", kMaxMediaIdBytes, false, id); !why.empty()) {
    return "refused: " + why;
  }
  return "id " + id;
}

std::string Error(std::string_view body) {
  Json json;
  if (auto why = Parse(body, json); !why.empty()) return "refused: " + why;
  const Json* error = Member(json, "error");
  if (error == nullptr) return "refused: error is missing";
  if (!error->is_object()) return "refused: " + WrongType("error", *error, "an object");
  const Json* code = Member(*error, "code");
  if (code == nullptr) return "refused: error.code is missing";
  if (!code->is_number_integer()) {
    return "refused: " + WrongType("error.code", *code, "an integer");
  }
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max());
  if (!code->is_number_unsigned() || code->get<std::uint64_t>() > kMax) {
    return "refused: error.code is out of range (0 to " + std::to_string(kMax) + ")";
  }
  std::string details;
  if (const Json* data = Member(*error, "error_data"); data != nullptr) {
    details = ReadText(*data, "details");
  }
  return "code " + std::to_string(code->get<std::uint64_t>()) + " message " +
         ReadText(*error, "message") + " details " + details;
}

}  // namespace oracle

std::string Send(std::string_view body) {
  auto a = ReadSendAnswer(body);
  if (!a) return "refused: " + a.error().message;
  return "id " + a->message_id + " wa_id " + a->wa_id + " ignored " + a->ignored;
}

std::string Upload(std::string_view body) {
  auto a = ReadUploadAnswer(body);
  if (!a) return "refused: " + a.error().message;
  return "id " + *a;
}

std::string Error(std::string_view body) {
  auto a = ReadGraphError(body);
  if (!a) return "refused: " + a.error().message;
  return "code " + std::to_string(a->code) + " message " + a->message + " details " + a->details;
}

// simdjson refuses `body` for a number (NUMBER_ERROR: one beyond 64 bits here, since nlohmann
// read the same text).
bool RefusedForANumbersRange(std::string_view body) {
  simdjson::dom::parser parser;
  const auto error = parser.parse(body.data(), body.size()).error();
  return error == simdjson::NUMBER_ERROR;
}

void Compare(std::string_view body, int& compared) {
  const std::size_t nul = body.find('\0');
  const auto readers = {
      std::tuple{Send(body), oracle::Send(body), oracle::Send(body.substr(0, nul))},
      std::tuple{Upload(body), oracle::Upload(body), oracle::Upload(body.substr(0, nul))},
      std::tuple{Error(body), oracle::Error(body), oracle::Error(body.substr(0, nul))}};
  for (const auto& [ours, theirs, theirs_to_nul] : readers) {
    ++compared;
    const bool not_json = ours == "refused: the answer is not JSON";
    if (not_json && theirs != ours && RefusedForANumbersRange(body)) continue;
    if (not_json && nul != std::string_view::npos && theirs == theirs_to_nul) continue;
    if (ours.rfind("code 0 ", 0) == 0 && body.find("-0") != std::string_view::npos &&
        theirs == "refused: error.code is out of range (0 to 2147483647)") {
      continue;
    }
    ASSERT_EQ(ours, theirs) << "answer: " << body;
  }
}

std::vector<std::string> CorpusBodies() {
  std::vector<std::string> bodies;
  const std::filesystem::path dir =
      std::filesystem::path(SOCIALGATE_SOURCE_DIR) / "tests/fuzz/corpus/provider_answer";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string input{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (input.size() >= 4) bodies.push_back(input.substr(4));  // status digits and call byte
  }
  // And some the corpus lacks: keys given twice, escapes, spaces, numbers' edges.
  for (const char* extra :
       {R"({"messages":[{"id":"a","id":"b"}],"messages":[{"id":"c"}]})",
        R"({"error":{"code":1,"code":2,"message":"x","message":"y"}})",
        R"( { "messages" : [ { "id" : "w\u0061mid.1" } ] , "contacts":[{"wa_id":" 1 "}]} )",
        R"({"error":{"code":-0,"message":"\ud83d\ude00 \u2028"}})",
        R"({"error":{"code":2147483647}})",
        R"({"error":{"code":2147483648}})",
        R"({"error":{"code":9223372036854775807}})",
        R"({"error":{"code":9223372036854775808}})",
        R"({"error":{"code":1e2}})",
        R"({"id":"1"} trailing)",
        R"({"id":"1"}{"id":"2"})",
        R"({"id":"\u0000"})",
        "{\"id\":\"1\"}\n",
        R"({"id":"1",})",
        "\xEF\xBB\xBF{\"id\":\"1\"}",
        "\xEF\xBB{\"id\":\"1\"}",
        "\xEF\xBB\xBF",
        R"({"id":"\ud800"})",
        R"({"id":"1","x":123456789012345678901234567890})",
        R"({"id":"1","x":-9223372036854775809})",
        R"({"id":"1","x":1e400})"}) {
    bodies.emplace_back(extra);
  }
  bodies.push_back(std::string("{\"id\":\"1\"}\0junk", 15));
  return bodies;
}

TEST(GraphAnswerOracleTest, TheCorpusIsReadAsTheNlohmannReadersReadIt) {
  const auto bodies = CorpusBodies();
  ASSERT_GT(bodies.size(), 40u);
  int compared = 0;
  for (const auto& body : bodies) {
    Compare(body, compared);
    if (HasFatalFailure()) return;
  }
}

TEST(GraphAnswerOracleTest, RandomEditsOfTheCorpusAreReadAsTheNlohmannReadersReadThem) {
  const auto bodies = CorpusBodies();
  // Pieces of JSON, and bytes and escapes that need care: NUL, a byte order mark, an encoded
  // surrogate, an overlong, a lone \u surrogate, invalid and multi-byte UTF-8.
  const std::string kPieces[] = {"{",
                                 "}",
                                 "[",
                                 "]",
                                 "\"",
                                 ":",
                                 ",",
                                 "0",
                                 "7",
                                 "-",
                                 ".",
                                 "e",
                                 " ",
                                 "\\",
                                 "n",
                                 "true",
                                 "null",
                                 std::string(1, '\0'),
                                 "\x01",
                                 "\xEF\xBB\xBF",
                                 "\xED\xA0\x80",
                                 "\xC0\x80",
                                 "\\ud800",
                                 "\\udc00",
                                 "\xC3\xA9",
                                 "\xFF"};
  std::mt19937 random(20261207);
  int compared = 0;
  for (int n = 0; n < 20000; ++n) {
    std::string body = bodies[random() % bodies.size()];
    for (int edits = 1 + static_cast<int>(random() % 3); edits > 0; --edits) {
      const std::size_t at = body.empty() ? 0 : random() % (body.size() + 1);
      const std::string& piece = kPieces[random() % std::size(kPieces)];
      switch (random() % 3) {
        case 0:
          body.insert(at, piece);
          break;
        case 1:
          if (at < body.size()) body.erase(at, 1);
          break;
        default:
          if (at < body.size()) body.replace(at, 1, piece);
      }
    }
    Compare(body, compared);
    if (HasFatalFailure()) return;
  }
  EXPECT_EQ(compared, 60000);
}

}  // namespace
}  // namespace socialgate::providers::meta
