// File: store/template_catalogs.hpp
//
// The template catalogs of WhatsApp Business Accounts, as last synchronised from Meta (issue 18):
// one catalog per account id (Meta's WABA id), each a set of templates keyed by (name, language).
// The store keeps a template's definition as an opaque JSON text (the templates module writes
// and reads it, templates/catalog_json.hpp); it indexes only what is looked up or listed.
//
// Every write bumps one catalog version in the same commit, so an instance that polls
// CatalogVersion learns cheaply that another instance synchronised or changed a status.
//
// Thread safety: every method may be called from any thread; each may block on I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace socialgate::store {

// The bounds of what the store takes (kInvalidArgument beyond them, nothing written): above any
// real account's catalog (Meta's template names are up to 512 bytes), low enough that one write
// cannot hold the committer for long or fill its memory.
inline constexpr std::size_t kMaxCatalogTemplates = 10'000;
inline constexpr std::size_t kMaxTemplateFieldBytes = 512;  // account, name, language, id, ...
inline constexpr std::size_t kMaxTemplateDefinitionBytes = 256 * 1024;
inline constexpr std::size_t kMaxCatalogDefinitionBytes = 64 * 1024 * 1024;  // all of a catalog's

struct StoredTemplate {
  std::string name;                // e.g. shipping_confirmation
  std::string language;            // as Meta writes it, e.g. en_GB
  std::string template_id;         // Meta's id of the template (digits), "" when unknown
  std::string status;              // APPROVED, PAUSED, ...: authoritative over the definition's
  std::string status_reason;       // Meta's reason for the status (a status webhook's), or ""
  std::string category;            // MARKETING, UTILITY, AUTHENTICATION
  std::string definition;          // the template as one JSON object; opaque to the store
  std::int64_t updated_at_ms = 0;  // the last write of this row (sync or status change)
};

struct StoredCatalog {
  std::string account;                    // the WhatsApp Business Account id
  std::int64_t synced_at_ms = 0;          // when it was last synchronised in full
  std::vector<StoredTemplate> templates;  // ordered by name, then language
};

// TemplateCatalogs::SetTemplateStatus.
struct TemplateStatusChange {
  std::string account;
  std::string template_id;  // when not empty, the template is found by it
  std::string name;         // else by name and language
  std::string language;
  std::string status;
  std::int64_t now_ms = 0;
  std::string reason;  // Meta's reason for the status, "" for none
};

class TemplateCatalogs {
 public:
  virtual ~TemplateCatalogs() = default;
  TemplateCatalogs() = default;
  TemplateCatalogs(const TemplateCatalogs&) = delete;
  TemplateCatalogs& operator=(const TemplateCatalogs&) = delete;
  TemplateCatalogs(TemplateCatalogs&&) = delete;
  TemplateCatalogs& operator=(TemplateCatalogs&&) = delete;

  // Replaces the account's whole catalog (its templates and synced_at_ms) with `catalog`, in one
  // commit: when it fails, the catalog stored before stays whole. Templates with the same (name,
  // language) twice: kInvalidArgument, nothing written. So is an empty account, name or language,
  // or a catalog beyond the bounds above (kMaxCatalogTemplates...). A catalog of no templates is
  // stored (with its synced_at_ms): the account has none.
  virtual core::Result<void> ReplaceCatalog(const StoredCatalog& catalog) = 0;

  // Every account's catalog, ordered by account.
  virtual core::Result<std::vector<StoredCatalog>> LoadCatalogs() = 0;

  // Sets the status (and updated_at_ms) of one template of the account. Returns how many
  // templates changed: 0 when none matched (not an error), or when it already had the status.
  // kInvalidArgument, nothing written: an empty account or status, neither a template_id nor a
  // name and language, or a field beyond kMaxTemplateFieldBytes.
  virtual core::Result<int> SetTemplateStatus(const TemplateStatusChange& change) = 0;

  // A number that differs after any write of any catalog (ReplaceCatalog, a SetTemplateStatus
  // that changed something), by any instance sharing the database; 0 before the first.
  virtual core::Result<std::int64_t> CatalogVersion() = 0;
};

}  // namespace socialgate::store
