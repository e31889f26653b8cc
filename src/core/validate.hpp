// File: core/validate.hpp
//
// Turns a TemplateRequest (shape already checked by the API codec) into an OutboundMessage with
// TemplateContent, or the first rule it breaks as an Error{kInvalidArgument} whose message names
// the field and the rule, e.g. "bodyData[1]: must not contain a newline or tab". Rules:
// DESIGN-BRIEF.md section 1. A new message kind gets its own Validate...Request here.
//
// Thread safety: ValidateTemplateRequest is safe to call from many threads at once; the
// LanguageCatalog must not be modified while it is in use (build it at start-up, then share it
// read-only).
#pragma once

#include "core/error.hpp"
#include "core/language.hpp"
#include "core/media.hpp"  // ValidationLimits
#include "core/message.hpp"

namespace socialgate::core {

struct ValidationContext {
  const LanguageCatalog* languages = nullptr;  // REQUIRES: not null
  ValidationLimits limits;
};

Result<OutboundMessage> ValidateTemplateRequest(TemplateRequest request,
                                                const ValidationContext& context);

}  // namespace socialgate::core
