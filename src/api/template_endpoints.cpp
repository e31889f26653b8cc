#include "api/template_endpoints.hpp"

#include <map>

#include "api/envelope.hpp"
#include "api/query.hpp"
#include "api/template_json.hpp"
#include "core/phone_number.hpp"
#include "core/text.hpp"
#include "util/ids.hpp"

namespace socialgate::api {
namespace {

using Json = nlohmann::ordered_json;

struct TemplateFilter {
  std::string number;
  std::string name;
  std::string language;
  std::string status;
};

tl::unexpected<core::Error> TemplateRefusal(std::string message) {
  return core::MakeError(core::ErrorCode::kMalformed, std::move(message));
}

core::Result<TemplateFilter> ParseFilter(std::string_view query) {
  TemplateFilter f;
  std::map<std::string, bool> seen;
  for (auto& [name, value] : QueryParameters(query)) {
    if (name == "servicePhoneNumber") name = "number";
    if (name == "templateName") name = "name";
    std::string* field = name == "number"     ? &f.number
                         : name == "name"     ? &f.name
                         : name == "language" ? &f.language
                         : name == "status"   ? &f.status
                                              : nullptr;
    if (field == nullptr) {
      return TemplateRefusal("query: unknown parameter " + core::QuoteForMessage(name) +
                             "; the parameters are number, name, language, status");
    }
    if (seen[name]) return TemplateRefusal(name + ": must be given once");
    seen[name] = true;
    if (value.empty() || value.size() > 512) {
      return TemplateRefusal(name + ": must be 1 to 512 characters");
    }
    if (name == "number") {
      auto phone = core::NormalizePhoneNumber("number", value);
      if (!phone) return TemplateRefusal(phone.error().message);
      value = *phone;
    }
    *field = std::move(value);
  }
  return f;
}

}  // namespace

std::vector<Endpoint> TemplateEndpoints::Endpoints() {
  std::vector<Endpoint> out;
  if (deps_.catalogs == nullptr) return out;
  out.push_back(Endpoint{"GET", "/livechat/{domain}/templates", Access::kUser, 0, std::nullopt,
                         [this](Call call, http::HttpRequest&& request, http::Responder respond) {
                           List(*call.domain, *call.principal, request.query, respond);
                         }});
  return out;
}

void TemplateEndpoints::List(const config::Domain& domain, const auth::Principal& principal,
                             const std::string& query, const http::Responder& respond) const {
  auto filter = ParseFilter(query);
  if (!filter) return respond(ErrorResponse(filter.error()));
  if (!filter->number.empty()) {
    if (domain.FindNumber(filter->number) == nullptr) {
      return respond(http::JsonError(403, "number: " + filter->number +
                                              " is not a business number of domain '" +
                                              domain.name + "'"));
    }
    if (!principal.MaySendFrom(filter->number)) {
      return respond(http::JsonError(403, "number: user " + core::QuoteForMessage(principal.user) +
                                              " may not send from " + filter->number));
    }
  }
  // The accounts the caller may see, each with the numbers (theirs, filtered) that use it.
  std::map<std::string, std::vector<std::string>> accounts;
  for (const auto& n : domain.numbers) {
    const std::string account = n.TemplateAccount();
    if (account.empty() || !principal.MaySendFrom(n.phone)) continue;
    if (!filter->number.empty() && n.phone != filter->number) continue;
    accounts[account].push_back(n.phone);
  }
  const auto snapshot = deps_.catalogs->Current();
  Json templates = Json::array();
  Json catalogs = Json::array();
  for (const auto& [account, numbers] : accounts) {
    const templates::AccountCatalog* catalog = snapshot->Find(account);
    const bool synced = catalog != nullptr && catalog->synced_at_ms > 0;
    catalogs.push_back(
        {{"account", account},
         {"servicePhoneNumbers", numbers},
         {"synchronisedAt",
          synced ? Json(util::FormatUtcMillis(catalog->synced_at_ms)) : Json(nullptr)},
         {"templates", catalog == nullptr ? 0 : catalog->size()}});
    if (catalog == nullptr) continue;
    for (const auto& [name, versions] : catalog->by_name) {
      if (!filter->name.empty() && name != filter->name) continue;
      for (const auto& t : versions) {
        if (!filter->language.empty() && t.language != filter->language) continue;
        if (!filter->status.empty() && t.status != filter->status) continue;
        templates.push_back(TemplateJson(t, account, numbers, catalog->synced_at_ms));
      }
    }
  }
  Json body = {{"result", true}, {"error", nullptr}};
  body["templates"] = std::move(templates);
  body["catalogs"] = std::move(catalogs);
  respond(JsonAnswer(200, body));
}

}  // namespace socialgate::api
