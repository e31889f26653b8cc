#include "fake-graph/validate.hpp"

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/text.hpp"
#include "fake-graph/text_util.hpp"

namespace socialgate::fake_graph {

namespace {

using Json = nlohmann::json;

constexpr int kInvalidParameter = 100;
constexpr int kMediaUploadError = 131053;
constexpr std::size_t kMiB = 1024 * 1024;

tl::unexpected<Rejection> Reject(std::string details, int code = kInvalidParameter) {
  return tl::make_unexpected(Rejection{code, std::move(details)});
}

bool IsNonEmptyString(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() && !j[key].get_ref<const std::string&>().empty();
}

// Checks one component of template.components; "" when it is fine.
std::string CheckComponent(const Json& c, std::size_t i) {
  const std::string where = "template.components[" + std::to_string(i) + "]";
  if (!c.is_object()) return where + " must be an object";
  if (!IsNonEmptyString(c, "type")) return where + ".type is required";
  const auto& type = c["type"].get_ref<const std::string&>();
  if (type != "header" && type != "body" && type != "button") {
    return where + ".type must be header, body or button, not '" + type + "'";
  }
  if (type == "button") {
    if (!IsNonEmptyString(c, "sub_type")) return where + ".sub_type is required for a button";
    if (!c.contains("index") || !c["index"].is_string()) {
      return where + ".index is required for a button and must be a string";
    }
  }
  if (!c.contains("parameters")) return {};
  if (!c["parameters"].is_array()) return where + ".parameters must be an array";
  for (std::size_t k = 0; k < c["parameters"].size(); ++k) {
    const auto& p = c["parameters"][k];
    const std::string pwhere = where + ".parameters[" + std::to_string(k) + "]";
    if (!p.is_object() || !IsNonEmptyString(p, "type")) return pwhere + ".type is required";
    const auto& ptype = p["type"].get_ref<const std::string&>();
    if (ptype == "text" && !IsNonEmptyString(p, "text")) {
      return pwhere + ".text is required and must be a non-empty string";
    }
    if (ptype == "image" || ptype == "video" || ptype == "document") {
      if (!p.contains(ptype) || !p[ptype].is_object()) return pwhere + "." + ptype + " is required";
      const auto& media = p[ptype];
      const bool has_id = IsNonEmptyString(media, "id");
      const bool has_link = IsNonEmptyString(media, "link");
      if (has_id == has_link) return pwhere + "." + ptype + " needs exactly one of id and link";
    }
  }
  return {};
}

struct MediaLimit {
  std::string_view mime;
  std::size_t max_bytes;
};

// Meta's supported upload types and their size limits (reference section 2).
constexpr MediaLimit kMediaLimits[] = {
    {"image/jpeg", 5 * kMiB},
    {"image/png", 5 * kMiB},
    {"image/webp", 500 * 1024},
    {"video/mp4", 16 * kMiB},
    {"video/3gpp", 16 * kMiB},
    {"audio/aac", 16 * kMiB},
    {"audio/amr", 16 * kMiB},
    {"audio/mpeg", 16 * kMiB},
    {"audio/mp4", 16 * kMiB},
    {"audio/ogg", 16 * kMiB},
    {"text/plain", 100 * kMiB},
    {"application/pdf", 100 * kMiB},
    {"application/msword", 100 * kMiB},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", 100 * kMiB},
    {"application/vnd.ms-excel", 100 * kMiB},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 100 * kMiB},
    {"application/vnd.ms-powerpoint", 100 * kMiB},
    {"application/vnd.openxmlformats-officedocument.presentationml.presentation", 100 * kMiB},
};

}  // namespace

namespace {

// Which of `allowed` keys `object` may hold: the first other key, "" when none.
std::string UnknownKey(const Json& object, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (const std::string_view a : allowed) known = known || key == a;
    if (!known) return key;
  }
  return {};
}

// The text message's object: body (required, 1 to 4,096 characters) and preview_url.
std::string CheckText(const Json& body) {
  if (!body.contains("text") || !body["text"].is_object()) {
    return "text is required and must be an object";
  }
  const Json& text = body["text"];
  if (auto key = UnknownKey(text, {"body", "preview_url"}); !key.empty()) {
    return "text." + key + " is not a field of a text message";
  }
  if (!IsNonEmptyString(text, "body")) return "text.body is required and must be a string";
  if (core::Utf8Length(text["body"].get_ref<const std::string&>()).value_or(0) > 4096) {
    return "text.body is longer than 4096 characters";
  }
  if (text.contains("preview_url") && !text["preview_url"].is_boolean()) {
    return "text.preview_url must be a boolean";
  }
  return {};
}

// An image's or a document's object: exactly one of id and link (and a document's filename and
// caption).
std::string CheckMedia(const Json& body, const std::string& type) {
  if (!body.contains(type) || !body[type].is_object()) {
    return type + " is required and must be an object";
  }
  const Json& media = body[type];
  const bool document = type == "document";
  const auto key = document ? UnknownKey(media, {"id", "link", "filename", "caption"})
                            : UnknownKey(media, {"id", "link", "caption"});
  if (!key.empty()) return type + "." + key + " is not a field of an " + type + " message";
  if (IsNonEmptyString(media, "id") == IsNonEmptyString(media, "link")) {
    return type + " needs exactly one of id and link";
  }
  for (const char* text : {"filename", "caption"}) {
    if (media.contains(text) && !media[text].is_string()) {
      return type + "." + text + " must be a string";
    }
  }
  return {};
}

}  // namespace

tl::expected<MessageSend, Rejection> ValidateMessage(const nlohmann::json& body) {
  if (!body.is_object()) return Reject("the body must be a JSON object");
  if (!body.contains("messaging_product") || body["messaging_product"] != "whatsapp") {
    return Reject("messaging_product is required and must be \"whatsapp\"");
  }
  if (body.contains("recipient_type") && body["recipient_type"] != "individual") {
    return Reject("recipient_type must be \"individual\"");
  }
  if (!IsNonEmptyString(body, "to")) return Reject("to is required and must be a string");
  MessageSend send;
  send.to = body["to"].get<std::string>();
  send.to_digits = DigitsOf(send.to);
  if (send.to_digits.empty()) return Reject("to must be a phone number");
  if (body.contains("biz_opaque_callback_data")) {
    if (!body["biz_opaque_callback_data"].is_string()) {
      return Reject("biz_opaque_callback_data must be a string");
    }
    send.biz_opaque_callback_data = body["biz_opaque_callback_data"].get<std::string>();
  }
  send.type = IsNonEmptyString(body, "type") ? body["type"].get<std::string>() : "";
  if (send.type == "text") {
    if (auto problem = CheckText(body); !problem.empty()) return Reject(std::move(problem));
    return send;
  }
  if (send.type == "image" || send.type == "document") {
    if (auto problem = CheckMedia(body, send.type); !problem.empty()) {
      return Reject(std::move(problem));
    }
    return send;
  }
  if (send.type != "template") {
    return Reject(
        "type is required and must be template, text, image or document (this fake sends no "
        "other)");
  }
  if (!body.contains("template") || !body["template"].is_object()) {
    return Reject("template is required and must be an object");
  }
  const auto& tmpl = body["template"];
  if (!IsNonEmptyString(tmpl, "name")) return Reject("template.name is required");
  send.template_name = tmpl["name"].get<std::string>();
  if (!tmpl.contains("language") || !tmpl["language"].is_object() ||
      !IsNonEmptyString(tmpl["language"], "code")) {
    return Reject("template.language.code is required");
  }
  send.language = tmpl["language"]["code"].get<std::string>();
  if (tmpl["language"].contains("policy") && tmpl["language"]["policy"] != "deterministic") {
    return Reject("template.language.policy must be \"deterministic\"");
  }
  if (tmpl.contains("components")) {
    if (!tmpl["components"].is_array()) return Reject("template.components must be an array");
    for (std::size_t i = 0; i < tmpl["components"].size(); ++i) {
      auto problem = CheckComponent(tmpl["components"][i], i);
      if (!problem.empty()) return Reject(std::move(problem));
    }
  }
  return send;
}

tl::expected<MediaUpload, Rejection> ValidateMediaForm(const MultipartForm& form) {
  const auto* product = form.Find("messaging_product");
  if (product == nullptr || product->filename || product->data != "whatsapp") {
    return Reject("the form field messaging_product is required and must be \"whatsapp\"");
  }
  const auto* type = form.Find("type");
  if (type == nullptr || type->filename || type->data.empty()) {
    return Reject("the form field type (the file's MIME type) is required");
  }
  const auto* file = form.Find("file");
  if (file == nullptr) return Reject("the form part file is required");
  MediaUpload upload{core::AsciiLower(core::TrimAsciiWhitespace(type->data))};
  const MediaLimit* limit = nullptr;
  for (const auto& l : kMediaLimits) {
    if (l.mime == upload.mime_type) limit = &l;
  }
  if (limit == nullptr) {
    return Reject("Param file must be a file with one of the supported types; '" +
                  upload.mime_type + "' is not one");
  }
  if (file->data.empty()) return Reject("the file part is empty", kMediaUploadError);
  if (file->data.size() > limit->max_bytes) {
    return Reject("the file is " + std::to_string(file->data.size()) +
                      " bytes, over the limit of " + std::to_string(limit->max_bytes) +
                      " bytes for " + upload.mime_type,
                  kMediaUploadError);
  }
  return upload;
}

}  // namespace socialgate::fake_graph
