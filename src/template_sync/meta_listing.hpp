// File: template_sync/meta_listing.hpp
//
// Reads a WhatsApp Business Account's whole template catalog from Meta:
// GET /{version}/{waba-id}/message_templates?fields=...&limit=100, then each next page by
// paging.cursors.after while the answer has paging.next (../shared/reference/meta-cloud-api.md
// section 6). Every page is read by templates::ReadTemplatePage, the one reader of catalogs.
//
// All or nothing: a page that fails (transport, an HTTP error, an answer that is not a listing)
// fails the whole fetch, so a catalog is never replaced by part of itself. Bounded: at most
// kMaxListingPages pages and kMaxCatalogTemplates templates.
//
// Thread safety: FetchMetaCatalog may be called from many threads at once; it blocks (never on
// an HTTP client's own completion thread).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "net/http_client.hpp"
#include "templates/template.hpp"

namespace socialgate::template_sync {

inline constexpr int kListingPageSize = 100;
inline constexpr int kMaxListingPages = 100;
inline constexpr std::size_t kMaxCatalogTemplates = 10'000;

// Where an account's listing is read, with what credentials (a number of that account's).
struct MetaListingTarget {
  std::string base_url;  // e.g. https://graph.facebook.com
  std::string api_version;
  std::string waba_id;
  std::string access_token;  // never logged
  std::chrono::milliseconds connect_timeout{3'000};
  std::chrono::milliseconds timeout{15'000};  // per page

  bool operator==(const MetaListingTarget&) const = default;
};

struct FetchedCatalog {
  std::vector<templates::Template> templates;
  std::vector<std::string> ignored;  // templates left out, one sentence each (bounded)
  int pages = 0;
};

// kUnavailable when a page could not be had (saying which page and why: Meta's error message
// when it gave one), kMalformed when an answer is not a listing, kResourceExhausted beyond the
// bounds, kUnavailable when `cancelled` (asked before each page) says to stop.
core::Result<FetchedCatalog> FetchMetaCatalog(net::HttpClient& http,
                                              const MetaListingTarget& target,
                                              const std::function<bool()>& cancelled = {});

}  // namespace socialgate::template_sync
