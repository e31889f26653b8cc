#include "fake-graph/multipart.hpp"

#include <utility>

#include "fake-graph/text_util.hpp"

namespace socialgate::fake_graph {

namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr std::size_t kMaxBoundary = 70;  // RFC 2046 5.1.1

// Reads the header lines of one part (up to the empty line); `rest` is left at the content.
tl::expected<MultipartPart, std::string> ParsePartHeaders(std::string_view& rest, int index) {
  MultipartPart part;
  bool has_disposition = false;
  const std::string where = "part " + std::to_string(index + 1);
  for (;;) {
    const auto eol = rest.find(kCrlf);
    if (eol == std::string_view::npos) {
      return tl::make_unexpected(where + " has no empty line after its headers");
    }
    const auto line = rest.substr(0, eol);
    rest.remove_prefix(eol + kCrlf.size());
    if (line.empty()) break;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      return tl::make_unexpected(where + " has a header line without ':'");
    }
    const auto name = core::TrimAsciiWhitespace(line.substr(0, colon));
    const auto value = core::TrimAsciiWhitespace(line.substr(colon + 1));
    if (core::EqualsIgnoringAsciiCase(name, "content-disposition")) {
      if (MediaType(value) != "form-data") {
        return tl::make_unexpected(where + " has a Content-Disposition other than form-data");
      }
      has_disposition = true;
      bool has_name = false;
      for (auto& [param, param_value] : HeaderParameters(value)) {
        if (param == "name" && !has_name) {
          part.name = param_value;
          has_name = true;
        } else if (param == "filename" && !part.filename) {
          part.filename = param_value;
        }
      }
      if (!has_name || part.name.empty()) {
        return tl::make_unexpected(where + " has a Content-Disposition without a name");
      }
    } else if (core::EqualsIgnoringAsciiCase(name, "content-type")) {
      part.content_type = std::string(value);
    }
  }
  if (!has_disposition) return tl::make_unexpected(where + " has no Content-Disposition header");
  return part;
}

}  // namespace

const MultipartPart* MultipartForm::Find(std::string_view name) const {
  for (const auto& part : parts) {
    if (part.name == name) return &part;
  }
  return nullptr;
}

tl::expected<std::string, std::string> MultipartBoundary(std::string_view content_type) {
  if (MediaType(content_type) != "multipart/form-data") {
    return tl::make_unexpected("the Content-Type must be multipart/form-data");
  }
  for (auto& [name, value] : HeaderParameters(content_type)) {
    if (name != "boundary") continue;
    if (value.empty()) return tl::make_unexpected("the multipart boundary is empty");
    if (value.size() > kMaxBoundary) {
      return tl::make_unexpected("the multipart boundary is longer than 70 characters");
    }
    return value;
  }
  return tl::make_unexpected("the Content-Type has no boundary parameter");
}

tl::expected<MultipartForm, std::string> ParseMultipart(std::string_view content_type,
                                                        std::string_view body) {
  auto boundary = MultipartBoundary(content_type);
  if (!boundary) return tl::make_unexpected(boundary.error());
  const std::string dash_boundary = "--" + *boundary;
  const std::string delimiter = "\r\n" + dash_boundary;

  // The first boundary either opens the body or follows a preamble (which is ignored).
  std::size_t pos = 0;
  if (body.substr(0, dash_boundary.size()) != dash_boundary) {
    pos = body.find(delimiter);
    if (pos == std::string_view::npos) {
      return tl::make_unexpected("the body does not contain the multipart boundary");
    }
    pos += kCrlf.size();
  }
  std::string_view rest = body.substr(pos + dash_boundary.size());

  MultipartForm form;
  for (int index = 0;; ++index) {
    // After a boundary: "--" closes the body; otherwise optional whitespace, then CRLF.
    if (rest.substr(0, 2) == "--") {
      if (form.parts.empty()) return tl::make_unexpected("the multipart body has no parts");
      return form;  // anything after the close delimiter is an epilogue, ignored
    }
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    if (rest.substr(0, kCrlf.size()) != kCrlf) {
      return tl::make_unexpected("a multipart boundary is not followed by CRLF");
    }
    rest.remove_prefix(kCrlf.size());

    auto part = ParsePartHeaders(rest, index);
    if (!part) return tl::make_unexpected(part.error());
    const auto end = rest.find(delimiter);
    if (end == std::string_view::npos) {
      return tl::make_unexpected("part " + std::to_string(index + 1) +
                                 " is not ended by a boundary (is the closing boundary missing?)");
    }
    part->data = std::string(rest.substr(0, end));
    form.parts.push_back(std::move(*part));
    rest.remove_prefix(end + delimiter.size());
  }
}

}  // namespace socialgate::fake_graph
