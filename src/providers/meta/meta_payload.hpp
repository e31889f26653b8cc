// File: providers/meta/meta_payload.hpp
//
// The JSON body of a WhatsApp Cloud API send (POST /{version}/{phone-number-id}/messages),
// built from a validated OutboundMessage by its kind. Every kind shares the envelope:
//   customer_phone -> "to" as "+" and digits (without the plus Meta may read it as national)
//   message id -> biz_opaque_callback_data (echoed in Meta's status webhooks)
// A template (docs/providers/meta.md):
//   template_name, language -> template.name, template.language {code, policy: deterministic}
//   media header -> header component with {id} (a document also carries its file name)
//   header_params -> header component with one text parameter
//   body_params -> body component, positional text parameters
//   url_params[i] -> button component {sub_type: url, index: "k"} with one text parameter
// With the template as the catalog knows it (`shape`), the payload follows its real shape:
//   k is the position of the template's i-th button whose URL ends in a variable (after two
//     quick replies, 2), not i;
//   a NAMED template's parameters carry parameter_name, the template's names in order;
//   a component the template lacks (no header, no header or body variable, no URL variable) is
//   not sent, nor a NAMED value beyond the template's names (a lenient send that gave too many).
// Without it (a template the catalog does not know), k is i and parameters are positional.
// Components without parameters are left out.
// A free-form text: {"type": "text", "text": {"preview_url": false, "body": text}}.
// A media message, its file uploaded first (media_id): {"type": "image", "image": {"id"}} or
// {"type": "document", "document": {"id", "filename"}}.
// A new kind adds its own part in meta_payload.cpp (the visit there does not compile until it
// does). Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/message.hpp"
#include "templates/template.hpp"

namespace socialgate::providers::meta {

// `media_id` is the uploaded media's id (core::MediaOf); empty when the message carries none.
// `shape`: the template the message names, from its number's catalog, or nullptr (only a
// template's payload reads it).
std::string BuildPayload(const core::OutboundMessage& message, std::string_view media_id,
                         std::string_view message_id, const templates::Template* shape = nullptr);

}  // namespace socialgate::providers::meta
