#include "app/template_commands.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/template_json.hpp"
#include "app/text_table.hpp"
#include "net/http_client.hpp"
#include "store/storage.hpp"
#include "template_sync/synchroniser.hpp"
#include "templates/catalog.hpp"
#include "templates/send_check.hpp"

namespace socialgate::app {
namespace {

using Json = nlohmann::ordered_json;

// What the commands share: the config, the store, the catalogs and their synchroniser.
struct CatalogTools {
  config::Config config;
  store::StoragePtr storage;
  net::HttpClientPtr http;
  templates::Catalogs catalogs;
  std::unique_ptr<template_sync::TemplateSynchroniser> synchroniser;
};

core::Result<std::unique_ptr<CatalogTools>> Open(const ServeOptions& options) {
  auto tools = std::make_unique<CatalogTools>();
  SG_ASSIGN_OR_RETURN(tools->config, LoadEffectiveConfig(options));
  SG_ASSIGN_OR_RETURN(tools->storage, store::OpenStorage(tools->config.storage_url));
  SG_ASSIGN_OR_RETURN(tools->http, net::MakeCurlHttpClient());
  tools->synchroniser = std::make_unique<template_sync::TemplateSynchroniser>(
      tools->catalogs, tools->storage->template_catalogs(), *tools->http,
      template_sync::CatalogSourcesOf(tools->config), tools->config.templates);
  return tools;
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

}  // namespace

core::Result<int> SyncTemplates(const ServeOptions& options, bool json, std::FILE* out) {
  SG_ASSIGN_OR_RETURN(auto tools, Open(options));
  const auto reports = tools->synchroniser->SyncAll();
  bool all_ok = true;
  Json list = Json::array();
  std::vector<std::vector<std::string>> rows{{"ACCOUNT", "RESULT", "TEMPLATES", "PAGES", "NOTE"}};
  for (const auto& r : reports) {
    all_ok = all_ok && r.ok;
    list.push_back({{"account", r.account},
                    {"ok", r.ok},
                    {"templates", r.templates},
                    {"pages", r.pages},
                    {"error", r.ok ? Json(nullptr) : Json(r.error)},
                    {"ignored", r.ignored}});
    std::string note = r.ok ? std::to_string(r.ignored.size()) + " left out" : r.error;
    rows.push_back({r.account, r.ok ? "ok" : "failed", std::to_string(r.templates),
                    std::to_string(r.pages), note});
    for (const auto& i : r.ignored) rows.push_back({"", "", "", "", "left out: " + i});
  }
  if (json) {
    std::fprintf(out, "%s\n", Json{{"catalogs", list}}.dump(2).c_str());
  } else if (reports.empty()) {
    std::fprintf(out, "no business number has a template catalog (waba_id or templates_file)\n");
  } else {
    PrintTable(out, rows);
  }
  return all_ok ? 0 : 1;
}

core::Result<int> ListTemplates(const ServeOptions& options, const TemplateListOptions& list,
                                std::FILE* out) {
  SG_ASSIGN_OR_RETURN(auto tools, Open(options));
  SG_RETURN_IF_ERROR(tools->synchroniser->Load());
  const auto snapshot = tools->catalogs.Current();
  Json templates = Json::array();
  std::vector<std::vector<std::string>> rows{
      {"ACCOUNT", "NAME", "LANGUAGE", "STATUS", "CATEGORY", "HEADER", "BODY", "URL", "NUMBERS"}};
  for (const auto& source : tools->synchroniser->sources()) {
    if (!list.number.empty() && std::find(source.numbers.begin(), source.numbers.end(),
                                          list.number) == source.numbers.end()) {
      continue;
    }
    const templates::AccountCatalog* catalog = snapshot->Find(source.account);
    if (catalog == nullptr) continue;
    for (const auto& [name, versions] : catalog->by_name) {
      if (!list.name.empty() && name != list.name) continue;
      for (const auto& t : versions) {
        if (!list.language.empty() && t.language != list.language) continue;
        if (!list.status.empty() && t.status != list.status) continue;
        templates.push_back(
            api::TemplateJson(t, source.account, source.numbers, catalog->synced_at_ms));
        std::string header = templates::HeaderFormatName(t.header_format);
        if (t.header_format == templates::HeaderFormat::kText) {
          header += "(" + std::to_string(t.header_variables.count) + ")";
        }
        rows.push_back({source.account, t.name, t.language, t.status, t.category, header,
                        std::to_string(t.body_variables.count),
                        std::to_string(t.UrlVariableCount()), Joined(source.numbers)});
      }
    }
  }
  if (list.json) {
    std::fprintf(out, "%s\n", Json{{"templates", templates}}.dump(2).c_str());
  } else {
    PrintTable(out, rows);
  }
  return 0;
}

}  // namespace socialgate::app
