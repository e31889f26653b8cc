// File: template_sync/synchroniser.hpp
//
// Keeps the template catalogs (templates::Catalogs) up to date (docs/templates.md):
//
//   Load       at start, before the gateway serves: the catalogs stored by earlier
//              synchronisations (store::TemplateCatalogs) and the sandbox's catalog files
//   Sync       one catalog now: a Meta account's whole listing (meta_listing.hpp), stored and
//              then swapped in whole; a file read again. A sync that fails half-way changes
//              nothing: the old catalog stays, and the account is tried again sooner.
//   the thread (`sg-templates`, Start/Stop): every account at once, then every sync_interval;
//              and every reload_interval, the stored catalogs read again when another instance
//              (or `socialgate templates sync`) changed them (store::CatalogVersion)
//   ApplyStatus  a template status webhook: the stored status and the one in memory at once
//
// The writes of one process are serialised (a sync's store and swap, a status change, a reload
// from the store), and a status changed while a sync was reading Meta's listing is applied
// again over that listing before it is stored: a webhook that pauses a template mid-sync is not
// undone by the sync's older view of it.
//
// Thread safety: every method may be called from any thread. Lifetime: the catalogs, the store,
// the HTTP client and the clock must outlive the synchroniser.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "core/error.hpp"
#include "net/http_client.hpp"
#include "store/template_catalogs.hpp"
#include "template_sync/meta_listing.hpp"
#include "templates/catalog.hpp"
#include "util/clock.hpp"

namespace socialgate::template_sync {

// Where one catalog comes from.
struct CatalogSource {
  std::string account;                    // the catalog's key (BusinessNumber::TemplateAccount)
  std::optional<MetaListingTarget> meta;  // a WhatsApp Business Account's, read from Meta
  std::string file;                       // else a sandbox catalog file
  std::vector<std::string> numbers;       // the business numbers that use it

  bool operator==(const CatalogSource&) const = default;
};

// Every catalog the configuration's numbers use, one per account, ordered by account. A Meta
// account is read with the settings (and token) of its first number.
std::vector<CatalogSource> CatalogSourcesOf(const config::Config& config);

// How one synchronisation went.
struct SyncReport {
  std::string account;
  bool ok = false;
  std::size_t templates = 0;
  int pages = 0;
  std::string error;                 // when not ok
  std::vector<std::string> ignored;  // templates left out, one sentence each
};

// The stored catalogs, as the catalogs in memory hold them (templates whose stored definition
// cannot be read are left out, logged).
std::vector<templates::AccountCatalog> ToCatalogs(const std::vector<store::StoredCatalog>& stored);

class TemplateSynchroniser {
 public:
  TemplateSynchroniser(templates::Catalogs& catalogs, store::TemplateCatalogs& store,
                       net::HttpClient& http, std::vector<CatalogSource> sources,
                       config::TemplateSettings settings,
                       const util::Clock& clock = util::SystemClock());
  ~TemplateSynchroniser();  // Stop()
  TemplateSynchroniser(const TemplateSynchroniser&) = delete;
  TemplateSynchroniser& operator=(const TemplateSynchroniser&) = delete;
  TemplateSynchroniser(TemplateSynchroniser&&) = delete;
  TemplateSynchroniser& operator=(TemplateSynchroniser&&) = delete;

  // The stored catalogs and the files into memory. Fails when the store cannot be read; a file
  // that cannot be read is logged and its catalog left empty.
  core::Result<void> Load();

  // Synchronises one source now (see the file comment).
  SyncReport Sync(const CatalogSource& source);
  // Every source, in order.
  std::vector<SyncReport> SyncAll();

  // Records a template's new status (a webhook) in the store, then in memory. False when the
  // store refused it (the caller tries again later). A status for a template the catalog does
  // not have (a new one approved) makes its account synchronise soon.
  bool ApplyStatus(const templates::StatusChange& change);

  // The background thread (see the file comment); its first round synchronises every Meta
  // account at once (the files, read by Load, are read again after sync_interval).
  void Start();
  // Stops the thread: a sync in progress stops before its next page (the page being read may
  // take up to the number's timeout); the catalog it was reading stays as it was.
  void Stop();

  // A configuration reload: the catalogs of `sources` are kept from now on; one not kept before
  // is read at once (by the thread), one no longer among them is no longer synchronised (what
  // is stored of it stays). Any thread.
  void SetSources(std::vector<CatalogSource> sources);
  std::vector<CatalogSource> sources() const { return *Sources(); }

 private:
  void Run();
  // Reads the stored catalogs into memory when their version moved since the last read.
  void ReloadIfChanged();
  // The status changes applied after `since` (a sequence number of changes_) to `account`,
  // applied again to `list`. Under write_mutex_.
  void ReapplyChanges(const std::string& account, std::uint64_t since,
                      std::vector<templates::Template>& list) const;

  templates::Catalogs& catalogs_;
  store::TemplateCatalogs& store_;
  net::HttpClient& http_;
  using SourceList = std::vector<CatalogSource>;
  std::shared_ptr<const SourceList> Sources() const;
  mutable std::mutex sources_mutex_;
  std::shared_ptr<const SourceList> sources_;  // replaced whole by SetSources
  const config::TemplateSettings settings_;
  const util::Clock& clock_;

  // Held across every write of this process: a sync's store and swap, a status change, a reload.
  std::mutex write_mutex_;
  // The latest status changes, numbered (at most kKeptChanges), for a sync that was reading
  // while they came. Guarded by write_mutex_.
  std::deque<std::pair<std::uint64_t, templates::StatusChange>> changes_;
  std::uint64_t changes_seq_ = 0;  // guarded by write_mutex_

  std::atomic<bool> stop_requested_{false};  // read by a sync between pages
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;                     // guarded by mutex_
  std::set<std::string> requested_;           // accounts to sync soon; guarded by mutex_
  std::optional<std::int64_t> version_seen_;  // the sg-templates thread's
  std::thread thread_;
};

}  // namespace socialgate::template_sync
