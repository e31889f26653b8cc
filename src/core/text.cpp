#include "core/text.hpp"

#include <algorithm>
#include <cstdint>

namespace socialgate::core {

namespace {

// The length in bytes of the well-formed UTF-8 character at `text[i]`, its code point in
// `code_point`; 0 when the bytes there are not one (overlong forms, surrogates, code points
// above U+10FFFF, stray continuation bytes and truncated sequences are not).
std::size_t DecodeChar(std::string_view text, std::size_t i, std::uint32_t& code_point) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t extra = 0;
  std::uint32_t min_code_point = 0;
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    extra = 1;
    code_point = lead & 0x1F;
    min_code_point = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2;
    code_point = lead & 0x0F;
    min_code_point = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3;
    code_point = lead & 0x07;
    min_code_point = 0x10000;
  } else {
    return 0;  // a continuation byte where a character should start, or 0xF8..0xFF
  }
  if (text.size() - i <= extra) return 0;
  for (std::size_t k = 1; k <= extra; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (next & 0x3F);
  }
  // Overlong forms and surrogates are how validators get bypassed; refuse them.
  if (code_point < min_code_point || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return 0;
  }
  return extra + 1;
}

bool IsControl(std::uint32_t code_point) {
  return code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F) || code_point == 0x2028 ||
         code_point == 0x2029;
}

}  // namespace

std::optional<std::size_t> Utf8Length(std::string_view text) {
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::uint32_t code_point = 0;
    const std::size_t length = DecodeChar(text, i, code_point);
    if (length == 0) return std::nullopt;
    i += length;
    ++count;
  }
  return count;
}

std::string OneLine(std::string_view text, std::size_t max_bytes) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  static constexpr std::string_view kEllipsis = "...";
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  std::size_t i = 0;
  while (i < text.size()) {
    std::uint32_t code_point = 0;
    std::size_t length = DecodeChar(text, i, code_point);
    std::string_view piece;
    if (length == 0) {
      piece = kReplacement;
      length = 1;
    } else if (IsControl(code_point)) {
      piece = " ";
    } else {
      piece = text.substr(i, length);
    }
    if (out.size() + piece.size() > max_bytes) {
      // Cut: make room for the ellipsis by whole characters (`out` is valid UTF-8).
      if (max_bytes < kEllipsis.size()) return out;
      while (!out.empty() && out.size() + kEllipsis.size() > max_bytes) {
        while ((static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
        out.pop_back();  // the character's first byte
      }
      out += kEllipsis;
      return out;
    }
    out += piece;
    i += length;
  }
  return out;
}

std::string MessageText(std::string_view text, std::size_t max_code_points, bool* cut) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  out.reserve(std::min(text.size(), max_code_points * 4));
  if (cut != nullptr) *cut = false;
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::uint32_t code_point = 0;
    std::size_t length = DecodeChar(text, i, code_point);
    std::string_view piece;
    if (length == 0) {
      piece = kReplacement;
      length = 1;
    } else if (code_point == '\r') {
      i += length;
      continue;
    } else if (code_point != '\n' && code_point != '\t' && code_point != 0x2028 &&
               code_point != 0x2029 && IsControl(code_point)) {
      piece = " ";
    } else {
      piece = text.substr(i, length);
    }
    if (count == max_code_points) {
      if (cut != nullptr) *cut = true;
      break;
    }
    out += piece;
    ++count;
    i += length;
  }
  return out;
}

std::string QuoteForMessage(std::string_view value, std::size_t max_bytes) {
  bool cut = false;
  if (value.size() > max_bytes) {
    std::size_t end = max_bytes;
    // Back up to a character boundary so the message stays valid UTF-8.
    while (end > 0 && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) {
      --end;
    }
    value = value.substr(0, end);
    cut = true;
  }
  std::string quoted = "'";
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    quoted.push_back(byte < 0x20 || byte == 0x7F ? '?' : c);
  }
  if (cut) {
    quoted += "...";
  }
  quoted.push_back('\'');
  return quoted;
}

std::string AsciiLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return lower;
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool StartsWithIgnoringAsciiCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoringAsciiCase(s.substr(0, prefix.size()), prefix);
}

std::string_view TrimAsciiWhitespace(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string FormDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace socialgate::core
