// File: providers/meta/meta_payload.hpp
//
// The JSON body of a WhatsApp Cloud API template send (POST /{version}/{phone-number-id}/
// messages), built from a validated TemplateMessage. The mapping (docs/providers/meta.md):
//   customer_phone -> "to" as "+" and digits (without the plus Meta may read it as national)
//   template_name, language -> template.name, template.language {code, policy: deterministic}
//   media header -> header component with {id} (a document also carries its file name)
//   header_params -> header component with one text parameter
//   body_params -> body component, positional text parameters
//   url_params[i] -> button component {sub_type: url, index: "i"} with one text parameter
//   message id -> biz_opaque_callback_data (echoed in Meta's status webhooks)
// Components without parameters are left out. Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/message.hpp"

namespace socialgate::providers::meta {

// `media_id` is the uploaded header media's id; empty when the message has no media header.
std::string BuildTemplatePayload(const core::TemplateMessage& message, std::string_view media_id,
                                 std::string_view message_id);

}  // namespace socialgate::providers::meta
