// File: templates/catalog_json.hpp
//
// Reads one page of Meta's template listing (GET /{waba-id}/message_templates: `data[]` and
// `paging`), the one format of every catalog: Meta's answers, and a sandbox number's
// `templates_file` in the same shape (../shared/reference/meta-cloud-api.md section 6).
//
// The answer is untrusted: its size, depth and number of templates are bounded, every value is
// checked for its type and length, and a template that cannot be used is left out with a
// sentence in `ignored` (its name when it has one), never a crash; the page as a whole is
// refused (kMalformed, one sentence) only when it is not such a listing at all.
//
// Thread safety: ReadTemplatePage may be called from many threads at once.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "templates/template.hpp"

namespace socialgate::templates {

inline constexpr std::size_t kMaxPageBytes = 8 * 1024 * 1024;
inline constexpr std::size_t kMaxPageDepth = 32;
inline constexpr std::size_t kMaxTemplatesPerPage = 1000;
inline constexpr std::size_t kMaxNameBytes = 512;   // Meta's template names are up to 512
inline constexpr std::size_t kMaxTextBytes = 4096;  // a component's text
inline constexpr std::size_t kMaxButtons = 10;      // Meta allows 10
inline constexpr std::size_t kMaxIgnoredNotes = 20;
// A template's whole JSON object (the store keeps it; store::kMaxTemplateDefinitionBytes): a
// larger one is left out alone rather than making its whole catalog unstorable.
inline constexpr std::size_t kMaxDefinitionBytes = 256 * 1024;

struct TemplatePage {
  std::vector<Template> templates;
  // paging.cursors.after when paging.next is given; "" on the last page. A page with a next and
  // no usable cursor is refused: stopping there would take part of a catalog for all of it.
  std::string next_after;
  std::vector<std::string> ignored;  // at most kMaxIgnoredNotes, then a count
};

core::Result<TemplatePage> ReadTemplatePage(std::string_view body);

// One template from its JSON object alone (a Template::definition the store kept): the same
// checks as an entry of a page; kMalformed when it is not a usable template.
core::Result<Template> ReadTemplateDefinition(std::string_view object_json);

// The variables of `text` under `format` (see Variables); kMalformed naming `where` when a
// POSITIONAL text skips a number or a NAMED one uses a name that is not lower-case letters,
// digits and underscores.
core::Result<Variables> ReadVariables(std::string_view text, ParameterFormat format,
                                      std::string_view where);

}  // namespace socialgate::templates
