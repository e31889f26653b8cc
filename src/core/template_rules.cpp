#include "core/template_rules.hpp"

#include "core/text.hpp"

namespace socialgate::core {
namespace {

std::size_t MaxChars(TextParameterKind kind) {
  switch (kind) {
    case TextParameterKind::kBody:
      return kMaxBodyParameterChars;
    case TextParameterKind::kHeader:
      return kMaxHeaderParameterChars;
    case TextParameterKind::kUrlSuffix:
      return kMaxUrlSuffixChars;
  }
  return 0;
}

const char* KindDescription(TextParameterKind kind) {
  switch (kind) {
    case TextParameterKind::kBody:
      return "a body parameter";
    case TextParameterKind::kHeader:
      return "a header parameter";
    case TextParameterKind::kUrlSuffix:
      return "a URL suffix";
  }
  return "a parameter";
}

std::string Indexed(std::string_view list, std::size_t index) {
  return std::string(list) + "[" + std::to_string(index) + "]";
}

Result<void> CheckCount(std::string_view list, std::size_t count, std::size_t max,
                        std::string_view why) {
  if (count <= max) {
    return {};
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   std::string(list) + ": has " + std::to_string(count) + " entries; at most " +
                       std::to_string(max) + " are allowed (" + std::string(why) + ")");
}

Result<void> CheckEntries(std::string_view list, const std::vector<std::string>& values,
                          TextParameterKind kind) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    SG_RETURN_IF_ERROR(ValidateTextParameter(Indexed(list, i), values[i], kind));
  }
  return {};
}

}  // namespace

Result<void> ValidateTemplateName(std::string_view name) {
  if (name.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "templateName: must not be empty");
  }
  if (name.size() > kMaxTemplateNameChars) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "templateName: must be at most " + std::to_string(kMaxTemplateNameChars) + " characters");
  }
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "templateName: must contain only lower-case letters, digits and "
                       "underscores (got " +
                           QuoteForMessage(name) + ")");
    }
  }
  return {};
}

Result<void> ValidateTextParameter(std::string_view field, std::string_view value,
                                   TextParameterKind kind) {
  const std::string name(field);
  if (value.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, name + ": must not be empty");
  }
  const auto length = Utf8Length(value);
  if (!length) {
    return MakeError(ErrorCode::kInvalidArgument, name + ": must be valid UTF-8");
  }
  std::size_t spaces = 0;
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    // Meta refuses newlines and tabs in parameters; other control characters are refused too,
    // since they can only garble what the customer sees.
    if (byte < 0x20 || byte == 0x7F) {
      return MakeError(ErrorCode::kInvalidArgument,
                       name +
                           ": must not contain a newline, carriage return, tab or other "
                           "control character");
    }
    spaces = c == ' ' ? spaces + 1 : 0;
    if (spaces > kMaxConsecutiveSpaces) {
      return MakeError(ErrorCode::kInvalidArgument, name + ": must not contain more than " +
                                                        std::to_string(kMaxConsecutiveSpaces) +
                                                        " consecutive spaces");
    }
  }
  const std::size_t max = MaxChars(kind);
  if (*length > max) {
    return MakeError(ErrorCode::kInvalidArgument, name + ": is " + std::to_string(*length) +
                                                      " characters long; " + KindDescription(kind) +
                                                      " may have at most " + std::to_string(max));
  }
  return {};
}

Result<void> ValidateHeaderData(const std::vector<std::string>& header_data,
                                bool has_media_header) {
  if (has_media_header && !header_data.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "headerData: must be empty when header is a media header");
  }
  SG_RETURN_IF_ERROR(CheckCount("headerData", header_data.size(), kMaxHeaderDataEntries,
                                "a text header has at most one parameter"));
  return CheckEntries("headerData", header_data, TextParameterKind::kHeader);
}

Result<void> ValidateBodyData(const std::vector<std::string>& body_data) {
  SG_RETURN_IF_ERROR(CheckCount("bodyData", body_data.size(), kMaxBodyDataEntries,
                                "the gateway's cap on body parameters"));
  return CheckEntries("bodyData", body_data, TextParameterKind::kBody);
}

Result<void> ValidateDynamicUrl(const std::vector<std::string>& dynamic_url) {
  SG_RETURN_IF_ERROR(CheckCount("dynamicUrl", dynamic_url.size(), kMaxDynamicUrlEntries,
                                "a WhatsApp template has at most 2 URL buttons"));
  return CheckEntries("dynamicUrl", dynamic_url, TextParameterKind::kUrlSuffix);
}

}  // namespace socialgate::core
