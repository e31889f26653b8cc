#include "fake-graph/inbound_message.hpp"

#include <array>
#include <utility>

#include <nlohmann/json.hpp>

#include "fake-graph/text_util.hpp"
#include "fake-graph/webhook_body.hpp"
#include "util/json_nesting.hpp"

namespace socialgate::fake_graph {

namespace {

using Json = nlohmann::json;
using OJson = nlohmann::ordered_json;

constexpr int kMaxDepth = 16;
constexpr std::int64_t kMaxUnixSeconds = 253'402'300'799;  // the end of year 9999
constexpr std::array<std::string_view, 11> kTypes = {
    "text",     "image",  "video",       "audio",    "document",   "sticker",
    "location", "button", "interactive", "reaction", "unsupported"};
constexpr std::array<std::string_view, 14> kFields = {
    "phone_number_id",  "from",      "name",      "type",    "text",
    "context_id",       "timestamp", "media",     "payload", "reply_id",
    "interactive_type", "latitude",  "longitude", "address"};

using Problem = std::optional<std::string>;

bool AllDigits(std::string_view s, std::size_t min, std::size_t max) {
  return s.size() >= min && s.size() <= max &&
         s.find_first_not_of("0123456789") == std::string_view::npos;
}

// The string member `name` of `j` into `out` when present; a sentence when not a string of at
// most `max` bytes (or empty when `allow_empty` is false).
Problem StringField(const Json& j, const char* name, std::string& out, std::size_t max,
                    bool allow_empty = false) {
  const auto it = j.find(name);
  if (it == j.end()) return std::nullopt;
  if (!it->is_string() || it->get_ref<const std::string&>().size() > max ||
      (!allow_empty && it->get_ref<const std::string&>().empty())) {
    return std::string(name) + " must be a " + (allow_empty ? "" : "non-empty ") +
           "string of at most " + std::to_string(max) + " bytes";
  }
  out = it->get<std::string>();
  return std::nullopt;
}

Problem ReadMedia(const Json& j, InboundMessage& m) {
  const auto it = j.find("media");
  if (!IsMediaType(m.type)) {
    return it == j.end() ? Problem() : "media is for image, video, audio, document and sticker";
  }
  if (it == j.end() || !it->is_object()) {
    return "media {\"mime_type\",\"file_name\",\"bytes_base64\"} is required for a " + m.type;
  }
  for (const auto& [key, value] : it->items()) {
    if (key != "mime_type" && key != "file_name" && key != "bytes_base64") {
      return "media: unknown field '" + key + "' (mime_type, file_name and bytes_base64 are taken)";
    }
  }
  InboundMedia media;
  if (!it->contains("mime_type")) return std::string("media.mime_type is required");
  if (auto p = StringField(*it, "mime_type", media.mime_type, 128)) return "media." + *p;
  for (const char c : media.mime_type) {
    if (c < 0x20 || c > 0x7e) return std::string("media.mime_type must be printable ASCII");
  }
  media.file_name = m.type == "document" ? "file" : "";
  if (auto p = StringField(*it, "file_name", media.file_name, 256)) return "media." + *p;
  std::string base64;
  if (!it->contains("bytes_base64")) return std::string("media.bytes_base64 is required");
  if (auto p = StringField(*it, "bytes_base64", base64, 64 * 1024 * 1024)) return "media." + *p;
  auto bytes = Base64Decode(base64);
  if (!bytes || bytes->empty()) {
    return std::string("media.bytes_base64 must be standard base64 of at least one byte");
  }
  media.bytes = std::move(*bytes);
  m.media = std::move(media);
  return std::nullopt;
}

// What each type needs, and refuses, of the optional fields.
Problem CheckByType(const Json& j, InboundMessage& m) {
  const bool labelled = m.type == "text" || m.type == "button" || m.type == "interactive";
  if ((labelled || m.type == "reaction") && !j.contains("text")) {
    return "text is required for a " + m.type;
  }
  if ((m.type == "audio" || m.type == "sticker" || m.type == "unsupported") && j.contains("text")) {
    return "text is not taken for a " + m.type;
  }
  if (labelled && m.text.empty()) return "text must not be empty for a " + m.type;
  if (m.type == "reaction" && m.context_id.empty()) {
    return std::string("context_id (the wamid reacted to) is required for a reaction");
  }
  const auto only_for = [&](const char* field, std::string_view type) -> Problem {
    if (j.contains(field) && m.type != type) {
      return std::string(field) + " is for a " + std::string(type) + " only";
    }
    return std::nullopt;
  };
  for (const auto& [field, type] :
       std::array<std::pair<const char*, const char*>, 6>{{{"payload", "button"},
                                                           {"reply_id", "interactive"},
                                                           {"interactive_type", "interactive"},
                                                           {"latitude", "location"},
                                                           {"longitude", "location"},
                                                           {"address", "location"}}}) {
    if (auto p = only_for(field, type)) return p;
  }
  if (m.type == "button") {
    m.payload = m.text;
    if (auto p = StringField(j, "payload", m.payload, 256)) return p;
  }
  if (m.type == "interactive") {
    if (auto p = StringField(j, "reply_id", m.reply_id, 256)) return p;
    if (auto p = StringField(j, "interactive_type", m.interactive_type, 32)) return p;
    if (m.interactive_type != "button_reply" && m.interactive_type != "list_reply") {
      return std::string("interactive_type must be \"button_reply\" or \"list_reply\"");
    }
  }
  if (m.type == "location") {
    const auto lat = j.find("latitude");
    const auto lon = j.find("longitude");
    if (lat == j.end() || !lat->is_number() || lon == j.end() || !lon->is_number()) {
      return std::string("latitude and longitude (numbers) are required for a location");
    }
    m.latitude = lat->get<double>();
    m.longitude = lon->get<double>();
    if (m.latitude < -90 || m.latitude > 90 || m.longitude < -180 || m.longitude > 180) {
      return std::string("latitude must be within -90..90 and longitude within -180..180");
    }
    if (auto p = StringField(j, "address", m.address, 1024)) return p;
  }
  return ReadMedia(j, m);
}

}  // namespace

bool IsMediaType(std::string_view type) {
  return type == "image" || type == "video" || type == "audio" || type == "document" ||
         type == "sticker";
}

tl::expected<InboundMessage, std::string> ParseInboundMessage(std::string_view body) {
  const auto fail = [](std::string sentence) { return tl::make_unexpected(std::move(sentence)); };
  if (!util::JsonNestingWithin(body, kMaxDepth)) {
    return fail("the body nests deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  const Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return fail("the body must be a JSON object");
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const auto field : kFields) known = known || key == field;
    if (!known) return fail("unknown field '" + key + "'");
  }
  InboundMessage m;
  if (!j.contains("phone_number_id")) return fail("phone_number_id is required");
  if (auto p = StringField(j, "phone_number_id", m.phone_number_id, 64)) return fail(*p);
  if (!AllDigits(m.phone_number_id, 1, 64)) return fail("phone_number_id must be digits");
  if (!j.contains("from")) return fail("from is required");
  if (auto p = StringField(j, "from", m.from, 15)) return fail(*p);
  if (!AllDigits(m.from, 7, 15) || m.from.front() == '0') {
    return fail("from must be 7 to 15 digits, country code first (393403603062)");
  }
  if (auto p = StringField(j, "name", m.name, 256)) return fail(*p);
  if (!j.contains("type")) return fail("type is required");
  if (auto p = StringField(j, "type", m.type, 32)) return fail(*p);
  bool known_type = false;
  for (const auto type : kTypes) known_type = known_type || m.type == type;
  if (!known_type) {
    return fail(
        "type must be text, image, video, audio, document, sticker, location, button, "
        "interactive, reaction or unsupported");
  }
  if (auto p = StringField(j, "text", m.text, kMaxInboundTextBytes, true)) return fail(*p);
  if (auto p = StringField(j, "context_id", m.context_id, 256)) return fail(*p);
  if (const auto it = j.find("timestamp"); it != j.end()) {
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() > kMaxUnixSeconds) {
      return fail("timestamp must be Unix seconds (an integer from 0)");
    }
    m.timestamp = static_cast<std::int64_t>(it->get<std::uint64_t>());
  }
  if (auto p = CheckByType(j, m)) return fail(*p);
  return m;
}

std::string InboundWebhookBody(const InboundMessage& m, const InboundEvent& event) {
  const std::string display = DisplayPhoneNumber(m.phone_number_id);
  OJson message;
  message["from"] = m.from;
  message["id"] = event.wamid;
  message["timestamp"] = std::to_string(event.timestamp);
  message["type"] = m.type;
  OJson object;
  if (m.type == "text") {
    object["body"] = m.text;
  } else if (IsMediaType(m.type)) {
    if (!m.text.empty()) object["caption"] = m.text;
    if (m.type == "document") object["filename"] = m.media ? m.media->file_name : "file";
    object["mime_type"] = m.media ? m.media->mime_type : "";
    object["sha256"] = event.media_sha256;
    object["id"] = event.media_id;
    if (m.type == "audio") object["voice"] = false;
    if (m.type == "sticker") object["animated"] = false;
  } else if (m.type == "location") {
    if (!m.address.empty()) object["address"] = m.address;
    object["latitude"] = m.latitude;
    object["longitude"] = m.longitude;
    if (!m.text.empty()) object["name"] = m.text;
  } else if (m.type == "button") {
    object = {{"payload", m.payload}, {"text", m.text}};
  } else if (m.type == "interactive") {
    object = {{"type", m.interactive_type},
              {m.interactive_type, OJson{{"id", m.reply_id}, {"title", m.text}}}};
  } else if (m.type == "reaction") {
    object = {{"message_id", m.context_id}, {"emoji", m.text}};
  }
  if (m.type == "unsupported") {
    message["errors"] = OJson::array(
        {OJson{{"code", 131051},
               {"title", "Message type unknown"},
               {"message", "Message type unknown"},
               {"error_data", OJson{{"details", "Message type is currently not supported."}}}}});
  } else {
    message[m.type] = std::move(object);
  }
  if (!m.context_id.empty() && m.type != "reaction") {
    message["context"] = OJson{{"from", display}, {"id", m.context_id}};
  }
  OJson value;
  value["messaging_product"] = "whatsapp";
  value["metadata"] =
      OJson{{"display_phone_number", display}, {"phone_number_id", m.phone_number_id}};
  value["contacts"] =
      OJson::array({OJson{{"profile", OJson{{"name", m.name}}}, {"wa_id", m.from}}});
  value["messages"] = OJson::array({std::move(message)});
  OJson change;
  change["value"] = std::move(value);
  change["field"] = "messages";
  OJson entry;
  entry["id"] = event.waba_id;
  entry["changes"] = OJson::array({std::move(change)});
  OJson body;
  body["object"] = "whatsapp_business_account";
  body["entry"] = OJson::array({std::move(entry)});
  return body.dump(-1, ' ', false, OJson::error_handler_t::replace);
}

}  // namespace socialgate::fake_graph
