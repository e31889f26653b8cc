// File: fake-graph/inbound_message.hpp
//
// A customer's message that a test makes the fake post (POST /_fake/inbound): the control
// body it comes in, and Meta's `messages` webhook that carries it (developers.facebook.com/docs/
// whatsapp/cloud-api/webhooks/reference/messages; ../shared/reference/meta-cloud-api.md section
// 5). The body, compact JSON in this order:
//   {"object":"whatsapp_business_account","entry":[{"id":"<WABA>","changes":[{"value":{
//     "messaging_product":"whatsapp","metadata":{"display_phone_number":"1555...",
//     "phone_number_id":"..."},"contacts":[{"profile":{"name":"Mario"},"wa_id":"<from>"}],
//     "messages":[{"from":"<from>","id":"<wamid>","timestamp":"<unix s>","type":"<type>",
//     "<type>":{...},"context":{"from":"<display number>","id":"<context_id>"}}]},
//     "field":"messages"}]}]}
// The type's object, by type:
//   text         {"body":text}
//   image, video {"caption":text (when not empty),"mime_type","sha256","id"}
//   document     {"caption":text (when not empty),"filename","mime_type","sha256","id"}
//   audio        {"mime_type","sha256","id","voice":false}
//   sticker      {"mime_type","sha256","id","animated":false}
//   location     {"address" (when given),"latitude","longitude","name":text (when not empty)}
//   button       {"payload","text"}
//   interactive  {"type":"button_reply"|"list_reply","<that type>":{"id":reply_id,"title":text}}
//   reaction     {"message_id":context_id,"emoji":text} (and no "context")
//   unsupported  no object; "errors":[{"code":131051,"title":"Message type unknown",...}]
// "sha256" is the standard base64 of the media's SHA-256, as Meta's webhooks give it; "context"
// is there only with a context_id.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace socialgate::fake_graph {

inline constexpr std::size_t kMaxInboundTextBytes = 65536;

// The media of an image, video, audio, document or sticker.
struct InboundMedia {
  std::string mime_type;  // 1 to 128 printable ASCII characters
  std::string file_name;  // documents: "file" when not given
  std::string bytes;      // decoded from bytes_base64, not empty
};

// The control body: {"phone_number_id","from","name"?,"type","text"?,"context_id"?,
// "timestamp"?,"media"?{"mime_type","file_name"?,"bytes_base64"},"payload"?,"reply_id"?,
// "interactive_type"?,"latitude"?,"longitude"?,"address"?}.
struct InboundMessage {
  std::string phone_number_id;  // 1 to 64 digits
  std::string from;             // 7 to 15 digits
  std::string name = "Fake Customer";
  // text, image, video, audio, document, sticker, location, button, interactive, reaction or
  // unsupported
  std::string type;
  // text: required, the body; button, interactive: required, the label; reaction: required,
  // the emoji ("" takes a reaction back); image, video, document: the caption; location: the
  // name. At most kMaxInboundTextBytes. Refused for audio, sticker and unsupported.
  std::string text;
  std::string context_id;                 // the wamid replied to; required for a reaction
  std::optional<std::int64_t> timestamp;  // Unix seconds; the time of posting when absent
  std::optional<InboundMedia> media;      // required for the media types, refused for the others
  std::string payload;                    // button: the button's payload (default: text)
  std::string reply_id = "reply-1";       // interactive: the reply's id
  std::string interactive_type = "button_reply";  // or "list_reply"
  double latitude = 0;                            // location: required
  double longitude = 0;                           // location: required
  std::string address;                            // location: optional
};

bool IsMediaType(std::string_view type);  // image, video, audio, document, sticker

// The control body, checked; the error is one sentence naming the field.
tl::expected<InboundMessage, std::string> ParseInboundMessage(std::string_view body);

// What the webhook says beyond the message.
struct InboundEvent {
  std::string waba_id;  // entry[].id
  std::string wamid;    // messages[].id
  std::int64_t timestamp = 0;
  std::string media_id;      // the media types: the id the media is kept under
  std::string media_sha256;  // the media types: Sha256Base64 of its bytes
};

// The webhook body (see above). Strings that are not valid UTF-8 are replaced, not thrown.
std::string InboundWebhookBody(const InboundMessage& message, const InboundEvent& event);

}  // namespace socialgate::fake_graph
