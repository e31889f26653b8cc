// File: http/framing.hpp
//
// What a request's head must say about how its body is framed and where it is going, checked
// before anything else reads it. A body is framed by one Content-Length, or by a
// Transfer-Encoding that is exactly "chunked"; anything else (another coding, "chunked" not
// alone, several Transfer-Encoding fields, both headers at once, a Transfer-Encoding on
// HTTP/1.0) could make this server and a proxy in front of it disagree on where the request
// ends, and hide a second request in the body (RFC 9112 section 6.3: answer 400 and close).
// An HTTP/1.1 request carries exactly one Host header (RFC 9112 section 3.2), HTTP/1.0 at most
// one.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "http/message.hpp"

namespace socialgate::http {

// nullopt when the head is framed acceptably; otherwise the sentence of a 400 answer.
// `version` is 10 or 11; `parser_saw_chunked` is whether the HTTP parser will read the body
// as chunked (a second opinion on the same header).
std::optional<std::string> FramingError(const HttpRequest& head, unsigned version,
                                        bool parser_saw_chunked);

}  // namespace socialgate::http
