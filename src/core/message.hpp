// File: core/message.hpp
//
// The message model. A ...Request is one send endpoint's body as its API codec read it (shape
// checked, values not yet): TemplateRequest (sendExternalTemplateMessageToCtlivesocial),
// TextRequest (sendExternalMessageToCtlivesocial), MediaRequest
// (sendExternalMultimediaMessageToCtlivesocial). Its Validate...Request (core/validate.hpp)
// turns it into an OutboundMessage whose content is of its kind (TemplateContent, TextContent,
// MediaContent) and whose every value has passed its rule and is normalised (E.164 digits,
// decoded and sniffed media). Every layer past validation (store, dispatch, providers) takes an
// OutboundMessage, whatever its kind. Plain values, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace socialgate::core {

// The header object of the request, exactly as received (strings not yet checked).
struct RawMediaHeader {
  std::string type;           // "image" | "video" | "document", any case
  std::string data;           // standard base64, line breaks tolerated
  std::string document_type;  // the file extension, e.g. "pdf"
  std::string file_name;      // with extension
};

// The seed request body after the JSON codec checked presence and types.
struct TemplateRequest {
  std::string customer_phone_number;
  std::string service_phone_number;
  std::string template_name;
  std::string language;
  std::optional<RawMediaHeader> header;  // null in JSON
  std::vector<std::string> header_data;
  std::vector<std::string> body_data;
  std::vector<std::string> dynamic_url;
};

// The free-text endpoint's body after the JSON codec checked presence and types.
struct TextRequest {
  std::string customer_phone_number;
  std::string service_phone_number;
  std::string text;
};

// sendExternalTextMessageToActiveChat's body after the JSON codec checked presence and types:
// CTLive's other naming of the numbers (userid is the customer's, serviceid the business
// number).
struct ChatTextRequest {
  std::string userid;
  std::string serviceid;
  std::string text;
  std::string chatid;
};

// The multimedia endpoint's body after the JSON codec checked presence and types.
struct MediaRequest {
  std::string customer_phone_number;
  std::string service_phone_number;
  std::string document;      // the file, standard base64 (for images too, as CTLive names it)
  std::string message_type;  // "IMAGE" | "DOCUMENT" as CTLive writes them; any case accepted
  std::string file_name;     // with the extension, which must agree with the bytes
};

enum class MediaKind { kImage, kVideo, kDocument };

// "image" | "video" | "document": the name used in JSON, the store and Meta's payload.
const char* MediaKindName(MediaKind kind);
// The kind MediaKindName names; nullopt for any other name.
std::optional<MediaKind> ParseMediaKind(std::string_view name);

// Decoded, sniffed media: a template's media header, or a media message's file.
struct MediaHeader {
  MediaKind kind = MediaKind::kDocument;
  std::string mime_type;      // as sniffed, e.g. "application/pdf"
  std::string document_type;  // lower-case extension, e.g. "pdf"
  std::string file_name;
  std::string bytes;  // decoded content
};

// A validated template message's content: the template, its language and its parameters.
struct TemplateContent {
  static constexpr std::string_view kKind = "template";  // see MessageKindName
  std::string template_name;
  std::string language;
  std::optional<MediaHeader> header;
  std::vector<std::string> header_params;
  std::vector<std::string> body_params;
  std::vector<std::string> url_params;
};

// A validated free-form text message: 1 to kMaxTextChars characters of valid UTF-8, no control
// character but newline and tab (core/validate.hpp). WhatsApp delivers it only inside the
// customer-service window.
struct TextContent {
  static constexpr std::string_view kKind = "text";  // see MessageKindName
  std::string text;
};

// A validated media message: an image (JPEG, PNG) or a document (PDF), decoded and sniffed as
// a template's media header is; never a video (CTLive's endpoint has IMAGE and DOCUMENT only).
// Its file name is the one the customer sees.
struct MediaContent {
  static constexpr std::string_view kKind = "media";  // see MessageKindName
  MediaHeader media;
};

// What an outbound message says, one alternative per kind. A new kind is a struct with its own
// kKind, and then every std::visit over MessageContent (one Overloaded lambda per kind, never a
// catch-all branch) fails to compile until it handles the new kind.
// The places to touch are listed in docs/architecture.md ("Adding a message kind").
using MessageContent = std::variant<TemplateContent, TextContent, MediaContent>;

// A validated outbound message of any kind, ready to store and send.
struct OutboundMessage {
  std::string customer_phone;  // E.164 digits without '+', e.g. "393403603062"
  std::string service_phone;   // E.164 digits without '+'
  MessageContent content;
  // A send into a named chat (sendExternalTextMessageToActiveChat): the chat, which must be the
  // active chat of these numbers when the message is accepted; "" for any other send. Not
  // stored: the stored message's chat is the one it joined.
  std::string chat_id;
};

// std::visit(Overloaded{[](const TemplateContent&) {...}, ...}, content): one lambda per kind.
template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

// The kind's name: "template", "text" or "media" (its kKind). For logs, the store's `kind`
// column and answers that name a kind (a provider that cannot send it); stable.
std::string_view MessageKindName(const MessageContent& content);

// What a log line names the message by: a template's name, "text", or a media message's kind
// ("image", "document"). Never the message's text or file name.
std::string_view MessageLogLabel(const MessageContent& content);

// The media the message carries, if any: a template's media header, a media message's file
// (always present). The store keeps its bytes
// apart from the message, and dispatch loads them only for a send that uploads them (a claimed
// message's header has empty bytes). nullptr when the message carries no media.
const MediaHeader* MediaOf(const OutboundMessage& message);
MediaHeader* MediaOf(OutboundMessage& message);

}  // namespace socialgate::core
