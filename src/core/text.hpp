// File: core/text.hpp
//
// Small text helpers shared by the validation rules: strict UTF-8 length counting and quoting a
// caller's value for an error message (bounded and stripped of control characters, so a hostile
// value cannot bloat or break the one-sentence `Error::message`).
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace socialgate::core {

// The number of Unicode code points in `text`, or nullopt if `text` is not well-formed UTF-8
// (overlong forms, surrogates, code points above U+10FFFF and truncated sequences are rejected).
std::optional<std::size_t> Utf8Length(std::string_view text);

// `value` in single quotes for an error message, e.g. 'audio'. Control characters become '?'
// and values longer than `max_bytes` are cut at a UTF-8 boundary and end in "...".
std::string QuoteForMessage(std::string_view value, std::size_t max_bytes = 40);

// `text` as one line of valid UTF-8 of at most `max_bytes` bytes, for a log line or a stored
// message that came from outside: an ill-formed byte becomes U+FFFD, a control character (C0,
// DEL, C1, U+2028, U+2029) a space, and a longer text is cut at a character boundary and ends
// in "..." (counted within `max_bytes`; with `max_bytes` under 3 it is only cut).
std::string OneLine(std::string_view text, std::size_t max_bytes);

// `text` as valid UTF-8 of at most `max_code_points` code points with its lines kept, for a
// message's text that came from outside (a customer's WhatsApp message): an ill-formed byte
// becomes U+FFFD, line feeds, tabs and U+2028/U+2029 stay, a carriage return is dropped (CRLF
// becomes LF), any other control character (C0 with NUL, DEL, C1) becomes a space, and a longer
// text is cut at a character boundary with nothing added. `cut`, when given, tells whether it was
// cut.
std::string MessageText(std::string_view text, std::size_t max_code_points, bool* cut = nullptr);

// ASCII lower-case copy (non-ASCII bytes are kept as they are).
std::string AsciiLower(std::string_view text);

// Whether `a` and `b` are equal but for the case of ASCII letters.
bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b);

// Whether `s` starts with `prefix` but for the case of ASCII letters.
bool StartsWithIgnoringAsciiCase(std::string_view s, std::string_view prefix);

// `s` without leading and trailing spaces, tabs, CRs and LFs.
std::string_view TrimAsciiWhitespace(std::string_view s);

// A query component decoded: "%XX" becomes its byte, '+' a space (form encoding); a '%' not
// followed by two hex digits stays as it is.
std::string FormDecode(std::string_view s);

}  // namespace socialgate::core
