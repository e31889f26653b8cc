// File: config/templates_config.hpp
//
// The template catalog's settings (docs/templates.md): the [templates] table, a domain's
// `templates` policy, and a number's catalog source (a Meta number's `waba_id` is read with the
// rest of its [domains.numbers.meta] table; a sandbox number's `templates_file` here).
// Internal to the config module.
#pragma once

#include <string>

#include <toml++/toml.h>

#include "config/config.hpp"
#include "config/reader.hpp"

namespace socialgate::config {

core::Result<void> ReadTemplateSettings(const Reader& r, const toml::table& t, TemplateSettings& s);

// A domain's `templates` key, if present.
core::Result<void> ReadTemplatePolicy(const Reader& r, const toml::table& t,
                                      const std::string& where, Domain& d);

// A Meta number's [domains.numbers.meta] `waba_id`, if present: digits.
core::Result<void> ReadWabaId(const Reader& r, const toml::table& t, const std::string& where,
                              MetaSettings& m);

// A sandbox number's `templates_file`, in its [domains.numbers.sandbox] table (`sandbox`, may be
// null) or in the number's own table; the file must be readable (it is read at start).
core::Result<void> ReadTemplatesFile(const Reader& r, const toml::table& number,
                                     const toml::table* sandbox, const std::string& where,
                                     BusinessNumber& n);

}  // namespace socialgate::config
