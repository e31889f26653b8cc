#include "providers/meta/meta_payload.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace socialgate::providers::meta {
namespace {

using OrderedJson = nlohmann::ordered_json;

// Text parameters, each named by `names[i]` when the template's parameters are NAMED (a value
// beyond the template's names has no place in it and is not sent).
OrderedJson TextParameters(const std::vector<std::string>& values, const std::vector<std::string>* names) {
  OrderedJson params = OrderedJson::array();
  const std::size_t count =
      names == nullptr ? values.size() : std::min(values.size(), names->size());
  for (std::size_t i = 0; i < count; ++i) {
    OrderedJson p = {{"type", "text"}, {"text", values[i]}};
    if (names != nullptr) p["parameter_name"] = (*names)[i];
    params.push_back(std::move(p));
  }
  return params;
}

// The button index of each dynamicUrl value: the positions of the template's buttons whose URL
// ends in a variable, or 0, 1, ... without the template.
std::vector<std::size_t> UrlButtonIndexes(std::size_t values, const templates::Template* shape) {
  std::vector<std::size_t> indexes;
  if (shape == nullptr) {
    for (std::size_t i = 0; i < values; ++i) indexes.push_back(i);
    return indexes;
  }
  for (std::size_t i = 0; i < shape->buttons.size() && indexes.size() < values; ++i) {
    if (shape->buttons[i].url_variable) indexes.push_back(i);
  }
  return indexes;  // a value beyond the template's URL variables has no button: not sent
}

// The "type" and its object of a template message.
void AddTemplate(OrderedJson& body, const core::TemplateContent& message, std::string_view media_id,
                 const templates::Template* shape) {
  using templates::HeaderFormat;
  const bool named =
      shape != nullptr && shape->parameter_format == templates::ParameterFormat::kNamed;
  const bool has_header = shape == nullptr || shape->header_format != HeaderFormat::kNone;
  const bool has_header_text = shape == nullptr || (shape->header_format == HeaderFormat::kText &&
                                                    shape->header_variables.count > 0);
  const bool has_body = shape == nullptr || shape->body_variables.count > 0;
  OrderedJson components = OrderedJson::array();
  if (message.header && has_header) {
    const char* kind = core::MediaKindName(message.header->kind);
    OrderedJson media = {{"id", media_id}};
    if (message.header->kind == core::MediaKind::kDocument) {
      media["filename"] = message.header->file_name;
    }
    components.push_back(
        {{"type", "header"}, {"parameters", OrderedJson::array({{{"type", kind}, {kind, media}}})}});
  } else if (!message.header_params.empty() && has_header_text) {
    components.push_back(
        {{"type", "header"},
         {"parameters", TextParameters(message.header_params,
                                       named ? &shape->header_variables.names : nullptr)}});
  }
  if (!message.body_params.empty() && has_body) {
    components.push_back(
        {{"type", "body"},
         {"parameters",
          TextParameters(message.body_params, named ? &shape->body_variables.names : nullptr)}});
  }
  // One component per dynamic URL button, in button order.
  const auto indexes = UrlButtonIndexes(message.url_params.size(), shape);
  for (std::size_t i = 0; i < indexes.size(); ++i) {
    components.push_back(
        {{"type", "button"},
         {"sub_type", "url"},
         {"index", std::to_string(indexes[i])},
         {"parameters", OrderedJson::array({{{"type", "text"}, {"text", message.url_params[i]}}})}});
  }
  OrderedJson tmpl = {{"name", message.template_name},
               {"language", {{"code", message.language}, {"policy", "deterministic"}}}};
  if (!components.empty()) tmpl["components"] = std::move(components);
  body["type"] = "template";
  body["template"] = std::move(tmpl);
}

// The "type" and its object of a free-form text: the text as given; no link preview (a link in
// a customer-service message is shown as written, never fetched by Meta).
void AddText(OrderedJson& body, const core::TextContent& message) {
  body["type"] = "text";
  body["text"] = {{"preview_url", false}, {"body", message.text}};
}

// The "type" and its object of a media message: the uploaded file by its id; a document also
// carries its file name, which the customer sees.
void AddMedia(OrderedJson& body, const core::MediaContent& message, std::string_view media_id) {
  const char* kind = core::MediaKindName(message.media.kind);
  OrderedJson media = {{"id", media_id}};
  if (message.media.kind == core::MediaKind::kDocument) {
    media["filename"] = message.media.file_name;
  }
  body["type"] = kind;
  body[kind] = std::move(media);
}

}  // namespace

std::string BuildPayload(const core::OutboundMessage& message, std::string_view media_id,
                         std::string_view message_id, const templates::Template* shape) {
  OrderedJson body = {{"messaging_product", "whatsapp"},
               {"recipient_type", "individual"},
               {"to", "+" + message.customer_phone}};
  std::visit(core::Overloaded{
                 [&](const core::TemplateContent& t) { AddTemplate(body, t, media_id, shape); },
                 [&](const core::TextContent& t) { AddText(body, t); },
                 [&](const core::MediaContent& m) { AddMedia(body, m, media_id); }},
             message.content);
  if (!message_id.empty()) body["biz_opaque_callback_data"] = message_id;
  return body.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

}  // namespace socialgate::providers::meta
