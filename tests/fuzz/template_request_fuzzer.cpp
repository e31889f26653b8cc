// File: tests/fuzz/template_request_fuzzer.cpp
//
// The send endpoint's body, as a client could write it: api::DecodeTemplateRequest, then
// core::ValidateTemplateRequest on whatever decodes. Beyond "no crash, leak or undefined
// behaviour" (the sanitizers), it checks what the API promises:
//   - a refusal is kMalformed (decoding) or kInvalidArgument (a rule), never kInternal, with a
//     short one-line message that starts with the field it is about ("bodyData[1]: ...");
//   - the body is not modified, and every decoded string is valid UTF-8;
//   - an accepted message keeps every documented limit (core/template_rules.hpp, core/media.hpp),
//     and validating it again as a request gives the same message (normalisation is idempotent).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <sodium.h>

#include "api/template_codec.hpp"
#include "core/language.hpp"
#include "core/media.hpp"
#include "core/message.hpp"
#include "core/template_rules.hpp"
#include "core/text.hpp"
#include "core/validate.hpp"

namespace {

namespace api = socialgate::api;
namespace core = socialgate::core;
using core::Error;
using core::ErrorCode;
using core::MediaKind;
using core::OutboundMessage;
using core::TemplateContent;
using core::TemplateRequest;

// Longest error message accepted: quoted values are cut at 40 bytes (core::QuoteForMessage), so
// a message only grows with the digits of a list index.
constexpr std::size_t kMaxErrorMessageBytes = 512;

[[noreturn]] void Fail(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "template_request_fuzzer: %.*s: %.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void Check(bool ok, std::string_view what, std::string_view detail = {}) {
  if (!ok) Fail(what, detail);
}

// Small limits, so that the "over the limit" paths are reachable with small inputs.
core::ValidationContext MakeContext() {
  static const core::LanguageCatalog kLanguages = core::LanguageCatalog::Default();
  core::ValidationContext context;
  context.languages = &kLanguages;
  context.limits.max_image_bytes = 1024;
  context.limits.max_video_bytes = 2048;
  context.limits.max_document_bytes = 4096;
  return context;
}

bool IsValidUtf8(std::string_view s) { return core::Utf8Length(s).has_value(); }

// Code points of valid UTF-8: the bytes that are not continuation bytes.
std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

bool HasControlCharacter(std::string_view s) {
  for (const char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return true;
  }
  return false;
}

// The field an error message starts with: "bodyData[2]: ..." -> true. List entries carry their
// index; "body" is the whole request body.
bool NamesAField(std::string_view message) {
  const auto colon = message.find(": ");
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view field = message.substr(0, colon);
  bool indexed = false;
  if (field.back() == ']') {
    const auto open = field.find('[');
    if (open == std::string_view::npos || open + 2 >= field.size()) return false;
    for (const char c : field.substr(open + 1, field.size() - open - 2)) {
      if (c < '0' || c > '9') return false;
    }
    field = field.substr(0, open);
    indexed = true;
  }
  for (const std::string_view list : {"headerData", "bodyData", "dynamicUrl"}) {
    if (field == list) return true;
  }
  if (indexed) return false;
  for (const std::string_view name :
       {"body", "customerPhoneNumber", "servicePhoneNumber", "templateName", "language", "header",
        "header.type", "header.data", "header.documentType", "header.fileName"}) {
    if (field == name) return true;
  }
  return false;
}

void CheckError(const Error& error, ErrorCode expected_code, std::string_view stage) {
  Check(error.code == expected_code, stage, "unexpected error code for: " + error.message);
  const std::string_view m = error.message;
  Check(!m.empty(), stage, "empty error message");
  Check(m.size() <= kMaxErrorMessageBytes, stage, "error message too long: " + error.message);
  Check(IsValidUtf8(m), stage, "error message is not valid UTF-8");
  Check(!HasControlCharacter(m), stage, "control character in error message");
  Check(NamesAField(m), stage, "error message names no field: " + error.message);
}

void CheckStrings(const TemplateRequest& r) {
  std::vector<const std::string*> all = {&r.customer_phone_number, &r.service_phone_number,
                                         &r.template_name, &r.language};
  if (r.header) {
    for (const std::string* s :
         {&r.header->type, &r.header->data, &r.header->document_type, &r.header->file_name}) {
      all.push_back(s);
    }
  }
  for (const auto* list : {&r.header_data, &r.body_data, &r.dynamic_url}) {
    for (const std::string& s : *list) all.push_back(&s);
  }
  for (const std::string* s : all) {
    Check(IsValidUtf8(*s), "decode", "a decoded string is not valid UTF-8");
  }
}

bool IsE164Digits(std::string_view phone) {
  if (phone.size() < 3 || phone.size() > 15 || phone.front() == '0') return false;
  for (const char c : phone) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void CheckParameters(const std::vector<std::string>& params, std::size_t max_entries,
                     std::size_t max_chars, std::string_view list) {
  Check(params.size() <= max_entries, list, "too many entries");
  for (const std::string& p : params) {
    Check(!p.empty(), list, "empty parameter");
    Check(IsValidUtf8(p), list, "parameter is not valid UTF-8");
    Check(CodePoints(p) <= max_chars, list, "parameter too long");
    Check(!HasControlCharacter(p), list, "control character in a parameter");
    Check(p.find("     ") == std::string::npos, list, "more than 4 consecutive spaces");
  }
}

bool MimeFits(MediaKind kind, std::string_view mime, std::string_view document_type) {
  switch (kind) {
    case MediaKind::kImage:
      return (mime == "image/jpeg" && (document_type == "jpg" || document_type == "jpeg")) ||
             (mime == "image/png" && document_type == "png");
    case MediaKind::kVideo:
      return (mime == "video/mp4" && document_type == "mp4") ||
             (mime == "video/3gpp" && (document_type == "3gp" || document_type == "3gpp"));
    case MediaKind::kDocument:
      return mime == "application/pdf" && document_type == "pdf";
  }
  return false;
}

// The template content of an accepted message (a template request gives nothing else).
const TemplateContent& TemplateOf(const OutboundMessage& message, std::string_view what) {
  const auto* content = std::get_if<TemplateContent>(&message.content);
  if (content == nullptr) Fail(what, "a template request gave another kind of message");
  Check(core::MessageKindName(message.content) == "template", what, "kind name");
  return *content;
}

void CheckAccepted(const OutboundMessage& message, const TemplateRequest& request,
                   const core::ValidationContext& context) {
  Check(IsE164Digits(message.customer_phone), "accepted", "customer phone is not E.164 digits");
  Check(IsE164Digits(message.service_phone), "accepted", "service phone is not E.164 digits");
  const TemplateContent& m = TemplateOf(message, "accepted");

  Check(!m.template_name.empty() && m.template_name.size() <= core::kMaxTemplateNameChars,
        "accepted", "template name length");
  for (const char c : m.template_name) {
    Check((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_', "accepted",
          "template name character");
  }
  Check(m.template_name == request.template_name, "accepted", "template name changed");
  Check(context.languages->Contains(m.language) && m.language == request.language, "accepted",
        "language");

  CheckParameters(m.header_params, core::kMaxHeaderDataEntries, core::kMaxHeaderParameterChars,
                  "headerData");
  CheckParameters(m.body_params, core::kMaxBodyDataEntries, core::kMaxBodyParameterChars,
                  "bodyData");
  CheckParameters(m.url_params, core::kMaxDynamicUrlEntries, core::kMaxUrlSuffixChars,
                  "dynamicUrl");
  Check(m.header_params == request.header_data && m.body_params == request.body_data &&
            m.url_params == request.dynamic_url,
        "accepted", "parameters changed");

  Check(m.header.has_value() == request.header.has_value(), "accepted", "header presence");
  Check(core::MediaOf(message) == (m.header ? &*m.header : nullptr), "accepted", "media");
  if (!m.header) return;
  Check(m.header_params.empty(), "accepted", "media header with headerData");
  const core::MediaHeader& h = *m.header;
  const std::size_t limit = h.kind == MediaKind::kImage   ? context.limits.max_image_bytes
                            : h.kind == MediaKind::kVideo ? context.limits.max_video_bytes
                                                          : context.limits.max_document_bytes;
  Check(!h.bytes.empty() && h.bytes.size() <= limit, "accepted", "header size");
  Check(MimeFits(h.kind, h.mime_type, h.document_type), "accepted",
        "header kind, MIME type and documentType disagree: " + h.mime_type + " " + h.document_type);
  Check(!h.file_name.empty() && IsValidUtf8(h.file_name) &&
            CodePoints(h.file_name) <= core::kMaxFileNameChars,
        "accepted", "file name length");
  Check(!HasControlCharacter(h.file_name) && h.file_name.find_first_of("/\\") == std::string::npos,
        "accepted", "file name character");
  Check(h.file_name == request.header->file_name, "accepted", "file name changed");
}

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// The accepted message written back as a request must be accepted again, unchanged.
void CheckIdempotent(const OutboundMessage& message, const core::ValidationContext& context) {
  const TemplateContent& m = TemplateOf(message, "revalidate");
  TemplateRequest again;
  again.customer_phone_number = message.customer_phone;
  again.service_phone_number = message.service_phone;
  again.template_name = m.template_name;
  again.language = m.language;
  if (m.header) {
    again.header =
        core::RawMediaHeader{core::MediaKindName(m.header->kind), Base64(m.header->bytes),
                             m.header->document_type, m.header->file_name};
  }
  again.header_data = m.header_params;
  again.body_data = m.body_params;
  again.dynamic_url = m.url_params;
  auto second = core::ValidateTemplateRequest(std::move(again), context);
  if (!second) Fail("revalidate", "an accepted message was refused: " + second.error().message);
  Check(second->customer_phone == message.customer_phone &&
            second->service_phone == message.service_phone,
        "revalidate", "phone numbers are not stable under normalisation");
  if (m.header) {
    const TemplateContent& t = TemplateOf(*second, "revalidate");
    Check(t.header && t.header->bytes == m.header->bytes &&
              t.header->mime_type == m.header->mime_type &&
              t.header->document_type == m.header->document_type,
          "revalidate", "header changed");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const core::ValidationContext kContext = MakeContext();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto request = api::DecodeTemplateRequest(std::string(input));
  if (!request) {
    CheckError(request.error(), ErrorCode::kMalformed, "decode");
    return 0;
  }
  CheckStrings(*request);

  auto message = core::ValidateTemplateRequest(*request, kContext);
  if (!message) {
    CheckError(message.error(), ErrorCode::kInvalidArgument, "validate");
    return 0;
  }
  CheckAccepted(*message, *request, kContext);
  CheckIdempotent(*message, kContext);
  return 0;
}
