// File: api/template_json.hpp
//
// A template as the listing shows it (GET /livechat/{domain}/templates, `socialgate templates
// list --json`): what a caller needs to fill a send for it, in the API's camelCase:
//   {"name", "language", "status", "statusReason", "category", "parameterFormat",
//    "account", "servicePhoneNumbers": [...], "synchronisedAt",
//    "header": {"format", "text", "parameters": n, "parameterNames": [...]} or null,
//    "body": {"text", "parameters": n, "parameterNames": [...]}, "footer": text or null,
//    "buttons": [{"index", "type", "text", "url", "dynamicUrl": bool}]}
// parameterNames only for NAMED templates; url only for URL buttons. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "templates/template.hpp"

namespace socialgate::api {

nlohmann::ordered_json TemplateJson(const templates::Template& t, const std::string& account,
                                    const std::vector<std::string>& numbers,
                                    std::int64_t synced_at_ms);

}  // namespace socialgate::api
