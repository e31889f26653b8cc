// File: tests/fuzz/message_request_fuzzer.cpp
//
// The free-text, chat-text and media send endpoints' bodies, as a client could write them: the
// input's first byte picks the endpoint ('c': sendExternalTextMessageToActiveChat,
// api::DecodeChatTextRequest then core::ValidateChatTextRequest; otherwise even:
// sendExternalMessageToCtlivesocial, api::DecodeTextRequest then core::ValidateTextRequest; odd:
// sendExternalMultimediaMessageToCtlivesocial, api::DecodeMediaRequest then
// core::ValidateMediaRequest), the rest is the body. Beyond "no
// crash, leak or undefined behaviour" (the sanitizers), it checks what the API promises:
//   - a refusal is kMalformed (decoding) or kInvalidArgument (a rule), never kInternal, with a
//     short one-line message of valid UTF-8 that starts with the field it is about;
//   - every decoded string is valid UTF-8;
//   - an accepted chat text is a text with its chat id, 1 to 256 printable ASCII characters;
//   - an accepted text keeps its rules (1 to 4,096 code points, no control character but
//     newline and tab, not only whitespace) and is the request's text unchanged;
//   - an accepted media message is an image (JPEG, PNG) or a PDF document within its limit, its
//     MIME type, extension and kind agreeing, its file name the request's;
//   - validating an accepted message again as a request gives the same message.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include <sodium.h>

#include "api/chat_text_codec.hpp"
#include "api/media_codec.hpp"
#include "api/text_codec.hpp"
#include "core/media.hpp"
#include "core/message.hpp"
#include "core/text.hpp"
#include "core/validate.hpp"

namespace {

namespace api = socialgate::api;
namespace core = socialgate::core;
using core::Error;
using core::ErrorCode;
using core::MediaKind;
using core::OutboundMessage;

constexpr std::size_t kMaxErrorMessageBytes = 512;

[[noreturn]] void Fail(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "message_request_fuzzer: %.*s: %.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void Check(bool ok, std::string_view what, std::string_view detail = {}) {
  if (!ok) Fail(what, detail);
}

// Small limits, so that the "over the limit" paths are reachable with small inputs.
core::ValidationContext MakeContext() {
  core::ValidationContext context;
  context.limits.max_image_bytes = 1024;
  context.limits.max_video_bytes = 2048;
  context.limits.max_document_bytes = 4096;
  return context;
}

bool IsValidUtf8(std::string_view s) { return core::Utf8Length(s).has_value(); }

bool HasControlByte(std::string_view s) {
  for (const char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return true;
  }
  return false;
}

bool NamesAField(std::string_view message, bool media) {
  const auto colon = message.find(": ");
  if (colon == std::string_view::npos) return false;
  const std::string_view field = message.substr(0, colon);
  for (const std::string_view name :
       {"body", "customerPhoneNumber", "servicePhoneNumber", "userid", "serviceid", "chatid"}) {
    if (field == name) return true;
  }
  if (!media) return field == "text";
  return field == "document" || field == "messageType" || field == "fileName";
}

void CheckError(const Error& error, ErrorCode expected_code, std::string_view stage, bool media) {
  Check(error.code == expected_code, stage, "unexpected error code for: " + error.message);
  const std::string_view m = error.message;
  Check(!m.empty() && m.size() <= kMaxErrorMessageBytes, stage, "error length: " + error.message);
  Check(IsValidUtf8(m), stage, "error message is not valid UTF-8");
  Check(!HasControlByte(m), stage, "control character in error message");
  Check(NamesAField(m, media), stage, "error message names no field: " + error.message);
}

bool IsE164Digits(std::string_view phone) {
  if (phone.size() < 3 || phone.size() > 15 || phone.front() == '0') return false;
  for (const char c : phone) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void CheckNumbers(const OutboundMessage& message) {
  Check(IsE164Digits(message.customer_phone), "accepted", "customer phone is not E.164 digits");
  Check(IsE164Digits(message.service_phone), "accepted", "service phone is not E.164 digits");
}

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

void FuzzText(std::string body, const core::ValidationContext& context) {
  auto request = api::DecodeTextRequest(std::move(body));
  if (!request) return CheckError(request.error(), ErrorCode::kMalformed, "decode text", false);
  for (const std::string* s :
       {&request->customer_phone_number, &request->service_phone_number, &request->text}) {
    Check(IsValidUtf8(*s), "decode text", "a decoded string is not valid UTF-8");
  }
  auto message = core::ValidateTextRequest(*request, context);
  if (!message) {
    return CheckError(message.error(), ErrorCode::kInvalidArgument, "validate text", false);
  }
  CheckNumbers(*message);
  const auto* text = std::get_if<core::TextContent>(&message->content);
  if (text == nullptr) Fail("accepted text", "a text request gave another kind");
  Check(core::MessageKindName(message->content) == "text", "accepted text", "kind name");
  Check(core::MediaOf(*message) == nullptr, "accepted text", "a text carries media");
  Check(text->text == request->text, "accepted text", "the text changed");
  const auto length = core::Utf8Length(text->text);
  Check(length && *length >= 1 && *length <= core::kMaxTextChars, "accepted text", "length");
  bool only_space = true;
  for (const char c : text->text) {
    const auto byte = static_cast<unsigned char>(c);
    Check(!((byte < 0x20 && c != '\n' && c != '\t') || byte == 0x7F), "accepted text",
          "control character");
    only_space = only_space && (c == ' ' || c == '\n' || c == '\t');
  }
  Check(!only_space, "accepted text", "only whitespace");
  // Again, from the message: the same message.
  core::TextRequest again{message->customer_phone, message->service_phone, text->text};
  auto second = core::ValidateTextRequest(std::move(again), context);
  if (!second) Fail("revalidate text", second.error().message);
  Check(second->customer_phone == message->customer_phone &&
            second->service_phone == message->service_phone &&
            std::get<core::TextContent>(second->content).text == text->text,
        "revalidate text", "not stable");
}

bool MimeFits(MediaKind kind, std::string_view mime, std::string_view extension) {
  switch (kind) {
    case MediaKind::kImage:
      return (mime == "image/jpeg" && (extension == "jpg" || extension == "jpeg")) ||
             (mime == "image/png" && extension == "png");
    case MediaKind::kDocument:
      return mime == "application/pdf" && extension == "pdf";
    case MediaKind::kVideo:
      return false;  // a media message has no video
  }
  return false;
}

void FuzzMedia(std::string body, const core::ValidationContext& context) {
  auto request = api::DecodeMediaRequest(std::move(body));
  if (!request) return CheckError(request.error(), ErrorCode::kMalformed, "decode media", true);
  for (const std::string* s : {&request->customer_phone_number, &request->service_phone_number,
                               &request->document, &request->message_type, &request->file_name}) {
    Check(IsValidUtf8(*s), "decode media", "a decoded string is not valid UTF-8");
  }
  auto message = core::ValidateMediaRequest(*request, context);
  if (!message) {
    return CheckError(message.error(), ErrorCode::kInvalidArgument, "validate media", true);
  }
  CheckNumbers(*message);
  const auto* content = std::get_if<core::MediaContent>(&message->content);
  if (content == nullptr) Fail("accepted media", "a media request gave another kind");
  const core::MediaHeader& media = content->media;
  Check(core::MediaOf(*message) == &media, "accepted media", "MediaOf");
  Check(core::MessageKindName(message->content) == "media", "accepted media", "kind name");
  Check(core::EqualsIgnoringAsciiCase(request->message_type, core::MediaKindName(media.kind)),
        "accepted media", "kind is not messageType");
  const std::size_t limit = media.kind == MediaKind::kImage ? context.limits.max_image_bytes
                                                            : context.limits.max_document_bytes;
  Check(!media.bytes.empty() && media.bytes.size() <= limit, "accepted media", "size");
  Check(MimeFits(media.kind, media.mime_type, media.document_type), "accepted media",
        "kind, MIME type and extension disagree: " + media.mime_type + " " + media.document_type);
  Check(media.file_name == request->file_name, "accepted media", "file name changed");
  Check(!HasControlByte(media.file_name) &&
            media.file_name.find_first_of("/\\") == std::string::npos &&
            core::Utf8Length(media.file_name).value_or(0) <= core::kMaxFileNameChars,
        "accepted media", "file name rules");
  // Again, from the message: the same message.
  core::MediaRequest again{message->customer_phone, message->service_phone, Base64(media.bytes),
                           media.kind == MediaKind::kImage ? "IMAGE" : "DOCUMENT", media.file_name};
  auto second = core::ValidateMediaRequest(again, context);
  if (!second)
    Fail("revalidate media", "an accepted message was refused: " + second.error().message);
  const auto& m2 = std::get<core::MediaContent>(second->content).media;
  Check(m2.kind == media.kind && m2.bytes == media.bytes && m2.mime_type == media.mime_type &&
            m2.document_type == media.document_type && m2.file_name == media.file_name,
        "revalidate media", "not stable");
}

}  // namespace

void FuzzChatText(std::string body, const core::ValidationContext& context) {
  auto request = api::DecodeChatTextRequest(std::move(body));
  if (!request) return CheckError(request.error(), ErrorCode::kMalformed, "decode chat", false);
  for (const std::string* s :
       {&request->userid, &request->serviceid, &request->text, &request->chatid}) {
    Check(IsValidUtf8(*s), "decode chat", "a decoded string is not valid UTF-8");
  }
  auto message = core::ValidateChatTextRequest(*request, context);
  if (!message) {
    return CheckError(message.error(), ErrorCode::kInvalidArgument, "validate chat", false);
  }
  CheckNumbers(*message);
  const auto* text = std::get_if<core::TextContent>(&message->content);
  if (text == nullptr) Fail("accepted chat", "a chat text request gave another kind");
  Check(text->text == request->text, "accepted chat", "the text changed");
  Check(message->chat_id == request->chatid, "accepted chat", "the chat id changed");
  Check(!message->chat_id.empty() && message->chat_id.size() <= core::kMaxChatIdLength,
        "accepted chat", "chat id length");
  for (const char c : message->chat_id) {
    Check(c > 0x20 && c < 0x7f, "accepted chat", "chat id is not printable ASCII");
  }
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const core::ValidationContext kContext = MakeContext();
  if (size == 0) return 0;
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] == 'c') {
    FuzzChatText(std::move(body), kContext);
  } else if ((data[0] & 1) == 0) {
    FuzzText(std::move(body), kContext);
  } else {
    FuzzMedia(std::move(body), kContext);
  }
  return 0;
}
