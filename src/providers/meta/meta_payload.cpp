#include "providers/meta/meta_payload.hpp"

#include <algorithm>

#include "util/json_writer.hpp"

namespace socialgate::providers::meta {
namespace {

using util::JsonWriter;

// Text parameters, each named by `names[i]` when the template's parameters are NAMED (a value
// beyond the template's names has no place in it and is not sent).
void WriteTextParameters(JsonWriter& w, const std::vector<std::string>& values,
                         const std::vector<std::string>* names) {
  const std::size_t count =
      names == nullptr ? values.size() : std::min(values.size(), names->size());
  w.Key("parameters").BeginArray();
  for (std::size_t i = 0; i < count; ++i) {
    w.BeginObject().Key("type").String("text").Key("text").String(values[i]);
    if (names != nullptr) w.Key("parameter_name").String((*names)[i]);
    w.EndObject();
  }
  w.EndArray();
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

// {"id": media_id} and, for a document, its file name, which the customer sees.
void WriteMediaObject(JsonWriter& w, const core::MediaHeader& media, std::string_view media_id) {
  w.BeginObject().Key("id").String(media_id);
  if (media.kind == core::MediaKind::kDocument) w.Key("filename").String(media.file_name);
  w.EndObject();
}

// The "type" and its object of a template message.
void WriteTemplate(JsonWriter& w, const core::TemplateContent& message, std::string_view media_id,
                   const templates::Template* shape) {
  using templates::HeaderFormat;
  const bool named =
      shape != nullptr && shape->parameter_format == templates::ParameterFormat::kNamed;
  const bool has_header = shape == nullptr || shape->header_format != HeaderFormat::kNone;
  const bool has_header_text = shape == nullptr || (shape->header_format == HeaderFormat::kText &&
                                                    shape->header_variables.count > 0);
  const bool has_body = shape == nullptr || shape->body_variables.count > 0;
  const bool media_header = message.header && has_header;
  const bool text_header = !media_header && !message.header_params.empty() && has_header_text;
  const bool body = !message.body_params.empty() && has_body;
  const auto indexes = UrlButtonIndexes(message.url_params.size(), shape);

  w.Key("type").String("template").Key("template").BeginObject();
  w.Key("name").String(message.template_name);
  w.Key("language").BeginObject();
  w.Key("code").String(message.language).Key("policy").String("deterministic");
  w.EndObject();
  // Components without parameters are left out, and with them "components" when none is left.
  if (media_header || text_header || body || !indexes.empty()) {
    w.Key("components").BeginArray();
    if (media_header) {
      const char* kind = core::MediaKindName(message.header->kind);
      w.BeginObject().Key("type").String("header").Key("parameters").BeginArray();
      w.BeginObject().Key("type").String(kind).Key(kind);
      WriteMediaObject(w, *message.header, media_id);
      w.EndObject().EndArray().EndObject();
    } else if (text_header) {
      w.BeginObject().Key("type").String("header");
      WriteTextParameters(w, message.header_params,
                          named ? &shape->header_variables.names : nullptr);
      w.EndObject();
    }
    if (body) {
      w.BeginObject().Key("type").String("body");
      WriteTextParameters(w, message.body_params, named ? &shape->body_variables.names : nullptr);
      w.EndObject();
    }
    // One component per dynamic URL button, in button order.
    for (std::size_t i = 0; i < indexes.size(); ++i) {
      w.BeginObject().Key("type").String("button").Key("sub_type").String("url");
      w.Key("index").String(std::to_string(indexes[i])).Key("parameters").BeginArray();
      w.BeginObject().Key("type").String("text").Key("text").String(message.url_params[i]);
      w.EndObject().EndArray().EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

// The "type" and its object of a free-form text: the text as given; no link preview (a link in
// a customer-service message is shown as written, never fetched by Meta).
void WriteText(JsonWriter& w, const core::TextContent& message) {
  w.Key("type").String("text").Key("text").BeginObject();
  w.Key("preview_url").Bool(false).Key("body").String(message.text);
  w.EndObject();
}

// The "type" and its object of a media message: the uploaded file by its id.
void WriteMedia(JsonWriter& w, const core::MediaContent& message, std::string_view media_id) {
  const char* kind = core::MediaKindName(message.media.kind);
  w.Key("type").String(kind).Key(kind);
  WriteMediaObject(w, message.media, media_id);
}

}  // namespace

std::string BuildPayload(const core::OutboundMessage& message, std::string_view media_id,
                         std::string_view message_id, const templates::Template* shape) {
  JsonWriter w;
  w.BeginObject();
  w.Key("messaging_product").String("whatsapp").Key("recipient_type").String("individual");
  w.Key("to").String("+" + message.customer_phone);
  std::visit(core::Overloaded{
                 [&](const core::TemplateContent& t) { WriteTemplate(w, t, media_id, shape); },
                 [&](const core::TextContent& t) { WriteText(w, t); },
                 [&](const core::MediaContent& m) { WriteMedia(w, m, media_id); }},
             message.content);
  if (!message_id.empty()) w.Key("biz_opaque_callback_data").String(message_id);
  w.EndObject();
  return w.Take();
}

}  // namespace socialgate::providers::meta
