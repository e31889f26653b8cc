#include "core/validate.hpp"

#include <utility>

#include "core/phone_number.hpp"
#include "core/template_rules.hpp"
#include "core/text.hpp"

namespace socialgate::core {

Result<OutboundMessage> ValidateTemplateRequest(TemplateRequest request,
                                                const ValidationContext& context) {
  if (context.languages == nullptr) {
    return MakeError(ErrorCode::kInternal, "the request could not be validated",
                     "ValidationContext.languages is null");
  }
  // Field order is the contract's, so a request with several mistakes always reports the same
  // (first) one.
  OutboundMessage message;
  TemplateContent content;

  SG_ASSIGN_OR_RETURN(auto customer,
                      NormalizePhoneNumber("customerPhoneNumber", request.customer_phone_number));
  message.customer_phone = std::move(customer);

  SG_ASSIGN_OR_RETURN(auto service,
                      NormalizePhoneNumber("servicePhoneNumber", request.service_phone_number));
  message.service_phone = std::move(service);

  SG_RETURN_IF_ERROR(ValidateTemplateName(request.template_name));
  content.template_name = std::move(request.template_name);

  if (!context.languages->Contains(request.language)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "language: " + QuoteForMessage(request.language) +
                         " is not a WhatsApp template language code (e.g. en, en_GB, pt_BR; "
                         "codes are case-sensitive)");
  }
  content.language = std::move(request.language);

  if (request.header) {
    SG_ASSIGN_OR_RETURN(auto header, DecodeMediaHeader(*request.header, context.limits));
    content.header = std::move(header);
  }

  SG_RETURN_IF_ERROR(ValidateHeaderData(request.header_data, request.header.has_value()));
  content.header_params = std::move(request.header_data);

  SG_RETURN_IF_ERROR(ValidateBodyData(request.body_data));
  content.body_params = std::move(request.body_data);

  SG_RETURN_IF_ERROR(ValidateDynamicUrl(request.dynamic_url));
  content.url_params = std::move(request.dynamic_url);

  message.content = std::move(content);
  return message;
}

}  // namespace socialgate::core
