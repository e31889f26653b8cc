#include "providers/meta/meta_payload.hpp"

#include <nlohmann/json.hpp>

namespace socialgate::providers::meta {
namespace {

using Json = nlohmann::ordered_json;

// The "type" and its object of a template message.
void AddTemplate(Json& body, const core::TemplateContent& message, std::string_view media_id) {
  Json components = Json::array();
  if (message.header) {
    const char* kind = core::MediaKindName(message.header->kind);
    Json media = {{"id", media_id}};
    if (message.header->kind == core::MediaKind::kDocument) {
      media["filename"] = message.header->file_name;
    }
    components.push_back(
        {{"type", "header"}, {"parameters", Json::array({{{"type", kind}, {kind, media}}})}});
  } else if (!message.header_params.empty()) {
    Json params = Json::array();
    for (const auto& p : message.header_params) params.push_back({{"type", "text"}, {"text", p}});
    components.push_back({{"type", "header"}, {"parameters", params}});
  }
  if (!message.body_params.empty()) {
    Json params = Json::array();
    for (const auto& p : message.body_params) params.push_back({{"type", "text"}, {"text", p}});
    components.push_back({{"type", "body"}, {"parameters", params}});
  }
  // One component per dynamic URL button, in button order. The contract's dynamicUrl carries
  // no button positions, so the i-th suffix goes to the button at index i.
  for (std::size_t i = 0; i < message.url_params.size(); ++i) {
    components.push_back(
        {{"type", "button"},
         {"sub_type", "url"},
         {"index", std::to_string(i)},
         {"parameters", Json::array({{{"type", "text"}, {"text", message.url_params[i]}}})}});
  }
  Json tmpl = {{"name", message.template_name},
               {"language", {{"code", message.language}, {"policy", "deterministic"}}}};
  if (!components.empty()) tmpl["components"] = std::move(components);
  body["type"] = "template";
  body["template"] = std::move(tmpl);
}

}  // namespace

std::string BuildPayload(const core::OutboundMessage& message, std::string_view media_id,
                         std::string_view message_id) {
  Json body = {{"messaging_product", "whatsapp"},
               {"recipient_type", "individual"},
               {"to", "+" + message.customer_phone}};
  std::visit(
      core::Overloaded{[&](const core::TemplateContent& t) { AddTemplate(body, t, media_id); }},
      message.content);
  if (!message_id.empty()) body["biz_opaque_callback_data"] = message_id;
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace socialgate::providers::meta
