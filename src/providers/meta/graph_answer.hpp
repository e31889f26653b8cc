// File: providers/meta/graph_answer.hpp
//
// Reads the answers of Meta's Graph API into plain typed values. An answer is untrusted input:
// the body's size and JSON nesting are bounded before it is parsed, every value read is checked
// for its JSON type and its size, and nothing here throws (simdjson's DOM, read only through its
// error-code interface: a value of the wrong type is an error value, never an exception). A key
// given twice counts with its last value.
//
// What is read, and nothing else (docs/providers/meta.md, "How answers are classified"):
//   a send's answer (POST /messages, 2xx): messages[0].id (required), contacts[0].wa_id
//   an upload's answer (POST /media, 2xx): id
//   an error body (any other status): error.code (required), error.message,
//     error.error_data.details
// An answer that cannot be used is a core::Error (kMalformed) whose message says which value
// is wrong and how, in one short line of our own words: never the provider's bytes, so it is
// safe to log and to store. Text that is kept (an error's message and details) is one line of
// valid UTF-8 of bounded length (core::OneLine). Ids are kept only whole: within their length
// and printable (IsSafeId), never cut.
//
// Later readers of Meta's JSON (status webhooks, template listings) belong here too, built
// the same way.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace socialgate::providers::meta {

// A Graph answer is a few hundred bytes nested three levels deep; anything far beyond is not
// an answer this gateway can use.
inline constexpr std::size_t kMaxAnswerBytes = 64 * 1024;
inline constexpr int kMaxAnswerDepth = 16;
// Ids: a wamid is "wamid." and about 60 base64 characters, a media id about 16 digits, a wa_id
// a phone number's digits (or, with WhatsApp usernames, an id of up to 256 characters).
inline constexpr std::size_t kMaxMessageIdBytes = 256;
inline constexpr std::size_t kMaxMediaIdBytes = 128;
inline constexpr std::size_t kMaxWaIdBytes = 256;
// An error's message and its details, each.
inline constexpr std::size_t kMaxErrorTextBytes = 256;

// Whether `id` is 1 to `max_bytes` bytes of printable ASCII without spaces, quotes or
// backslashes: safe in a log line and a JSON string as it is (percent-encode it for a URL).
bool IsSafeId(std::string_view id, std::size_t max_bytes);

// A usable answer to POST /messages.
struct SendAnswer {
  std::string message_id;  // messages[0].id, the wamid: IsSafeId(_, kMaxMessageIdBytes)
  // contacts[0].wa_id without surrounding spaces (Meta's examples carry a trailing one); ""
  // when absent or unusable: the message was taken all the same.
  std::string wa_id;
  std::string ignored;  // what was present but left out (e.g. an unusable wa_id); "" if nothing
};

core::Result<SendAnswer> ReadSendAnswer(std::string_view body);

// The media id of a usable answer to POST /media: IsSafeId(_, kMaxMediaIdBytes).
core::Result<std::string> ReadUploadAnswer(std::string_view body);

// A usable Graph API error body.
struct GraphError {
  int code = 0;  // error.code: an integer from 0 to 2^31 - 1
  // error.message and error.error_data.details, each one line of valid UTF-8 of at most
  // kMaxErrorTextBytes bytes, trimmed; "" when absent, empty or not a string.
  std::string message;
  std::string details;
};

core::Result<GraphError> ReadGraphError(std::string_view body);

}  // namespace socialgate::providers::meta
