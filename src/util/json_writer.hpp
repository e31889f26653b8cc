// File: util/json_writer.hpp
//
// JsonWriter: compact JSON written straight into one string, for the bodies the gateway builds
// on every message (the provider's payload). It writes exactly the bytes
// nlohmann::ordered_json::dump(-1, ' ', false, error_handler_t::replace) writes for the same
// members in the same order: no whitespace; in strings '"' and '\' escaped, \b \f \n \r \t by
// name, other control characters as \u00xx (lower-case hex), everything else as it is. A string
// that is not valid UTF-8 is written by nlohmann itself (each invalid sequence becomes U+FFFD),
// so even then the bytes are the same. Building nlohmann's tree first cost about 5% of the
// gateway's CPU per delivered message.
//
// The caller writes a well-formed document: Key() only directly inside an object, before each
// member's value; every Begin has its End; one value at the top. A debug build asserts each of
// these (a misuse is a programming error, not an input); a release build writes what it is told.
// Not thread-safe (one writer, one document at a time).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace socialgate::util {

// Appends `s` with JSON's escapes (as above), without quotes. Bytes >= 0x80 go as they are,
// whether or not they form valid UTF-8: the caller vouches for them.
void AppendJsonEscaped(std::string& out, std::string_view s);

class JsonWriter {
 public:
  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  // An object member's name; its value is the next thing written.
  JsonWriter& Key(std::string_view name);
  JsonWriter& String(std::string_view value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  // The document; the writer is empty after, ready for another.
  std::string Take();

 private:
  JsonWriter& Open(char bracket);
  JsonWriter& Close(char bracket);
  // Before a value: nothing after its key, else (in an array) a comma unless it is the first.
  void Separate();
  // A comma before a key or an array's value that is not the first of its container.
  void Comma();
  void AppendString(std::string_view value);

  struct Container {
    char bracket;      // '{' or '['
    bool has_members;  // a comma goes before the next one
  };
  std::string out_;
  std::vector<Container> open_;  // the containers open, innermost last
  bool after_key_ = false;       // a value follows a key: no comma before it
};

}  // namespace socialgate::util
