#include "template_sync/meta_listing.hpp"

#include <simdjson.h>

#include "core/text.hpp"
#include "templates/catalog_json.hpp"

namespace socialgate::template_sync {
namespace {

// RFC 3986 percent-encoding of a query value (a cursor is base64 and may hold '=' or '+').
std::string EncodeQueryValue(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

// Meta's error.message in an error answer, when it has one (bounded, one line).
std::string MetaErrorMessage(const std::string& body) {
  if (body.size() > 64 * 1024) return {};
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view message;
  if (parser.parse(body).get(root) != simdjson::SUCCESS ||
      root["error"]["message"].get_string().get(message) != simdjson::SUCCESS) {
    return {};
  }
  return core::OneLine(message, 300);
}

}  // namespace

core::Result<FetchedCatalog> FetchMetaCatalog(net::HttpClient& http,
                                              const MetaListingTarget& target,
                                              const std::function<bool()>& cancelled) {
  FetchedCatalog fetched;
  const std::string base = target.base_url + "/" + target.api_version + "/" + target.waba_id +
                           "/message_templates?fields=id,name,language,status,category,"
                           "parameter_format,components&limit=" +
                           std::to_string(kListingPageSize);
  std::string after;
  for (int page = 1;; ++page) {
    if (page > kMaxListingPages) {
      return core::MakeError(core::ErrorCode::kResourceExhausted,
                             "the catalog of WhatsApp Business Account " + target.waba_id +
                                 " has more than " + std::to_string(kMaxListingPages) +
                                 " pages of templates");
    }
    if (cancelled && cancelled()) {
      return core::MakeError(core::ErrorCode::kUnavailable,
                             "the synchronisation of WhatsApp Business Account " + target.waba_id +
                                 " was stopped (the gateway is stopping)");
    }
    net::ClientRequest request;
    request.method = "GET";
    request.url = after.empty() ? base : base + "&after=" + EncodeQueryValue(after);
    request.headers.emplace_back("Authorization", "Bearer " + target.access_token);
    request.connect_timeout = target.connect_timeout;
    request.timeout = target.timeout;
    const std::string which = "page " + std::to_string(page) +
                              " of the templates of WhatsApp Business Account " + target.waba_id;
    auto response = http.Perform(std::move(request));
    if (!response) {
      return core::MakeError(core::ErrorCode::kUnavailable,
                             which + " could not be read: " + response.error().message);
    }
    if (response->status != 200) {
      std::string why = MetaErrorMessage(response->body);
      return core::MakeError(core::ErrorCode::kUnavailable,
                             which + " was answered HTTP " + std::to_string(response->status) +
                                 (why.empty() ? std::string() : ": " + why));
    }
    auto read = templates::ReadTemplatePage(response->body);
    if (!read) {
      return core::MakeError(core::ErrorCode::kMalformed, which + ": " + read.error().message);
    }
    fetched.pages = page;
    for (auto& note : read->ignored) {
      if (fetched.ignored.size() < templates::kMaxIgnoredNotes) fetched.ignored.push_back(note);
    }
    if (fetched.templates.size() + read->templates.size() > kMaxCatalogTemplates) {
      return core::MakeError(core::ErrorCode::kResourceExhausted,
                             "the catalog of WhatsApp Business Account " + target.waba_id +
                                 " has more than " + std::to_string(kMaxCatalogTemplates) +
                                 " templates");
    }
    for (auto& t : read->templates) fetched.templates.push_back(std::move(t));
    if (read->next_after.empty()) return fetched;
    if (read->next_after == after) {
      return core::MakeError(core::ErrorCode::kMalformed,
                             which + " gives the same cursor as the page before it");
    }
    after = std::move(read->next_after);
  }
}

}  // namespace socialgate::template_sync
