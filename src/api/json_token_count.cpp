#include "api/json_token_count.hpp"

#include <cstring>

namespace socialgate::api {

bool HasMoreJsonValuesThan(std::string_view body, std::size_t max_values) {
  const char* const begin = body.data();
  const std::size_t n = body.size();
  std::size_t values = 0;
  std::size_t i = 0;
  while (i < n) {
    const char c = begin[i];
    if (c == '"') {
      // Skip the string: its end is the next quote not escaped by an odd run of backslashes.
      std::size_t from = i + 1;
      for (;;) {
        const void* quote = from < n ? std::memchr(begin + from, '"', n - from) : nullptr;
        if (quote == nullptr) return false;  // unterminated: the parser will say so
        const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(quote) - begin);
        std::size_t backslashes = 0;
        while (at - backslashes > i + 1 && begin[at - backslashes - 1] == '\\') ++backslashes;
        from = at + 1;
        if (backslashes % 2 == 0) break;
      }
      i = from;
      continue;
    }
    if ((c == ',' || c == ':' || c == '[' || c == '{') && ++values > max_values) return true;
    ++i;
  }
  return false;
}

}  // namespace socialgate::api
