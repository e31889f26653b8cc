// File: fake-graph/template_listing.hpp
//
// The template catalog the fake serves at GET /{version}/{waba-id}/message_templates, in the
// shape of Meta's answer (../shared/reference/meta-cloud-api.md section 6): a listing
// {"data":[template objects...]} read from --templates-file or set by PUT /_fake/templates, and
// answered page by page with Meta's paging:
//   {"data":[...],"paging":{"cursors":{"before":"<c>","after":"<c>"},"next":"<url>"}}
// The template objects are answered as given (their members in the given order); `fields` is
// accepted and ignored. A cursor is the URL-safe base64 (no padding) of an offset in the
// filtered listing written in decimal ("Mg" is 2): `before` points at the page's first
// template, `after` just past its last, and `after=<cursor>` starts a page there. `next` is the
// request's own URL with `after` replaced, given only when templates follow the page. An empty
// page is {"data":[]}, without paging (as Meta answers an empty edge).
//
// Thread safety: the functions are pure; a TemplateListing may be used from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace socialgate::fake_graph {

// One template of the listing.
struct ListedTemplate {
  nlohmann::ordered_json object;  // as given; POST /_fake/template-status changes its "status"
  std::uint64_t id = 0;           // object's "id" as a number (Meta gives a string of digits)
  std::string name;
  std::string language;
  std::string status;  // the same as object["status"]
};

using TemplateList = std::vector<ListedTemplate>;

// Parses a listing {"data":[...]}; other top-level members (Meta's "paging") are ignored. Each
// template must be an object with an "id" (a string of 1 to 19 digits, or such an integer) and
// non-empty string "name", "language" and "status"; a (name, language) pair may appear once.
// Text nested deeper than 64 levels is refused unparsed. The error is one sentence naming the
// template (data[i]) and the member.
tl::expected<TemplateList, std::string> ParseTemplateListing(std::string_view text);

// Reads the file at `path` and parses it; the error names the path.
tl::expected<TemplateList, std::string> LoadTemplateFile(const std::string& path);

// {"data":[the template objects...]}, compact.
std::string TemplateListingJson(const TemplateList& templates);

inline constexpr std::size_t kDefaultListingLimit = 25;
inline constexpr std::size_t kMaxListingLimit = 1000;

// What a listing request asks for. Filters are exact; an empty value is no filter.
struct ListingQuery {
  std::size_t limit = kDefaultListingLimit;
  std::size_t offset = 0;  // from `after`
  std::string name;
  std::string status;
  std::string language;
};

// Reads the raw (undecoded) query of a listing request: `limit` (1 to 1000), `after` (a cursor
// this fake issued), the filters `name`, `status`, `language`; `fields` and unknown parameters
// are ignored, the first of repeated ones counts. `before` (paging backwards) is refused. The
// error is the details of Meta's code 100.
tl::expected<ListingQuery, std::string> ParseListingQuery(std::string_view raw_query);

// The cursor of an offset, and back; nullopt for a text EncodeCursor never gives.
std::string EncodeCursor(std::size_t offset);
std::optional<std::size_t> DecodeCursor(std::string_view cursor);

// The absolute URL a request came to, without its query: "http://" + the Host header + path.
// A missing or odd Host (not 1-255 printable ASCII characters without spaces) gives
// "localhost".
std::string RequestUrl(std::string_view host_header, std::string_view path);

// The answer to a listing request (see the top of this file): the page of `templates` that
// `query` selects. `url` is RequestUrl of the request and `raw_query` its query, which `next`
// repeats with `after` replaced.
std::string ListingPage(const TemplateList& templates, const ListingQuery& query,
                        std::string_view url, std::string_view raw_query);

// The listing of a running fake: the initial one (the file's) until Replace, and back to it
// on Restore (POST /_fake/reset). Readers get a snapshot that later changes do not touch.
class TemplateListing {
 public:
  explicit TemplateListing(TemplateList initial = {});

  std::shared_ptr<const TemplateList> Current() const;
  void Replace(TemplateList templates);
  void Restore();

  // Sets the "status" of the template (name, language) to `status`. The template as it now
  // is, or nullopt when the listing has no such template.
  std::optional<ListedTemplate> SetStatus(std::string_view name, std::string_view language,
                                          std::string_view status);

 private:
  const std::shared_ptr<const TemplateList> initial_;
  mutable std::mutex mutex_;
  std::shared_ptr<const TemplateList> current_;  // guarded by mutex_; never null
};

// The body of POST /_fake/template-status: {"name":..., "language":..., "event":...,
// "reason": optional}.
struct TemplateStatusChange {
  std::string name;
  std::string language;
  std::string event;            // 1-64 of A-Z and '_': APPROVED, PAUSED, REJECTED, DISABLED...
  std::string reason = "NONE";  // the webhook's "reason"; "NONE" when not given
};

// Parses that body: name and language non-empty strings, event as above, reason a string;
// other members are refused. The error is one sentence.
tl::expected<TemplateStatusChange, std::string> ParseTemplateStatusChange(std::string_view body);

}  // namespace socialgate::fake_graph
