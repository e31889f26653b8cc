// File: core/message.hpp
//
// The message model. A TemplateRequest is the seed endpoint's body as the API codec read it
// (shape checked, values not yet); ValidateTemplateRequest (core/validate.hpp) turns it into a
// TemplateMessage whose every value has passed its rule and is normalised (E.164 digits,
// decoded and sniffed media). Plain values, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace socialgate::core {

// The header object of the request, exactly as received (strings not yet checked).
struct RawMediaHeader {
  std::string type;           // "image" | "video" | "document", any case
  std::string data;           // standard base64, line breaks tolerated
  std::string document_type;  // the file extension, e.g. "pdf"
  std::string file_name;      // with extension
};

// The seed request body after the JSON codec checked presence and types.
struct TemplateRequest {
  std::string customer_phone_number;
  std::string service_phone_number;
  std::string template_name;
  std::string language;
  std::optional<RawMediaHeader> header;  // null in JSON
  std::vector<std::string> header_data;
  std::vector<std::string> body_data;
  std::vector<std::string> dynamic_url;
};

enum class MediaKind { kImage, kVideo, kDocument };

// "image" | "video" | "document": the name used in JSON, the store and Meta's payload.
const char* MediaKindName(MediaKind kind);

struct MediaHeader {
  MediaKind kind = MediaKind::kDocument;
  std::string mime_type;      // as sniffed, e.g. "application/pdf"
  std::string document_type;  // lower-case extension, e.g. "pdf"
  std::string file_name;
  std::string bytes;  // decoded content
};

// A validated template message, ready to store and send.
struct TemplateMessage {
  std::string customer_phone;  // E.164 digits without '+', e.g. "393403603062"
  std::string service_phone;   // E.164 digits without '+'
  std::string template_name;
  std::string language;
  std::optional<MediaHeader> header;
  std::vector<std::string> header_params;
  std::vector<std::string> body_params;
  std::vector<std::string> url_params;
};

}  // namespace socialgate::core
