// File: fake-graph/multipart.hpp
//
// A multipart/form-data parser (RFC 7578 over RFC 2046), written for the fake media upload
// endpoint: it must tell the gateway precisely what is wrong with a body, so it is strict about
// the framing (boundary, CRLFs, the closing delimiter) and binary-safe for the content (a part
// ends only at CRLF "--" boundary, so CR, LF and NUL bytes inside a file are kept as sent).
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace socialgate::fake_graph {

struct MultipartPart {
  std::string name;                     // Content-Disposition name=
  std::optional<std::string> filename;  // Content-Disposition filename=, when given
  std::string content_type;             // the part's Content-Type; "" when absent
  std::string data;                     // the content, byte for byte
};

struct MultipartForm {
  std::vector<MultipartPart> parts;

  // The first part called `name`, or nullptr.
  const MultipartPart* Find(std::string_view name) const;
};

// The boundary parameter of a multipart/form-data Content-Type, or an error sentence when the
// media type is not multipart/form-data or the boundary is missing or longer than 70 characters.
tl::expected<std::string, std::string> MultipartBoundary(std::string_view content_type);

// Parses a whole multipart/form-data body. The error is one sentence naming the problem.
tl::expected<MultipartForm, std::string> ParseMultipart(std::string_view content_type,
                                                        std::string_view body);

}  // namespace socialgate::fake_graph
