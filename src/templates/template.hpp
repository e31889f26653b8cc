// File: templates/template.hpp
//
// A message template as Meta approved it (its `message_templates` entry): what the gateway must
// know to check a send against it before sending and to build the send's components from its
// real shape (issue 18). Plain data; see catalog_json.hpp for how it is read.
#pragma once

#include <string>
#include <vector>

namespace socialgate::templates {

enum class ParameterFormat { kPositional, kNamed };

enum class HeaderFormat { kNone, kText, kImage, kVideo, kGif, kDocument, kLocation };

// "NONE", "TEXT", "IMAGE", ... as Meta spells them.
const char* HeaderFormatName(HeaderFormat format);

// The variables of a text: for POSITIONAL, {{1}}..{{n}}, counted by the highest; for NAMED,
// {{name}}, in the order they first appear.
struct Variables {
  int count = 0;
  std::vector<std::string> names;  // NAMED only
};

struct Button {
  std::string type;  // QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE, OTP, FLOW, CATALOG, ...
  std::string text;
  std::string url;            // URL buttons
  bool url_variable = false;  // the URL ends in a variable the send fills (dynamicUrl)
};

struct Template {
  std::string id;
  std::string name;
  std::string language;       // e.g. en_GB, as Meta writes it
  std::string status;         // APPROVED, PENDING, REJECTED, PAUSED, DISABLED, IN_APPEAL, ...
  std::string status_reason;  // why, when Meta said (a status webhook's `reason`), else ""
  std::string category;       // MARKETING, UTILITY, AUTHENTICATION
  ParameterFormat parameter_format = ParameterFormat::kPositional;
  HeaderFormat header_format = HeaderFormat::kNone;
  std::string header_text;  // TEXT headers
  Variables header_variables;
  std::string body_text;
  Variables body_variables;
  std::string footer_text;
  std::vector<Button> buttons;  // in the template's order: a button's index is its position
  // The template's JSON object as read (minified): what the store keeps, read back by
  // ReadTemplateDefinition.
  std::string definition;

  // The buttons whose URL ends in a variable: each takes one dynamicUrl value, in this order.
  int UrlVariableCount() const {
    int n = 0;
    for (const auto& b : buttons) n += b.url_variable ? 1 : 0;
    return n;
  }

  bool approved() const { return status == "APPROVED"; }
};

}  // namespace socialgate::templates
