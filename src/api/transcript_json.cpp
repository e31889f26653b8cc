#include "api/transcript_json.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <variant>

#include "util/ids.hpp"

namespace socialgate::api {
namespace {

using Json = nlohmann::ordered_json;

// "pdf" from "application/pdf", "jpeg" from "image/jpeg": CTLive's documentType.
std::string DocumentType(std::string_view mime_type) {
  const auto slash = mime_type.find('/');
  std::string_view sub = slash == std::string_view::npos ? mime_type : mime_type.substr(slash + 1);
  sub = sub.substr(0, sub.find(';'));
  return std::string(sub);
}

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

struct Entry {
  std::int64_t ts = 0;
  int order = 0;  // inbound first at the same time: the customer wrote, the agent answered
  Json message;
};

Json InboundMessage(const store::ChatRecord& chat, const store::InboundRecord& m) {
  Json content = Json::object();
  const bool media = !m.media_id.empty();
  if (media) {
    if (!m.text.empty()) content["caption"] = m.text;
    content["fileName"] = m.file_name;
    content["mimeType"] = m.mime_type;
    content["documentType"] = DocumentType(m.mime_type);
  } else if (!m.text.empty()) {
    content["text"] = m.text;
  }
  if (m.type != "text" && !media && !m.payload.empty()) {
    Json payload = Json::parse(m.payload, nullptr, /*allow_exceptions=*/false);
    if (!payload.is_discarded()) content["payload"] = std::move(payload);
  }
  content["user"] = {{"id", m.customer_phone}, {"isAgent", false}, {"nickname", m.customer_name}};
  Json data = {{"id", m.id},
               {"messageType", m.type == "button" ? std::string("QUICK_REPLY") : Upper(m.type)},
               {"ts", m.at_ms},
               {"deliverySuccess", true},
               {"deliveryErrorReason", ""},
               {"replyTo", m.context_id.empty() ? Json(nullptr) : Json(m.context_id)},
               {"content", std::move(content)}};
  return {{"room", chat.id}, {"_id", m.id}, {"data", std::move(data)}};
}

Json OutboundMessage(const store::ChatRecord& chat, const store::StoredMessage& m) {
  Json content = Json::object();
  std::string type;
  std::visit(core::Overloaded{[&](const core::TemplateContent& t) {
                                type = "TEMPLATE";
                                content["templateName"] = t.template_name;
                                content["language"] = t.language;
                                content["headerData"] = t.header_params;
                                content["bodyData"] = t.body_params;
                                content["dynamicUrl"] = t.url_params;
                              },
                              [&](const core::TextContent& t) {
                                type = "TEXT";
                                content["text"] = t.text;
                              },
                              [&](const core::MediaContent& c) {
                                type =
                                    c.media.kind == core::MediaKind::kImage ? "IMAGE" : "DOCUMENT";
                                content["fileName"] = c.media.file_name;
                                content["mimeType"] = c.media.mime_type;
                                content["documentType"] = c.media.document_type;
                              }},
             m.message.content);
  content["user"] = {{"id", m.message.service_phone}, {"isAgent", true}, {"nickname", ""}};
  using core::MessageStatus;
  const bool with_provider =
      m.status == MessageStatus::kAccepted || m.status == MessageStatus::kSent ||
      m.status == MessageStatus::kDelivered || m.status == MessageStatus::kRead;
  Json data = {{"id", m.id},
               {"messageType", type},
               {"ts", m.created_at_ms},
               {"deliverySuccess", with_provider},
               {"deliveryErrorReason", m.error_message},
               {"replyTo", nullptr},
               {"content", std::move(content)},
               {"status", core::MessageStatusName(m.status)}};
  return {{"room", chat.id}, {"_id", m.id}, {"data", std::move(data)}};
}

}  // namespace

Json TranscriptJson(const store::ChatRecord& chat, const std::vector<store::InboundRecord>& inbound,
                    const std::vector<store::StoredMessage>& outbound, bool truncated) {
  std::vector<Entry> entries;
  entries.reserve(inbound.size() + outbound.size());
  for (const auto& m : inbound) entries.push_back({m.at_ms, 0, InboundMessage(chat, m)});
  for (const auto& m : outbound) entries.push_back({m.created_at_ms, 1, OutboundMessage(chat, m)});
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.ts != b.ts ? a.ts < b.ts : a.order < b.order;
  });
  Json messages = Json::array();
  for (auto& e : entries) messages.push_back(std::move(e.message));
  return {
      {"_id", chat.id},
      {"room", chat.id},
      {"ctlive_type", "chat"},
      {"isChatActive", chat.active()},
      {"customerPhoneNumber", chat.customer_phone},
      {"servicePhoneNumber", chat.service_phone},
      {"openedAt", util::FormatUtcMillis(chat.opened_at_ms)},
      {"endedAt", chat.active() ? Json(nullptr) : Json(util::FormatUtcMillis(chat.ended_at_ms))},
      {"endReason", chat.active() ? Json(nullptr) : Json(chat.end_reason)},
      {"truncated", truncated},
      {"messages", std::move(messages)}};
}

}  // namespace socialgate::api
