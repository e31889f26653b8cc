#include "templates/catalog_json.hpp"

#include <optional>
#include <set>

#include <simdjson.h>

#include "core/text.hpp"
#include "util/json_nesting.hpp"

namespace socialgate::templates {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

tl::unexpected<core::Error> Malformed(std::string why) {
  return core::MakeError(core::ErrorCode::kMalformed, std::move(why));
}

// The string member `key` of `o`, or nullopt when absent or not a string.
std::optional<std::string_view> StringMember(const object& o, const char* key) {
  std::string_view value;
  if (o[key].get_string().get(value) != simdjson::SUCCESS) return std::nullopt;
  return value;
}

// A short plain token (names, languages, statuses, types): printable ASCII, no spaces.
bool IsToken(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (const char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

bool IsNameChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

std::optional<HeaderFormat> ParseHeaderFormat(std::string_view s) {
  if (s == "TEXT") return HeaderFormat::kText;
  if (s == "IMAGE") return HeaderFormat::kImage;
  if (s == "VIDEO") return HeaderFormat::kVideo;
  if (s == "GIF") return HeaderFormat::kGif;
  if (s == "DOCUMENT") return HeaderFormat::kDocument;
  if (s == "LOCATION") return HeaderFormat::kLocation;
  return std::nullopt;
}

// A component's text, checked: valid UTF-8 within kMaxTextBytes.
core::Result<std::string> Text(const object& o, const std::string& where) {
  const auto text = StringMember(o, "text");
  if (!text) return std::string();
  if (text->size() > kMaxTextBytes || !core::Utf8Length(*text)) {
    return Malformed(where + ".text is not UTF-8 text of at most " + std::to_string(kMaxTextBytes) +
                     " bytes");
  }
  return std::string(*text);
}

core::Result<void> ReadButtons(const object& component, const std::string& where, Template& t) {
  array buttons;
  if (component["buttons"].get_array().get(buttons) != simdjson::SUCCESS) {
    return Malformed(where + ".buttons is not an array");
  }
  if (buttons.size() > kMaxButtons) {
    return Malformed(where + ".buttons has more than " + std::to_string(kMaxButtons));
  }
  std::size_t i = 0;
  for (const element value : buttons) {
    const std::string at = where + ".buttons[" + std::to_string(i++) + "]";
    object b;
    if (value.get_object().get(b) != simdjson::SUCCESS) return Malformed(at + " is not an object");
    Button button;
    const auto type = StringMember(b, "type");
    if (!type || !IsToken(*type, 64)) return Malformed(at + ".type is missing or not a type");
    button.type = std::string(*type);
    SG_ASSIGN_OR_RETURN(button.text, Text(b, at));
    if (button.type == "URL") {
      const auto url = StringMember(b, "url");
      if (!url || url->empty() || url->size() > 2000 || !core::Utf8Length(*url)) {
        return Malformed(at + ".url is missing or not a URL of at most 2000 bytes");
      }
      button.url = std::string(*url);
      SG_ASSIGN_OR_RETURN(const Variables v, ReadVariables(*url, t.parameter_format, at + ".url"));
      if (v.count > 1) return Malformed(at + ".url has more than one variable");
      button.url_variable = v.count == 1;
    } else if (button.type == "OTP") {
      // An authentication template's code button (copy code, one tap) is sent as a URL button
      // at its index whose one parameter is the code: it takes a dynamicUrl value.
      button.url_variable = true;
    }
    t.buttons.push_back(std::move(button));
  }
  return {};
}

// One entry of `data`, at `where`.
core::Result<Template> ReadTemplate(const element& value, const std::string& where) {
  object o;
  if (value.get_object().get(o) != simdjson::SUCCESS) return Malformed(where + " is not an object");
  Template t;
  const auto name = StringMember(o, "name");
  if (!name || !IsToken(*name, kMaxNameBytes)) return Malformed(where + ".name is missing");
  t.name = std::string(*name);
  const std::string at = "template " + core::QuoteForMessage(t.name);
  const auto language = StringMember(o, "language");
  if (!language || !IsToken(*language, 16)) return Malformed(at + ": language is missing");
  t.language = std::string(*language);
  const auto status = StringMember(o, "status");
  if (!status || !IsToken(*status, 64)) return Malformed(at + ": status is missing");
  t.status = std::string(*status);
  if (const auto id = StringMember(o, "id"); id && IsToken(*id, 64)) t.id = std::string(*id);
  if (const auto category = StringMember(o, "category"); category && IsToken(*category, 64)) {
    t.category = std::string(*category);
  }
  if (const auto format = StringMember(o, "parameter_format")) {
    if (*format == "NAMED") {
      t.parameter_format = ParameterFormat::kNamed;
    } else if (*format != "POSITIONAL") {
      return Malformed(at + ": parameter_format " + core::QuoteForMessage(*format) +
                       " is neither POSITIONAL nor NAMED");
    }
  }
  array components;
  if (o["components"].get_array().get(components) != simdjson::SUCCESS) {
    return Malformed(at + ": components is missing or not an array");
  }
  std::set<std::string, std::less<>> seen;
  std::size_t i = 0;
  for (const element c : components) {
    const std::string cw = at + ": components[" + std::to_string(i++) + "]";
    object component;
    if (c.get_object().get(component) != simdjson::SUCCESS) {
      return Malformed(cw + " is not an object");
    }
    const auto type = StringMember(component, "type");
    if (!type) return Malformed(cw + ".type is missing");
    if (!seen.insert(std::string(*type)).second) {
      return Malformed(cw + ": a second " + core::QuoteForMessage(*type) + " component");
    }
    if (*type == "HEADER") {
      const auto format = StringMember(component, "format");
      const auto parsed = format ? ParseHeaderFormat(*format) : std::nullopt;
      if (!parsed) return Malformed(cw + ".format is missing or not a header format");
      t.header_format = *parsed;
      if (t.header_format == HeaderFormat::kText) {
        SG_ASSIGN_OR_RETURN(t.header_text, Text(component, cw));
        SG_ASSIGN_OR_RETURN(t.header_variables,
                            ReadVariables(t.header_text, t.parameter_format, cw + ".text"));
      }
    } else if (*type == "BODY") {
      SG_ASSIGN_OR_RETURN(t.body_text, Text(component, cw));
      SG_ASSIGN_OR_RETURN(t.body_variables,
                          ReadVariables(t.body_text, t.parameter_format, cw + ".text"));
    } else if (*type == "FOOTER") {
      SG_ASSIGN_OR_RETURN(t.footer_text, Text(component, cw));
    } else if (*type == "BUTTONS") {
      SG_RETURN_IF_ERROR(ReadButtons(component, cw, t));
    }
    // Other components (carousels, limited-time offers) are kept out of the checks.
  }
  if (!seen.contains("BODY")) return Malformed(at + ": has no BODY component");
  t.definition = simdjson::minify(value);
  if (t.definition.size() > kMaxDefinitionBytes) {
    return Malformed(at + ": is " + std::to_string(t.definition.size()) + " bytes, more than " +
                     std::to_string(kMaxDefinitionBytes));
  }
  return t;
}

}  // namespace

const char* HeaderFormatName(HeaderFormat format) {
  switch (format) {
    case HeaderFormat::kNone:
      return "NONE";
    case HeaderFormat::kText:
      return "TEXT";
    case HeaderFormat::kImage:
      return "IMAGE";
    case HeaderFormat::kVideo:
      return "VIDEO";
    case HeaderFormat::kGif:
      return "GIF";
    case HeaderFormat::kDocument:
      return "DOCUMENT";
    case HeaderFormat::kLocation:
      return "LOCATION";
  }
  return "NONE";
}

core::Result<Variables> ReadVariables(std::string_view text, ParameterFormat format,
                                      std::string_view where) {
  Variables v;
  std::set<int> numbers;
  std::size_t pos = 0;
  while ((pos = text.find("{{", pos)) != std::string_view::npos) {
    const std::size_t end = text.find("}}", pos + 2);
    if (end == std::string_view::npos) break;
    const std::string_view inner = text.substr(pos + 2, end - pos - 2);
    pos = end + 2;
    if (format == ParameterFormat::kPositional) {
      if (inner.empty() || inner.size() > 3 ||
          inner.find_first_not_of("0123456789") != std::string_view::npos) {
        return Malformed(std::string(where) + " has " +
                         core::QuoteForMessage("{{" + std::string(inner) + "}}") +
                         ", not a positional variable like {{1}}");
      }
      numbers.insert(std::stoi(std::string(inner)));
    } else {
      if (inner.empty() || inner.size() > 64) {
        return Malformed(std::string(where) + " has an empty or over-long variable name");
      }
      for (const char c : inner) {
        if (!IsNameChar(c)) {
          return Malformed(std::string(where) + " has the variable " +
                           core::QuoteForMessage(inner) +
                           ", not lower-case letters, digits and underscores");
        }
      }
      bool known = false;
      for (const auto& n : v.names) known = known || n == inner;
      if (!known) v.names.emplace_back(inner);
    }
  }
  if (format == ParameterFormat::kPositional) {
    int expected = 1;
    for (const int n : numbers) {
      if (n != expected++) {
        return Malformed(std::string(where) + " skips {{" + std::to_string(expected - 1) + "}}");
      }
    }
    v.count = static_cast<int>(numbers.size());
  } else {
    v.count = static_cast<int>(v.names.size());
  }
  return v;
}

namespace {

// Parses `body` as one JSON document within the page's bounds, naming it `what` in refusals.
core::Result<element> ParseBounded(simdjson::dom::parser& parser, std::string_view body,
                                   const char* what) {
  if (body.size() > kMaxPageBytes) {
    return Malformed(std::string(what) + " is " + std::to_string(body.size()) +
                     " bytes, more than " + std::to_string(kMaxPageBytes));
  }
  if (!util::JsonNestingWithin(body, kMaxPageDepth)) {
    return Malformed(std::string(what) + " nests deeper than " + std::to_string(kMaxPageDepth) +
                     " levels");
  }
  element root;
  if (const auto error = parser.parse(body.data(), body.size()).get(root);
      error != simdjson::SUCCESS) {
    return Malformed(std::string(what) + " is not JSON (" + simdjson::error_message(error) + ")");
  }
  return root;
}

}  // namespace

core::Result<Template> ReadTemplateDefinition(std::string_view object_json) {
  simdjson::dom::parser parser;
  SG_ASSIGN_OR_RETURN(const element root, ParseBounded(parser, object_json, "the template"));
  return ReadTemplate(root, "the template");
}

core::Result<TemplatePage> ReadTemplatePage(std::string_view body) {
  simdjson::dom::parser parser;
  SG_ASSIGN_OR_RETURN(const element root, ParseBounded(parser, body, "the listing"));
  object top;
  array data;
  if (root.get_object().get(top) != simdjson::SUCCESS ||
      top["data"].get_array().get(data) != simdjson::SUCCESS) {
    return Malformed("the listing is not an object with a data array");
  }
  if (data.size() > kMaxTemplatesPerPage) {
    return Malformed("the listing has more than " + std::to_string(kMaxTemplatesPerPage) +
                     " templates on one page");
  }
  TemplatePage page;
  std::size_t dropped = 0;
  std::size_t i = 0;
  for (const element entry : data) {
    auto read = ReadTemplate(entry, "data[" + std::to_string(i++) + "]");
    if (read) {
      page.templates.push_back(std::move(*read));
    } else if (page.ignored.size() < kMaxIgnoredNotes) {
      page.ignored.push_back(read.error().message);
    } else {
      ++dropped;
    }
  }
  if (dropped > 0) page.ignored.push_back("and " + std::to_string(dropped) + " more");
  object paging;
  if (top["paging"].get_object().get(paging) == simdjson::SUCCESS && StringMember(paging, "next")) {
    object cursors;
    if (paging["cursors"].get_object().get(cursors) == simdjson::SUCCESS) {
      if (const auto after = StringMember(cursors, "after"); after && IsToken(*after, 1024)) {
        page.next_after = std::string(*after);
      }
    }
    if (page.next_after.empty()) {
      return Malformed(
          "the listing has a next page (paging.next) but no usable "
          "paging.cursors.after");
    }
  }
  return page;
}

}  // namespace socialgate::templates
