#include "core/validate.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
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

namespace {

// The numbers every kind starts with, in the contract's order.
Result<OutboundMessage> Numbers(std::string_view customer, std::string_view service) {
  OutboundMessage message;
  SG_ASSIGN_OR_RETURN(message.customer_phone,
                      NormalizePhoneNumber("customerPhoneNumber", customer));
  SG_ASSIGN_OR_RETURN(message.service_phone, NormalizePhoneNumber("servicePhoneNumber", service));
  return message;
}

std::string CodePoint(std::uint32_t c) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(c));
  return buffer;
}

}  // namespace

Result<void> ValidateMessageText(std::string_view text) {
  if (text.empty()) return MakeError(ErrorCode::kInvalidArgument, "text: must not be empty");
  const auto length = Utf8Length(text);
  if (!length) return MakeError(ErrorCode::kInvalidArgument, "text: must be valid UTF-8");
  // Valid UTF-8 from here: C0 and DEL are single bytes, C1 (U+0080-U+009F) is C2 80..C2 9F.
  std::size_t position = 0;  // in characters, from 1 in the sentence
  bool only_space = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte & 0xC0) != 0x80) ++position;  // a character starts here
    std::uint32_t control = 0x110000;       // none
    if ((byte < 0x20 && byte != '\n' && byte != '\t') || byte == 0x7F) {
      control = byte;
    } else if (byte == 0xC2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      control = static_cast<unsigned char>(text[i + 1]);
    }
    if (control != 0x110000) {
      const std::string where = CodePoint(control) + " at character " + std::to_string(position);
      return MakeError(
          ErrorCode::kInvalidArgument,
          "text: must not contain control characters other than newline and tab (" + where + ")");
    }
    if (byte != ' ' && byte != '\n' && byte != '\t') only_space = false;
  }
  if (only_space) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "text: must not be only spaces, newlines and tabs");
  }
  if (*length > kMaxTextChars) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "text: is " + std::to_string(*length) +
                         " characters long; a text message may have at most " +
                         std::to_string(kMaxTextChars));
  }
  return {};
}

Result<OutboundMessage> ValidateTextRequest(TextRequest request,
                                            const ValidationContext& /*context*/) {
  SG_ASSIGN_OR_RETURN(auto message,
                      Numbers(request.customer_phone_number, request.service_phone_number));
  SG_RETURN_IF_ERROR(ValidateMessageText(request.text));
  message.content = TextContent{std::move(request.text)};
  return message;
}

Result<void> ValidateChatId(std::string_view field, std::string_view id) {
  const bool printable =
      std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  if (id.empty() || id.size() > kMaxChatIdLength || !printable) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(field) + ": must be 1 to " + std::to_string(kMaxChatIdLength) +
                         " printable ASCII characters without spaces, such as "
                         "CHAT_DEFAULT_ac771534-0b29-4b0e-a2f9-3ba7628c0580");
  }
  return {};
}

Result<OutboundMessage> ValidateChatTextRequest(ChatTextRequest request,
                                                const ValidationContext& /*context*/) {
  OutboundMessage message;
  SG_ASSIGN_OR_RETURN(message.customer_phone, NormalizePhoneNumber("userid", request.userid));
  SG_ASSIGN_OR_RETURN(message.service_phone, NormalizePhoneNumber("serviceid", request.serviceid));
  SG_RETURN_IF_ERROR(ValidateMessageText(request.text));
  SG_RETURN_IF_ERROR(ValidateChatId("chatid", request.chatid));
  message.content = TextContent{std::move(request.text)};
  message.chat_id = std::move(request.chatid);
  return message;
}

Result<OutboundMessage> ValidateMediaRequest(const MediaRequest& request,
                                             const ValidationContext& context) {
  SG_ASSIGN_OR_RETURN(auto message,
                      Numbers(request.customer_phone_number, request.service_phone_number));
  SG_ASSIGN_OR_RETURN(auto media, DecodeMediaMessage(request, context.limits));
  message.content = MediaContent{std::move(media)};
  return message;
}

}  // namespace socialgate::core
