// File: templates/send_check.hpp
//
// A template send checked against the catalog before it is sent (issue 18): what Meta would
// refuse after the round trip (132000 parameter count, 132001 template or language unknown,
// 132012 parameter format...) refused at once, each with its own sentence naming the field:
//
//   templateName  the account's catalog has no such template (naming another account of the
//                 caller's domain whose catalog has it: another account's templates are not
//                 usable; accounts of other domains are never named)
//   language      "template shipping_confirmation has no en_US version; it has en_GB, it"
//   templateName  the template is not APPROVED (its status named, with Meta's reason if any)
//   header        media for a text header or for none; no media, or another kind, for a media
//                 header; a header this API cannot fill (LOCATION)
//   headerData    the text header's parameter count
//   bodyData      "template welcome_back expects 0 body parameters, got 1"
//   dynamicUrl    one value per URL button whose URL ends in a variable
//
// Thread safety: pure functions over immutable values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/message.hpp"
#include "templates/catalog.hpp"

namespace socialgate::templates {

// Who owns a catalog, for sentences: "WhatsApp Business Account 1234" or "the sandbox catalog
// config/demo-templates.json".
std::string AccountLabel(std::string_view account);

// The template `message` names, from `account`'s catalog in `snapshot`, when the send agrees
// with it; else kInvalidArgument with the first disagreement's sentence. `service_phone` is
// named in the sentence that says a template is not in the account's catalog, and so may be
// one of `neighbours` (the other accounts of the caller's domain) that has it.
core::Result<const Template*> CheckTemplateSend(const Snapshot& snapshot, std::string_view account,
                                                std::string_view service_phone,
                                                const core::TemplateContent& message,
                                                const std::vector<std::string>& neighbours = {});

}  // namespace socialgate::templates
