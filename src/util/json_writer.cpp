#include "util/json_writer.hpp"

#include <cassert>

#include <nlohmann/json.hpp>
#include <simdjson.h>

namespace socialgate::util {

void AppendJsonEscaped(std::string& out, std::string_view s) {
  constexpr char kHex[] = "0123456789abcdef";
  std::size_t plain = 0;  // the start of the run of bytes that need no escape
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(s.data() + plain, s.size() - plain);
}

JsonWriter& JsonWriter::Key(std::string_view name) {
  assert(!open_.empty() && open_.back().bracket == '{' && !after_key_);
  Comma();
  AppendString(name);
  out_ += ':';
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  Separate();
  AppendString(value);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  Separate();
  out_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::Null() {
  Separate();
  out_ += "null";
  return *this;
}

std::string JsonWriter::Take() {
  assert(open_.empty() && !after_key_);
  std::string document = std::move(out_);
  out_.clear();
  open_.clear();
  after_key_ = false;
  return document;
}

JsonWriter& JsonWriter::Open(char bracket) {
  Separate();
  out_ += bracket;
  open_.push_back({bracket, false});
  return *this;
}

JsonWriter& JsonWriter::Close(char bracket) {
  assert(!open_.empty() && !after_key_ && open_.back().bracket == (bracket == '}' ? '{' : '['));
  out_ += bracket;
  if (!open_.empty()) open_.pop_back();
  return *this;
}

void JsonWriter::Separate() {
  if (after_key_) {  // the value of the key just written
    after_key_ = false;
    return;
  }
  // A value in an object needs its key first; the top holds one value.
  assert(open_.empty() ? out_.empty() : open_.back().bracket == '[');
  Comma();
}

void JsonWriter::Comma() {
  if (open_.empty()) return;
  if (open_.back().has_members) out_ += ',';
  open_.back().has_members = true;
}

void JsonWriter::AppendString(std::string_view value) {
  if (simdjson::validate_utf8(value.data(), value.size())) {
    out_ += '"';
    AppendJsonEscaped(out_, value);
    out_ += '"';
    return;
  }
  // Rare (what the gateway sends was decoded from JSON, which is UTF-8): nlohmann's own
  // replacement of each invalid sequence, byte for byte.
  out_ += nlohmann::json(std::string(value))
              .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace socialgate::util
