// File: fake-graph/validate.hpp
//
// The checks the fake applies to a send body (a template, text, image or document message) and
// to a media upload form, modelled on
// what the Cloud API refuses (docs/meta-cloud-api.md sections 1 and 2). They are deliberately a
// little stricter than Meta where Meta's own rule is documented (e.g. a button index is a
// string), so a gateway bug shows up in tests as a (#100) error naming the field.
//
// Thread safety: pure functions.
#pragma once

#include <string>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "fake-graph/multipart.hpp"

namespace socialgate::fake_graph {

// Why a request is refused: the Meta error code and error_data.details.
struct Rejection {
  int code = 100;
  std::string details;
};

// A send the fake accepts: a template, a text, an image or a document message.
struct MessageSend {
  std::string to;                        // as sent
  std::string to_digits;                 // the wa_id the fake answers with
  std::string type;                      // "template", "text", "image", "document"
  std::string template_name;             // "" but for a template (what match_template rules match)
  std::string language;                  // likewise
  std::string biz_opaque_callback_data;  // "" when absent
};

// The envelope (messaging_product, recipient_type, to, biz_opaque_callback_data), then by type:
// template (name, language with the deterministic policy, components); text (body a non-empty
// string of at most 4,096 characters, preview_url a boolean, nothing else); image (exactly one of
// id and link, nothing else); document (exactly one of id and link, filename and caption
// strings, nothing else). Any other type is refused.
tl::expected<MessageSend, Rejection> ValidateMessage(const nlohmann::json& body);

struct MediaUpload {
  std::string mime_type;  // the `type` field
};

// Requires messaging_product=whatsapp, type=<a supported MIME type> and a non-empty `file`
// part within the size limit of its type (131053 beyond it, as Meta's upload error).
tl::expected<MediaUpload, Rejection> ValidateMediaForm(const MultipartForm& form);

}  // namespace socialgate::fake_graph
