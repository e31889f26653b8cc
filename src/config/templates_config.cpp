#include "config/templates_config.hpp"

#include <fstream>

namespace socialgate::config {

const char* TemplatePolicyName(TemplatePolicy policy) {
  switch (policy) {
    case TemplatePolicy::kStrict:
      return "strict";
    case TemplatePolicy::kLenient:
      return "lenient";
    case TemplatePolicy::kOff:
      return "off";
  }
  return "strict";
}

std::string BusinessNumber::TemplateAccount() const {
  if (provider == ProviderKind::kMeta) return meta.waba_id;
  if (!templates_file.empty()) return "file:" + templates_file;
  return {};
}

TemplatePolicy Domain::TemplatePolicyFor(const BusinessNumber& number) const {
  if (templates) return *templates;
  return number.TemplateAccount().empty() ? TemplatePolicy::kOff : TemplatePolicy::kStrict;
}

const BusinessNumber* Domain::FindNumber(std::string_view phone) const {
  for (const auto& n : numbers) {
    if (n.phone == phone) return &n;
  }
  return nullptr;
}

core::Result<void> ReadTemplateSettings(const Reader& r, const toml::table& t,
                                        TemplateSettings& s) {
  SG_RETURN_IF_ERROR(r.OnlyKeys(t, "templates", {"sync_interval_ms", "reload_interval_ms"}));
  SG_RETURN_IF_ERROR(r.Millis(t, "templates", "sync_interval_ms", s.sync_interval, 7 * kDayMs));
  SG_RETURN_IF_ERROR(r.Millis(t, "templates", "reload_interval_ms", s.reload_interval, kDayMs));
  if (s.sync_interval.count() < 1000) {
    return tl::unexpected(r.Fail("templates.sync_interval_ms", "must be at least 1000"));
  }
  if (s.reload_interval.count() < 100) {
    return tl::unexpected(r.Fail("templates.reload_interval_ms", "must be at least 100"));
  }
  return {};
}

core::Result<void> ReadTemplatePolicy(const Reader& r, const toml::table& t,
                                      const std::string& where, Domain& d) {
  if (!t.contains("templates")) return {};
  std::string policy;
  SG_RETURN_IF_ERROR(r.String(t, where, "templates", policy));
  for (const auto p : {TemplatePolicy::kStrict, TemplatePolicy::kLenient, TemplatePolicy::kOff}) {
    if (policy == TemplatePolicyName(p)) {
      d.templates = p;
      return {};
    }
  }
  return tl::unexpected(r.Fail(
      where + ".templates", "must be \"strict\", \"lenient\" or \"off\" (got \"" + policy + "\")"));
}

core::Result<void> ReadWabaId(const Reader& r, const toml::table& t, const std::string& where,
                              MetaSettings& m) {
  SG_RETURN_IF_ERROR(r.String(t, where, "waba_id", m.waba_id));
  if (!m.waba_id.empty() &&
      (m.waba_id.size() > 64 || m.waba_id.find_first_not_of("0123456789") != std::string::npos)) {
    return tl::unexpected(
        r.Fail(where + ".waba_id", "must be Meta's numeric id of the WhatsApp Business Account"));
  }
  return {};
}

core::Result<void> ReadTemplatesFile(const Reader& r, const toml::table& number,
                                     const toml::table* sandbox, const std::string& where,
                                     BusinessNumber& n) {
  std::string key = where + ".templates_file";
  SG_RETURN_IF_ERROR(r.String(number, where, "templates_file", n.templates_file));
  if (sandbox != nullptr && sandbox->contains("templates_file")) {
    if (!n.templates_file.empty()) {
      return tl::unexpected(r.Fail(key, "is also given in the sandbox table; give it once"));
    }
    key = where + ".sandbox.templates_file";
    SG_RETURN_IF_ERROR(r.String(*sandbox, where + ".sandbox", "templates_file", n.templates_file));
  }
  if (n.templates_file.empty()) return {};
  if (n.provider != ProviderKind::kSandbox) {
    return tl::unexpected(r.Fail(
        key, "is for sandbox numbers; a Meta number's catalog comes from Meta by its waba_id"));
  }
  if (!std::ifstream(n.templates_file)) {
    return tl::unexpected(r.Fail(key, "cannot read '" + n.templates_file + "'"));
  }
  return {};
}

}  // namespace socialgate::config
