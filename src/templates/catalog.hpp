// File: templates/catalog.hpp
//
// The template catalogs the gateway knows, in memory: one per WhatsApp Business Account (a Meta
// number's `waba_id`) or per sandbox catalog file, each its templates by name and language. The
// send check (send_check.hpp) and the Meta payload read them on every send; the synchroniser
// (template_sync/) and the template status webhooks change them.
//
// A reader takes the current Snapshot (immutable, shared) and keeps it as long as it needs: a
// change builds a new snapshot and swaps it in, so reads never wait for a synchronisation.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "templates/template.hpp"

namespace socialgate::templates {

// One account's catalog.
struct AccountCatalog {
  std::string account;            // the WABA id, or "file:<path>" for a sandbox catalog
  std::int64_t synced_at_ms = 0;  // when it was last read in full; 0: never (nothing known yet)
  // Every version of each template: by name, then one entry per language, sorted by language.
  std::map<std::string, std::vector<Template>, std::less<>> by_name;

  // The template of that name and language, or nullptr.
  const Template* Find(std::string_view name, std::string_view language) const;
  // Every language the template `name` has, sorted; empty when it has none.
  std::vector<std::string> LanguagesOf(std::string_view name) const;
  std::size_t size() const;

  // A catalog of `templates` (a later duplicate of a name and language replaces the earlier).
  static AccountCatalog Of(std::string account, std::int64_t synced_at_ms,
                           std::vector<Template> templates);
};

struct Snapshot {
  std::map<std::string, AccountCatalog, std::less<>> accounts;

  // nullptr when the account has no catalog.
  const AccountCatalog* Find(std::string_view account) const;
};

// What a status change found (Catalogs::SetStatus).
struct StatusChange {
  std::string account;
  std::string template_id;  // found by this when not empty
  std::string name;         // else by name and language
  std::string language;
  std::string status;
  std::string reason;  // Meta's reason, "" or "NONE" when it gave none
};

class Catalogs {
 public:
  Catalogs();

  // The current catalogs; never null.
  std::shared_ptr<const Snapshot> Current() const;

  // Replaces (or adds) one account's catalog.
  void Replace(AccountCatalog catalog);
  // Replaces every catalog at once (a reload from the store), keeping the accounts not in
  // `catalogs` only when `keep_others` (the sandbox's files are not in the store).
  void ReplaceAll(std::vector<AccountCatalog> catalogs, bool keep_others);

  // Sets a template's status (and reason). Returns the templates it changed: the one of that id,
  // or of that name and language; 0 when the catalog has none such.
  int SetStatus(const StatusChange& change);

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> current_;
};

}  // namespace socialgate::templates
