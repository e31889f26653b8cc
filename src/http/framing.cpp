#include "http/framing.hpp"

#include <string_view>

#include "core/text.hpp"

namespace socialgate::http {

std::optional<std::string> FramingError(const HttpRequest& head, unsigned version,
                                        bool parser_saw_chunked) {
  int transfer_encodings = 0;
  int content_lengths = 0;
  int hosts = 0;
  std::string_view coding;
  for (const auto& [name, value] : head.headers) {
    if (name == "transfer-encoding") {
      ++transfer_encodings;
      coding = value;
    } else if (name == "content-length") {
      ++content_lengths;
    } else if (name == "host") {
      ++hosts;
    }
  }
  if (transfer_encodings > 0) {
    if (version < 11) return "Transfer-Encoding: is not allowed in an HTTP/1.0 request";
    if (transfer_encodings > 1) return "Transfer-Encoding: must appear once, as \"chunked\"";
    // Exactly "chunked": no other coding before it, no list, nothing a parser could read
    // another way (a folded line, "xchunked").
    if (!core::EqualsIgnoringAsciiCase(core::TrimAsciiWhitespace(coding), "chunked") ||
        !parser_saw_chunked) {
      return "Transfer-Encoding: only \"chunked\" is supported";
    }
    if (content_lengths > 0) {
      return "Transfer-Encoding and Content-Length: a request may carry only one of them";
    }
  }
  if (content_lengths > 1) return "Content-Length: must appear at most once";
  if (version >= 11 && hosts != 1) {
    return "Host: an HTTP/1.1 request needs exactly one Host header, not " + std::to_string(hosts);
  }
  if (hosts > 1) return "Host: must appear at most once";
  return std::nullopt;
}

}  // namespace socialgate::http
