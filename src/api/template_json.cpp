#include "api/template_json.hpp"

#include "util/ids.hpp"

namespace socialgate::api {
namespace {

using Json = nlohmann::ordered_json;

Json Parameters(Json part, const templates::Variables& v, bool named) {
  part["parameters"] = v.count;
  if (named) part["parameterNames"] = v.names;
  return part;
}

}  // namespace

Json TemplateJson(const templates::Template& t, const std::string& account,
                  const std::vector<std::string>& numbers, std::int64_t synced_at_ms) {
  using templates::HeaderFormat;
  const bool named = t.parameter_format == templates::ParameterFormat::kNamed;
  Json j;
  j["name"] = t.name;
  j["language"] = t.language;
  j["status"] = t.status;
  j["statusReason"] = t.status_reason.empty() ? Json(nullptr) : Json(t.status_reason);
  j["category"] = t.category;
  j["parameterFormat"] = named ? "NAMED" : "POSITIONAL";
  j["account"] = account;
  j["servicePhoneNumbers"] = numbers;
  j["synchronisedAt"] = util::FormatUtcMillis(synced_at_ms);
  if (t.header_format == HeaderFormat::kNone) {
    j["header"] = nullptr;
  } else {
    Json header = {{"format", templates::HeaderFormatName(t.header_format)}};
    if (t.header_format == HeaderFormat::kText) {
      header["text"] = t.header_text;
      header = Parameters(std::move(header), t.header_variables, named);
    }
    j["header"] = std::move(header);
  }
  j["body"] = Parameters(Json{{"text", t.body_text}}, t.body_variables, named);
  j["footer"] = t.footer_text.empty() ? Json(nullptr) : Json(t.footer_text);
  Json buttons = Json::array();
  for (std::size_t i = 0; i < t.buttons.size(); ++i) {
    const auto& b = t.buttons[i];
    Json button = {{"index", i}, {"type", b.type}, {"text", b.text}};
    if (b.type == "URL") button["url"] = b.url;
    button["dynamicUrl"] = b.url_variable;
    buttons.push_back(std::move(button));
  }
  j["buttons"] = std::move(buttons);
  return j;
}

}  // namespace socialgate::api
