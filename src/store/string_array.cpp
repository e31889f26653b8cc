#include "store/string_array.hpp"

#include <optional>

#include <nlohmann/json.hpp>

#include "util/json_writer.hpp"

namespace socialgate::store {
namespace {

// The encoder's own output: no whitespace, no \u escapes but those of control characters.
// nullopt for anything else, which the general parser then reads.
std::optional<std::vector<std::string>> DecodeCompact(std::string_view json) {
  std::vector<std::string> out;
  std::size_t i = 0;
  if (i >= json.size() || json[i++] != '[') return std::nullopt;
  if (i < json.size() && json[i] == ']')
    return ++i == json.size() ? std::optional(out) : std::nullopt;
  for (;;) {
    if (i >= json.size() || json[i++] != '"') return std::nullopt;
    std::string value;
    for (;;) {
      if (i >= json.size()) return std::nullopt;
      const char c = json[i++];
      if (c == '"') break;
      if (c != '\\') {
        value += c;
        continue;
      }
      if (i >= json.size()) return std::nullopt;
      switch (json[i++]) {
        case '"':
          value += '"';
          break;
        case '\\':
          value += '\\';
          break;
        case '/':
          value += '/';
          break;
        case 'b':
          value += '\b';
          break;
        case 'f':
          value += '\f';
          break;
        case 'n':
          value += '\n';
          break;
        case 'r':
          value += '\r';
          break;
        case 't':
          value += '\t';
          break;
        default:
          return std::nullopt;  // \uXXXX: the general parser knows surrogates
      }
    }
    out.push_back(std::move(value));
    if (i >= json.size()) return std::nullopt;
    const char next = json[i++];
    if (next == ']') return i == json.size() ? std::optional(std::move(out)) : std::nullopt;
    if (next != ',') return std::nullopt;
  }
}

}  // namespace

std::string EncodeStringArray(const std::vector<std::string>& values) {
  std::size_t size = 2;
  for (const auto& v : values) size += v.size() + 3;
  std::string out;
  out.reserve(size);
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    util::AppendJsonEscaped(out, values[i]);
    out += '"';
  }
  out += ']';
  return out;
}

std::vector<std::string> DecodeStringArray(std::string_view json) {
  if (auto compact = DecodeCompact(json)) return std::move(*compact);
  const auto j = nlohmann::json::parse(json, nullptr, false);
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

}  // namespace socialgate::store
