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
//   url_params[i] -> button component {sub_type: url, index: "i"} with one text parameter
// Components without parameters are left out. A new kind adds its own part in meta_payload.cpp
// (the visit there does not compile until it does). Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/message.hpp"

namespace socialgate::providers::meta {

// `media_id` is the uploaded media's id (core::MediaOf); empty when the message carries none.
std::string BuildPayload(const core::OutboundMessage& message, std::string_view media_id,
                         std::string_view message_id);

}  // namespace socialgate::providers::meta
