#include "core/text.hpp"

#include <cstdint>

namespace socialgate::core {

std::optional<std::size_t> Utf8Length(std::string_view text) {
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    std::uint32_t code_point = 0;
    std::uint32_t min_code_point = 0;
    if (lead < 0x80) {
      ++i;
      ++count;
      continue;
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
      return std::nullopt;  // a continuation byte where a character should start, or 0xF8..0xFF
    }
    if (text.size() - i <= extra) {
      return std::nullopt;
    }
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) {
        return std::nullopt;
      }
      code_point = (code_point << 6) | (next & 0x3F);
    }
    // Overlong forms and surrogates are how validators get bypassed; refuse them.
    if (code_point < min_code_point || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return std::nullopt;
    }
    i += extra + 1;
    ++count;
  }
  return count;
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

}  // namespace socialgate::core
