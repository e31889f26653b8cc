#include "webhooks/meta_notification.hpp"

#include <cstdint>
#include <optional>

#include <simdjson.h>

#include "core/text.hpp"
#include "webhooks/notification_reading.hpp"

namespace socialgate::webhooks {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

namespace reading {

std::optional<std::int64_t> Seconds(const object& o, const char* key) {
  element value;
  if (o[key].get(value) != simdjson::SUCCESS) return std::nullopt;
  std::int64_t seconds = -1;
  if (value.is_int64()) {
    seconds = value.get_int64().value_unsafe();
  } else if (value.is_string()) {
    const std::string_view digits = value.get_string().value_unsafe();
    if (digits.empty() || digits.size() > 12) return std::nullopt;
    seconds = 0;
    for (const char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      seconds = seconds * 10 + (c - '0');
    }
  }
  if (seconds < 0 || seconds > 253'402'300'799) return std::nullopt;  // up to year 9999
  return seconds;
}

std::string ShortText(const object& o, const char* key, std::size_t max) {
  const auto value = StringMember(o, key);
  return value ? core::OneLine(*value, max) : std::string();
}

}  // namespace reading

namespace {

using reading::IsPlainId;
using reading::Notes;
using reading::Seconds;
using reading::ShortText;
using reading::StringMember;

std::optional<core::MessageStatus> TrackedStatus(std::string_view name) {
  if (name == "sent") return core::MessageStatus::kSent;
  if (name == "delivered") return core::MessageStatus::kDelivered;
  if (name == "read") return core::MessageStatus::kRead;
  if (name == "failed") return core::MessageStatus::kFailed;
  return std::nullopt;
}

// The first of `errors[]`: its code, and one sentence of its title, message and details.
void ReadError(const object& status, store::StatusReport& report) {
  array errors;
  object first;
  if (status["errors"].get_array().get(errors) != simdjson::SUCCESS ||
      errors.at(0).get_object().get(first) != simdjson::SUCCESS) {
    report.detail = "the provider reported the message failed, without a reason";
    return;
  }
  std::int64_t code = 0;
  if (first["code"].get_int64().get(code) == simdjson::SUCCESS) {
    report.error_code = std::to_string(code);
  }
  const std::string title = ShortText(first, "title", 256);
  const std::string message = ShortText(first, "message", 512);
  std::string details;
  object data;
  if (first["error_data"].get_object().get(data) == simdjson::SUCCESS) {
    details = ShortText(data, "details", 512);
  }
  std::string sentence = !title.empty() ? title : message;
  if (!message.empty() && message != title) sentence += (sentence.empty() ? "" : ": ") + message;
  if (!details.empty() && details != message) {
    sentence += (sentence.empty() ? "" : " (") + details + (sentence.empty() ? "" : ")");
  }
  if (sentence.empty()) sentence = "the provider reported the message failed";
  report.detail = core::OneLine(sentence, kMaxDetailBytes);
}

void ReadPricing(const object& status, store::StatusReport& report) {
  object pricing;
  if (status["pricing"].get_object().get(pricing) == simdjson::SUCCESS) {
    store::Pricing p;
    bool billable = false;
    if (pricing["billable"].get_bool().get(billable) == simdjson::SUCCESS) p.billable = billable;
    p.category = ShortText(pricing, "category", 64);
    p.pricing_model = ShortText(pricing, "pricing_model", 64);
    p.type = ShortText(pricing, "type", 64);
    report.pricing = std::move(p);
  }
  object conversation;
  if (status["conversation"].get_object().get(conversation) == simdjson::SUCCESS) {
    store::Conversation c;
    const auto id = StringMember(conversation, "id");
    if (id && IsPlainId(*id, kMaxIdBytes)) c.id = std::string(*id);
    if (const auto expires = Seconds(conversation, "expiration_timestamp")) {
      c.expires_at_ms = *expires * 1000;
    }
    object origin;
    if (conversation["origin"].get_object().get(origin) == simdjson::SUCCESS) {
      c.origin_type = ShortText(origin, "type", 64);
    }
    if (!c.id.empty()) report.conversation = std::move(c);
  }
}

// One entry of `statuses`, at `where` (for the notes).
void ReadStatus(const element& value, const std::string& where, std::string_view phone_number_id,
                MetaNotification& out, Notes& notes) {
  object status;
  if (value.get_object().get(status) != simdjson::SUCCESS) {
    return notes.Add(where + " is not an object");
  }
  const auto id = StringMember(status, "id");
  if (!id || !IsPlainId(*id, kMaxIdBytes)) {
    return notes.Add(where + ".id is missing or not an id of at most " +
                     std::to_string(kMaxIdBytes) + " printable characters");
  }
  const auto name = StringMember(status, "status");
  const auto tracked = name ? TrackedStatus(*name) : std::nullopt;
  if (!tracked) {
    return notes.Add(where + ".status " +
                     (name ? core::QuoteForMessage(*name) : std::string("(missing)")) +
                     " is not a status the gateway tracks");
  }
  const auto seconds = Seconds(status, "timestamp");
  if (!seconds) return notes.Add(where + ".timestamp is missing or not Unix seconds");
  NotifiedStatus notified;
  notified.phone_number_id = std::string(phone_number_id);
  store::StatusReport& report = notified.report;
  report.provider_message_id = std::string(*id);
  report.status = *tracked;
  report.at_ms = *seconds * 1000;
  // The gateway's own message id, as it sent it; anything else is not ours and is not matched.
  const auto opaque = StringMember(status, "biz_opaque_callback_data");
  if (opaque && IsPlainId(*opaque, kMaxOpaqueBytes)) report.message_id = std::string(*opaque);
  if (*tracked == core::MessageStatus::kFailed) ReadError(status, report);
  ReadPricing(status, report);
  out.statuses.push_back(std::move(notified));
}

// A template status change of WhatsApp Business Account `account`.
void ReadTemplateStatus(const object& change, const std::string& where, std::string_view account,
                        MetaNotification& out, Notes& notes) {
  object value;
  if (change["value"].get_object().get(value) != simdjson::SUCCESS) {
    return notes.Add(where + ".value is not an object");
  }
  if (!IsPlainId(account, kMaxIdBytes)) return notes.Add(where + ": the entry has no id");
  if (out.template_statuses.size() >= kMaxTemplateStatusesPerNotification) {
    return notes.Add(where + ": template statuses beyond the first " +
                     std::to_string(kMaxTemplateStatusesPerNotification) + " are not read");
  }
  TemplateStatusUpdate update;
  update.account = std::string(account);
  // Meta sends the id as a JSON number; a string of digits is taken too.
  std::uint64_t numeric_id = 0;
  std::string_view text_id;
  if (value["message_template_id"].get_uint64().get(numeric_id) == simdjson::SUCCESS) {
    update.template_id = std::to_string(numeric_id);
  } else if (value["message_template_id"].get_string().get(text_id) == simdjson::SUCCESS &&
             !text_id.empty() && text_id.size() <= 64 &&
             text_id.find_first_not_of("0123456789") == std::string_view::npos) {
    update.template_id = std::string(text_id);
  }
  const auto name = StringMember(value, "message_template_name");
  const auto language = StringMember(value, "message_template_language");
  const auto event = StringMember(value, "event");
  if (!event || !IsPlainId(*event, 64)) {
    return notes.Add(where + ".value.event is missing or not a status");
  }
  if (name && IsPlainId(*name, 512)) update.name = std::string(*name);
  if (language && IsPlainId(*language, 16)) update.language = std::string(*language);
  // Meta has written languages both ways (en_US, en-US); the catalog's are en_US.
  for (char& c : update.language) c = c == '-' ? '_' : c;
  if (update.template_id.empty() && (update.name.empty() || update.language.empty())) {
    return notes.Add(where + ".value names no template (no message_template_id, name or language)");
  }
  if (*event == "FLAGGED") {
    // Its quality dropped: a warning before a pause, not a change of its status.
    return notes.Add(where +
                     ": FLAGGED (the template's quality dropped) leaves its status as it is");
  }
  // A paused or disabled template given back is approved again.
  update.status = *event == "REINSTATED" ? std::string("APPROVED") : std::string(*event);
  const auto reason = StringMember(value, "reason");
  if (reason && *reason != "NONE" && !reason->empty()) {
    update.reason = core::OneLine(*reason, 256);
  }
  out.template_statuses.push_back(std::move(update));
}

void ReadChange(const element& value, const std::string& where, std::string_view account,
                MetaNotification& out, Notes& notes) {
  object change;
  if (value.get_object().get(change) != simdjson::SUCCESS) {
    return notes.Add(where + " is not an object");
  }
  const auto field = StringMember(change, "field");
  if (field && *field == "message_template_status_update") {
    return ReadTemplateStatus(change, where, account, out, notes);
  }
  if (!field || *field != "messages") {
    return notes.Add(where + ".field " +
                     (field ? core::QuoteForMessage(*field) : std::string("(missing)")) +
                     " is not one the gateway takes");
  }
  object change_value;
  if (change["value"].get_object().get(change_value) != simdjson::SUCCESS) {
    return notes.Add(where + ".value is not an object");
  }
  object metadata;
  std::string_view phone_number_id;
  if (change_value["metadata"].get_object().get(metadata) != simdjson::SUCCESS ||
      metadata["phone_number_id"].get_string().get(phone_number_id) != simdjson::SUCCESS ||
      !IsPlainId(phone_number_id, kMaxIdBytes)) {
    return notes.Add(where + ".value.metadata.phone_number_id is missing or not an id");
  }
  array statuses;
  if (change_value["statuses"].get_array().get(statuses) == simdjson::SUCCESS) {
    std::size_t i = 0;
    for (const element status : statuses) {
      if (out.statuses.size() >= kMaxStatusesPerNotification) {
        return notes.Add("statuses beyond the first " +
                         std::to_string(kMaxStatusesPerNotification) + " are not read");
      }
      ReadStatus(status, where + ".value.statuses[" + std::to_string(i++) + "]", phone_number_id,
                 out, notes);
    }
  }
  reading::ReadInboundMessages(change_value, where + ".value", phone_number_id, out, notes);
  array errors;
  if (change_value["errors"].get_array().get(errors) == simdjson::SUCCESS && errors.size() > 0) {
    notes.Add(where + ".value.errors: " + std::to_string(errors.size()) + " errors reported");
  }
}

}  // namespace

MetaNotification ParseMetaNotification(std::string_view body) {
  MetaNotification out;
  Notes notes(out.ignored);
  if (body.size() > kMaxNotificationBytes) {
    notes.Add("the body is " + std::to_string(body.size()) + " bytes, more than " +
              std::to_string(kMaxNotificationBytes));
    return out;
  }
  // One parser per thread, its buffers sized once for the largest body and depth.
  thread_local simdjson::dom::parser parser;
  thread_local const simdjson::error_code allocated =
      parser.allocate(kMaxNotificationBytes, kMaxNotificationDepth);
  if (allocated != simdjson::SUCCESS) {
    notes.Add(std::string("the body could not be read: ") + simdjson::error_message(allocated));
    return out;
  }
  element root;
  if (const auto error = parser.parse(body.data(), body.size()).get(root);
      error != simdjson::SUCCESS) {
    notes.Add(std::string("the body is not JSON within ") + std::to_string(kMaxNotificationDepth) +
              " levels (" + simdjson::error_message(error) + ")");
    return out;
  }
  object top;
  if (root.get_object().get(top) != simdjson::SUCCESS) {
    notes.Add("the body is not a JSON object");
    return out;
  }
  const auto object_name = StringMember(top, "object");
  if (!object_name || *object_name != "whatsapp_business_account") {
    notes.Add("object is not \"whatsapp_business_account\"");
    return out;
  }
  array entries;
  if (top["entry"].get_array().get(entries) != simdjson::SUCCESS) {
    notes.Add("entry is missing or not an array");
    return out;
  }
  std::size_t e = 0;
  for (const element entry_value : entries) {
    const std::string where = "entry[" + std::to_string(e++) + "]";
    object entry;
    array changes;
    if (entry_value.get_object().get(entry) != simdjson::SUCCESS ||
        entry["changes"].get_array().get(changes) != simdjson::SUCCESS) {
      notes.Add(where + ".changes is missing or not an array");
      continue;
    }
    const std::string_view account = StringMember(entry, "id").value_or("");
    std::size_t c = 0;
    for (const element change : changes) {
      ReadChange(change, where + ".changes[" + std::to_string(c++) + "]", account, out, notes);
    }
  }
  return out;
}

}  // namespace socialgate::webhooks
