// File: app/template_commands.hpp
//
// `socialgate templates sync` and `socialgate templates list` (docs/templates.md): the template
// catalogs of the configuration's numbers, synchronised on demand into the database (a running
// gateway reads them within [templates] reload_interval_ms), or listed as a table (or as JSON,
// the listing endpoint's shape, for scripts).
#pragma once

#include <cstdio>
#include <string>

#include "app/application.hpp"
#include "core/error.hpp"

namespace socialgate::app {

struct TemplateListOptions {
  bool json = false;
  std::string number;  // E.164 digits; "" for every number
  std::string name;
  std::string language;
  std::string status;
};

// Synchronises every catalog now and prints how each went; the exit status: 0 when every one
// succeeded, 1 when one failed (its old catalog stays).
core::Result<int> SyncTemplates(const ServeOptions& options, bool json, std::FILE* out);

// Prints the stored catalogs' templates (and the sandbox files'); 0.
core::Result<int> ListTemplates(const ServeOptions& options, const TemplateListOptions& list,
                                std::FILE* out);

}  // namespace socialgate::app
