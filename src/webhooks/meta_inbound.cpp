// The customers' messages of a Meta callback (`value.messages`) into store::InboundRecord, as
// meta_notification.hpp's NotifiedInbound states field by field. Meta's shapes:
// developers.facebook.com/docs/whatsapp/cloud-api/webhooks/reference/messages and the
// IncomingMessage schemas of ../shared/meta-openapi/business-messaging-api_v23.0.yaml.
#include <cstdio>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/text.hpp"
#include "webhooks/notification_reading.hpp"

namespace socialgate::webhooks::reading {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Shared contacts named in a contacts message's summary; the rest are counted.
constexpr std::size_t kMaxSummarisedContacts = 10;
constexpr std::size_t kMaxSummaryBytes = 512;

// Meta's `from`: the digits of an E.164 number (country code first, at most 15 digits).
bool IsCustomerPhone(std::string_view s) {
  if (s.size() < 7 || s.size() > 15 || s.front() == '0') return false;
  return s.find_first_not_of("0123456789") == std::string_view::npos;
}

// A message type's name as Meta writes them: text, button, user_changed_number, ...
bool IsTypeName(std::string_view s) {
  if (s.empty() || s.size() > kMaxTypeBytes) return false;
  for (const char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// A mime type with its parameters ("audio/ogg; codecs=opus"): printable ASCII and spaces.
bool IsMimeType(std::string_view s) {
  if (s.empty() || s.size() > kMaxMimeTypeBytes) return false;
  for (const char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// The profile names of value.contacts by wa_id (views into the parsed body).
using Names = std::unordered_map<std::string_view, std::string_view>;

Names ReadNames(const object& value) {
  Names names;
  array contacts;
  if (value["contacts"].get_array().get(contacts) != simdjson::SUCCESS) return names;
  for (const element contact_value : contacts) {
    if (names.size() >= kMaxInboundPerNotification) break;
    object contact;
    object profile;
    std::string_view wa_id;
    std::string_view name;
    if (contact_value.get_object().get(contact) == simdjson::SUCCESS &&
        contact["wa_id"].get_string().get(wa_id) == simdjson::SUCCESS &&
        contact["profile"].get_object().get(profile) == simdjson::SUCCESS &&
        profile["name"].get_string().get(name) == simdjson::SUCCESS) {
      names.emplace(wa_id, name);
    }
  }
  return names;
}

// One message being read: where it is (for the notes) and what is kept of it.
struct Reading {
  const object& message;
  const std::string& where;  // "entry[0].changes[0].value.messages[3]"
  Notes& notes;
  store::InboundRecord& record;

  // `value` (found at `where`.`field`) as the message's text, cut with a note when longer.
  void SetText(std::string_view value, const char* field) {
    bool cut = false;
    record.text = core::MessageText(value, kMaxInboundTextChars, &cut);
    if (cut) {
      notes.Add(where + "." + field + " is longer than " + std::to_string(kMaxInboundTextChars) +
                " characters: cut");
    }
  }

  // The string member `key` of `o` (at `where`.`field`) as the text, when it is a string.
  void TextFrom(const object& o, const char* key, const std::string& field) {
    if (const auto value = StringMember(o, key)) SetText(*value, field.c_str());
  }

  // A wamid this message refers to (at `where`.`field`), into context_id.
  void SetContext(std::optional<std::string_view> id, const char* field) {
    if (id && IsPlainId(*id, kMaxIdBytes)) {
      record.context_id = std::string(*id);
    } else {
      notes.Add(where + "." + field + " is missing or not a message id");
    }
  }
};

// image, video, audio, document, sticker: {id, mime_type, sha256, caption?, filename?}.
void ReadMedia(const object& media, Reading& r) {
  const std::string at = r.record.type;
  const auto id = StringMember(media, "id");
  if (id && IsPlainId(*id, kMaxIdBytes)) {
    r.record.media_id = std::string(*id);
  } else {
    r.notes.Add(r.where + "." + at + ".id is missing or not a media id: no media kept");
  }
  if (const auto mime = StringMember(media, "mime_type")) {
    if (IsMimeType(*mime)) {
      r.record.mime_type = std::string(*mime);
    } else {
      r.notes.Add(r.where + "." + at + ".mime_type is not a mime type of at most " +
                  std::to_string(kMaxMimeTypeBytes) + " printable characters");
    }
  }
  if (const auto file_name = StringMember(media, "filename")) {
    // A name, never a path, whatever a later reader does with it.
    r.record.file_name = core::OneLine(*file_name, kMaxFileNameBytes);
    for (char& c : r.record.file_name) c = c == '/' || c == '\\' ? '_' : c;
  }
  if (at != "audio") r.TextFrom(media, "caption", at + ".caption");
}

// interactive: {type: button_reply|list_reply|nfm_reply, <type>: {id, title, ...}}.
void ReadInteractive(const object& interactive, Reading& r) {
  const auto kind = StringMember(interactive, "type");
  object reply;
  if (!kind || (*kind != "button_reply" && *kind != "list_reply" && *kind != "nfm_reply") ||
      interactive[*kind].get_object().get(reply) != simdjson::SUCCESS) {
    return r.notes.Add(r.where + ".interactive is not a button, list or flow reply: no text");
  }
  const std::string field = "interactive." + std::string(*kind);
  if (*kind == "nfm_reply") return r.TextFrom(reply, "body", field + ".body");
  r.TextFrom(reply, "title", field + ".title");
}

// location: "name, address", or its coordinates when it has neither.
void ReadLocation(const object& location, Reading& r) {
  const std::string_view name = StringMember(location, "name").value_or("");
  const std::string_view address = StringMember(location, "address").value_or("");
  if (!name.empty() || !address.empty()) {
    std::string text(name);
    if (!name.empty() && !address.empty()) text += ", ";
    text += address;
    return r.SetText(text, "location");
  }
  double latitude = 0;
  double longitude = 0;
  if (location["latitude"].get_double().get(latitude) == simdjson::SUCCESS &&
      location["longitude"].get_double().get(longitude) == simdjson::SUCCESS && latitude >= -90 &&
      latitude <= 90 && longitude >= -180 && longitude <= 180) {
    char coordinates[64];
    std::snprintf(coordinates, sizeof coordinates, "%.6f, %.6f", latitude, longitude);
    r.record.text = coordinates;
  }
}

// contacts: [{name: {formatted_name, first_name, last_name}, phones: [{phone}]}, ...] as
// "Lucía Gómez (+1 983 555 2319); Barbara Johnson", one line.
void ReadContacts(const array& contacts, Reading& r) {
  std::string summary;
  std::size_t count = 0;
  for (const element value : contacts) {
    if (++count > kMaxSummarisedContacts) continue;
    object contact;
    if (value.get_object().get(contact) != simdjson::SUCCESS) continue;
    std::string name;
    object name_object;
    if (contact["name"].get_object().get(name_object) == simdjson::SUCCESS) {
      name = ShortText(name_object, "formatted_name", 128);
      if (name.empty()) {
        name = ShortText(name_object, "first_name", 64);
        const std::string last = ShortText(name_object, "last_name", 64);
        if (!last.empty()) name += (name.empty() ? "" : " ") + last;
      }
    }
    array phones;
    object first_phone;
    std::string phone;
    if (contact["phones"].get_array().get(phones) == simdjson::SUCCESS &&
        phones.at(0).get_object().get(first_phone) == simdjson::SUCCESS) {
      phone = ShortText(first_phone, "phone", 64);
    }
    if (name.empty() && phone.empty()) name = "a contact";
    if (!summary.empty()) summary += "; ";
    summary += name;
    if (!phone.empty()) summary += (name.empty() ? "" : " (") + phone + (name.empty() ? "" : ")");
  }
  if (count > kMaxSummarisedContacts) {
    summary += "; and " + std::to_string(count - kMaxSummarisedContacts) + " more";
  }
  r.record.text = core::OneLine(summary, kMaxSummaryBytes);
}

// unsupported, unknown: the title of the message's first error ("Message type unknown").
void ReadUnsupported(Reading& r) {
  array errors;
  object first;
  if (r.message["errors"].get_array().get(errors) == simdjson::SUCCESS &&
      errors.at(0).get_object().get(first) == simdjson::SUCCESS) {
    r.record.text = ShortText(first, "title", kMaxDetailBytes);
  }
}

// What the type's own object says: text, media and the message it refers to.
void ReadTypeObject(Reading& r) {
  const std::string& type = r.record.type;
  object o;
  const bool has_object = r.message[type].get_object().get(o) == simdjson::SUCCESS;
  if (type == "text") {
    const auto body = has_object ? StringMember(o, "body") : std::nullopt;
    if (!body) return r.notes.Add(r.where + ".text.body is missing or not a string");
    return r.SetText(*body, "text.body");
  }
  if (type == "image" || type == "video" || type == "audio" || type == "document" ||
      type == "sticker") {
    if (!has_object) return r.notes.Add(r.where + "." + type + " is not an object: no media kept");
    return ReadMedia(o, r);
  }
  if (type == "contacts") {
    array contacts;
    if (r.message["contacts"].get_array().get(contacts) == simdjson::SUCCESS) {
      ReadContacts(contacts, r);
    }
    return;
  }
  if (type == "unsupported" || type == "unknown") return ReadUnsupported(r);
  if (!has_object) return;
  if (type == "button") return r.TextFrom(o, "text", "button.text");
  if (type == "interactive") return ReadInteractive(o, r);
  if (type == "location") return ReadLocation(o, r);
  if (type == "system") return r.TextFrom(o, "body", "system.body");
  if (type == "reaction") {
    r.SetContext(StringMember(o, "message_id"), "reaction.message_id");
    // An empty emoji is Meta's way of saying the reaction was removed.
    return r.TextFrom(o, "emoji", "reaction.emoji");
  }
}

// The message's object of its type, minified, when within its bound.
void ReadPayload(Reading& r) {
  element value;
  if (r.message[r.record.type].get(value) != simdjson::SUCCESS) return;
  std::string json = simdjson::minify(value);
  if (json.size() > kMaxInboundPayloadBytes) {
    return r.notes.Add(r.where + "." + r.record.type + " is " + std::to_string(json.size()) +
                       " bytes as JSON, more than " + std::to_string(kMaxInboundPayloadBytes) +
                       ": not kept");
  }
  r.record.payload = std::move(json);
}

void ReadMessage(const element& value, const std::string& where, std::string_view phone_number_id,
                 const Names& names, MetaNotification& out, Notes& notes) {
  object message;
  if (value.get_object().get(message) != simdjson::SUCCESS) {
    return notes.Add(where + " is not an object");
  }
  const auto id = StringMember(message, "id");
  if (!id || !IsPlainId(*id, kMaxIdBytes)) {
    return notes.Add(where + ".id is missing or not an id of at most " +
                     std::to_string(kMaxIdBytes) + " printable characters: message left out");
  }
  const auto from = StringMember(message, "from");
  if (!from || !IsCustomerPhone(*from)) {
    return notes.Add(where + ".from is missing or not a phone number (7 to 15 digits): message " +
                     "left out");
  }
  const auto seconds = Seconds(message, "timestamp");
  if (!seconds) {
    return notes.Add(where + ".timestamp is missing or not Unix seconds: message left out");
  }
  NotifiedInbound notified;
  notified.phone_number_id = std::string(phone_number_id);
  store::InboundRecord& record = notified.record;
  record.id = std::string(*id);
  record.customer_phone = std::string(*from);
  record.at_ms = *seconds * 1000;
  if (const auto name = names.find(*from); name != names.end()) {
    record.customer_name = core::OneLine(name->second, kMaxNameBytes);
  }
  const auto type = StringMember(message, "type");
  const bool named = type && IsTypeName(*type);
  if (named) {
    record.type = std::string(*type);
  } else {
    record.type = "unknown";
    notes.Add(where + ".type is missing or not a type name: kept as \"unknown\"");
  }
  Reading reading{message, where, notes, record};
  ReadTypeObject(reading);
  object context;
  if (record.context_id.empty() &&
      message["context"].get_object().get(context) == simdjson::SUCCESS) {
    reading.SetContext(StringMember(context, "id"), "context.id");
  }
  // A type that was no name has no object of its own to keep.
  if (named) ReadPayload(reading);
  out.inbound.push_back(std::move(notified));
}

}  // namespace

void ReadInboundMessages(const object& value, const std::string& where,
                         std::string_view phone_number_id, MetaNotification& out, Notes& notes) {
  array messages;
  if (value["messages"].get_array().get(messages) != simdjson::SUCCESS) return;
  const Names names = ReadNames(value);
  std::size_t i = 0;
  for (const element message : messages) {
    if (out.inbound.size() >= kMaxInboundPerNotification) {
      return notes.Add("messages beyond the first " + std::to_string(kMaxInboundPerNotification) +
                       " are not read");
    }
    ReadMessage(message, where + ".messages[" + std::to_string(i++) + "]", phone_number_id, names,
                out, notes);
  }
}

}  // namespace socialgate::webhooks::reading
