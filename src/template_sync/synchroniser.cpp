#include "template_sync/synchroniser.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "templates/catalog_json.hpp"
#include "templates/send_check.hpp"
#include "util/thread_name.hpp"

namespace socialgate::template_sync {
namespace {

// A failed account is tried again after this, doubling, at most every sync_interval.
constexpr std::chrono::milliseconds kFirstRetry{30'000};

// Status changes kept for the syncs reading while they came (one sync reads at a time).
constexpr std::size_t kKeptChanges = 1000;

bool Matches(const templates::StatusChange& change, const templates::Template& t) {
  return change.template_id.empty() ? t.name == change.name && t.language == change.language
                                    : t.id == change.template_id;
}

core::Result<templates::TemplatePage> ReadCatalogFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::MakeError(core::ErrorCode::kNotFound, "cannot read '" + path + "'");
  }
  std::string text(templates::kMaxPageBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  auto page = templates::ReadTemplatePage(text);
  if (!page) {
    return core::MakeError(page.error().code, path + ": " + page.error().message);
  }
  return page;
}

store::StoredCatalog ToStored(const std::string& account, std::int64_t now_ms,
                              const std::vector<templates::Template>& list) {
  store::StoredCatalog stored;
  stored.account = account;
  stored.synced_at_ms = now_ms;
  for (const auto& t : list) {
    store::StoredTemplate s;
    s.name = t.name;
    s.language = t.language;
    s.template_id = t.id;
    s.status = t.status;
    s.category = t.category;
    s.definition = t.definition;
    s.updated_at_ms = now_ms;
    stored.templates.push_back(std::move(s));
  }
  return stored;
}

// The catalog's templates with one version per (name, language): Meta's listing has one each;
// a file may repeat one by mistake, and the later wins.
std::vector<templates::Template> Deduplicated(std::vector<templates::Template> list) {
  std::vector<templates::Template> out;
  for (auto& t : list) {
    const auto same = std::find_if(out.begin(), out.end(), [&](const templates::Template& o) {
      return o.name == t.name && o.language == t.language;
    });
    if (same != out.end()) {
      *same = std::move(t);
    } else {
      out.push_back(std::move(t));
    }
  }
  return out;
}

}  // namespace

std::vector<CatalogSource> CatalogSourcesOf(const config::Config& config) {
  std::map<std::string, CatalogSource> by_account;
  for (const auto& domain : config.domains) {
    for (const auto& number : domain.numbers) {
      const std::string account = number.TemplateAccount();
      if (account.empty()) continue;
      auto [it, added] = by_account.try_emplace(account);
      CatalogSource& source = it->second;
      source.numbers.push_back(number.phone);
      if (!added) continue;
      source.account = account;
      if (number.provider == config::ProviderKind::kMeta) {
        const auto& m = number.meta;
        source.meta = MetaListingTarget{m.base_url,     m.api_version,     m.waba_id,
                                        m.access_token, m.connect_timeout, m.timeout};
      } else {
        source.file = number.templates_file;
      }
    }
  }
  std::vector<CatalogSource> sources;
  for (auto& [account, source] : by_account) sources.push_back(std::move(source));
  return sources;
}

std::vector<templates::AccountCatalog> ToCatalogs(const std::vector<store::StoredCatalog>& stored) {
  std::vector<templates::AccountCatalog> catalogs;
  for (const auto& c : stored) {
    std::vector<templates::Template> list;
    for (const auto& s : c.templates) {
      auto t = templates::ReadTemplateDefinition(s.definition);
      if (!t) {
        spdlog::warn("templates: the stored template {} ({}) of {} cannot be read, left out: {}",
                     s.name, s.language, templates::AccountLabel(c.account), t.error().message);
        continue;
      }
      t->status = s.status;  // a status webhook changes the columns, not the definition
      t->status_reason = s.status_reason;
      if (!s.template_id.empty()) t->id = s.template_id;
      list.push_back(std::move(*t));
    }
    catalogs.push_back(templates::AccountCatalog::Of(c.account, c.synced_at_ms, std::move(list)));
  }
  return catalogs;
}

TemplateSynchroniser::TemplateSynchroniser(templates::Catalogs& catalogs,
                                           store::TemplateCatalogs& store, net::HttpClient& http,
                                           std::vector<CatalogSource> sources,
                                           config::TemplateSettings settings,
                                           const util::Clock& clock)
    : catalogs_(catalogs),
      store_(store),
      http_(http),
      sources_(std::make_shared<const SourceList>(std::move(sources))),
      settings_(settings),
      clock_(clock) {}

std::shared_ptr<const TemplateSynchroniser::SourceList> TemplateSynchroniser::Sources() const {
  const std::lock_guard lock(sources_mutex_);
  return sources_;
}

void TemplateSynchroniser::SetSources(std::vector<CatalogSource> sources) {
  auto next = std::make_shared<const SourceList>(std::move(sources));
  std::vector<std::string> added;
  {
    const std::lock_guard lock(sources_mutex_);
    for (const auto& source : *next) {
      const bool known = std::any_of(sources_->begin(), sources_->end(),
                                     [&](const CatalogSource& s) { return s == source; });
      if (!known) added.push_back(source.account);
    }
    sources_ = std::move(next);
  }
  if (added.empty()) return;
  const std::lock_guard lock(mutex_);
  requested_.insert(added.begin(), added.end());
  wake_.notify_all();
}

TemplateSynchroniser::~TemplateSynchroniser() { Stop(); }

core::Result<void> TemplateSynchroniser::Load() {
  {
    const std::lock_guard write(write_mutex_);
    auto version = store_.CatalogVersion();  // first: a write in between is read again later
    auto stored = store_.LoadCatalogs();
    if (!stored) return tl::unexpected(stored.error());
    catalogs_.ReplaceAll(ToCatalogs(*stored), /*keep_others=*/true);
    if (version) version_seen_ = *version;
  }
  const auto sources = Sources();  // held: the loop's range must outlive it
  for (const auto& source : *sources) {
    if (!source.meta) (void)Sync(source);  // a file's failure is logged by Sync
  }
  return {};
}

SyncReport TemplateSynchroniser::Sync(const CatalogSource& source) {
  SyncReport report;
  report.account = source.account;
  const std::string label = templates::AccountLabel(source.account);
  const std::int64_t now_ms = clock_.UnixMillis();
  std::uint64_t changes_before = 0;
  {
    const std::lock_guard write(write_mutex_);
    changes_before = changes_seq_;
  }
  std::vector<templates::Template> list;
  std::unique_lock write(write_mutex_, std::defer_lock);
  if (source.meta) {
    auto fetched = FetchMetaCatalog(http_, *source.meta, [this] { return stop_requested_.load(); });
    if (!fetched) {
      report.error = fetched.error().message;
      spdlog::warn("templates: synchronising {} failed, its catalog stays as it was: {}", label,
                   report.error);
      return report;
    }
    report.pages = fetched->pages;
    report.ignored = std::move(fetched->ignored);
    list = Deduplicated(std::move(fetched->templates));
    // From here to the swap, no status change of this process comes in between; those that
    // came while the listing was read win over it (they are newer than what it says).
    write.lock();
    ReapplyChanges(source.account, changes_before, list);
    if (auto stored = store_.ReplaceCatalog(ToStored(source.account, now_ms, list)); !stored) {
      report.error = "storing the catalog failed: " + stored.error().message;
      spdlog::warn("templates: synchronising {}: {} ({})", label, report.error,
                   stored.error().detail);
      return report;
    }
  } else {
    auto page = ReadCatalogFile(source.file);
    if (!page) {
      report.error = page.error().message;
      spdlog::warn("templates: reading {} failed, its catalog stays as it was: {}", label,
                   report.error);
      return report;
    }
    report.pages = 1;
    report.ignored = std::move(page->ignored);
    list = Deduplicated(std::move(page->templates));
    write.lock();
  }
  for (const auto& note : report.ignored) {
    spdlog::warn("templates: {}: a template is left out: {}", label, note);
  }
  report.ok = true;
  report.templates = list.size();
  catalogs_.Replace(templates::AccountCatalog::Of(source.account, now_ms, std::move(list)));
  write.unlock();
  spdlog::info("templates: {} synchronised: {} templates", label, report.templates);
  return report;
}

std::vector<SyncReport> TemplateSynchroniser::SyncAll() {
  std::vector<SyncReport> reports;
  const auto sources = Sources();  // held: the loop's range must outlive it
  for (const auto& source : *sources) {
    if (stop_requested_) break;
    reports.push_back(Sync(source));
  }
  return reports;
}

void TemplateSynchroniser::ReapplyChanges(const std::string& account, std::uint64_t since,
                                          std::vector<templates::Template>& list) const {
  for (const auto& [seq, change] : changes_) {
    if (seq <= since || change.account != account) continue;
    for (auto& t : list) {
      if (!Matches(change, t)) continue;
      t.status = change.status;
      t.status_reason = change.reason;
    }
  }
}

bool TemplateSynchroniser::ApplyStatus(const templates::StatusChange& change) {
  store::TemplateStatusChange stored{change.account,  change.template_id, change.name,
                                     change.language, change.status,      clock_.UnixMillis(),
                                     change.reason};
  const auto sources = Sources();
  const auto source = std::find_if(sources->begin(), sources->end(), [&](const CatalogSource& s) {
    return s.account == change.account && s.meta.has_value();
  });
  if (source == sources->end()) {
    spdlog::info("templates: a status webhook for {}, whose catalog this gateway does not keep",
                 templates::AccountLabel(change.account));
    return true;
  }
  std::unique_lock write(write_mutex_);
  auto changed = store_.SetTemplateStatus(stored);
  if (!changed) {
    spdlog::warn("templates: recording a template status failed: {}", changed.error().detail);
    return false;
  }
  const int in_memory = catalogs_.SetStatus(change);
  changes_.emplace_back(++changes_seq_, change);
  if (changes_.size() > kKeptChanges) changes_.pop_front();
  write.unlock();
  const std::string what = change.template_id.empty() ? change.name + " (" + change.language + ")"
                                                      : "id " + change.template_id;
  spdlog::info("templates: {} template {} is now {}{}", templates::AccountLabel(change.account),
               what, change.status, change.reason.empty() ? "" : " (" + change.reason + ")");
  if (*changed == 0 && in_memory == 0) {
    const auto snapshot = catalogs_.Current();
    const auto* catalog = snapshot->Find(change.account);
    bool known = false;
    if (catalog != nullptr) {
      for (const auto& [name, versions] : catalog->by_name) {
        for (const auto& t : versions) known = known || Matches(change, t);
      }
    }
    if (!known) {  // a template the catalog does not have yet: read the account again soon
      const std::lock_guard lock(mutex_);
      requested_.insert(change.account);
      wake_.notify_all();
    }
  }
  return true;
}

void TemplateSynchroniser::Start() {
  const std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  stop_requested_ = false;
  thread_ = std::thread([this] { Run(); });
}

void TemplateSynchroniser::Stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_requested_ = true;
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TemplateSynchroniser::ReloadIfChanged() {
  // Under the write lock: a status change of this process is not undone by a load read before it.
  const std::lock_guard write(write_mutex_);
  auto version = store_.CatalogVersion();
  if (!version) {
    spdlog::warn("templates: reading the catalog version failed: {}", version.error().detail);
    return;
  }
  if (version_seen_ && *version_seen_ == *version) return;
  auto stored = store_.LoadCatalogs();
  if (!stored) {
    spdlog::warn("templates: reading the stored catalogs failed: {}", stored.error().detail);
    return;
  }
  catalogs_.ReplaceAll(ToCatalogs(*stored), /*keep_others=*/true);
  version_seen_ = *version;
}

void TemplateSynchroniser::Run() {
  util::NameThisThread("sg-templates");
  using Clock = std::chrono::steady_clock;
  struct Due {
    Clock::time_point at;
    std::chrono::milliseconds retry = kFirstRetry;
  };
  std::map<std::string, Due> due;
  // Meta's listings at once; the files were read by Load, before serving, so not again now.
  const auto first_sources = Sources();  // held: the loop's range must outlive it
  for (const auto& s : *first_sources) {
    due[s.account] = Due{s.meta ? Clock::now() : Clock::now() + settings_.sync_interval};
  }
  Clock::time_point next_reload = Clock::now() + settings_.reload_interval;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    Clock::time_point wake_at = next_reload;
    for (const auto& [account, d] : due) wake_at = std::min(wake_at, d.at);
    wake_.wait_until(lock, wake_at, [this] { return stopping_ || !requested_.empty(); });
    if (stopping_) break;
    const auto sources = Sources();
    // An account a reload took away is no longer synchronised (nor waited for).
    std::erase_if(due, [&sources](const auto& entry) {
      return std::none_of(sources->begin(), sources->end(),
                          [&entry](const CatalogSource& s) { return s.account == entry.first; });
    });
    // A status for a template not yet known, or a source a reload added: read it now.
    for (const auto& account : requested_) {
      const bool kept =
          std::any_of(sources->begin(), sources->end(),
                      [&account](const CatalogSource& s) { return s.account == account; });
      if (kept) due[account].at = Clock::now();
    }
    requested_.clear();
    lock.unlock();
    const auto now = Clock::now();
    for (const auto& source : *sources) {
      if (stop_requested_) break;
      Due& d = due[source.account];
      if (d.at > now) continue;
      const SyncReport report = Sync(source);
      if (report.ok) {
        d = Due{Clock::now() + settings_.sync_interval};
      } else {
        d.at = Clock::now() + std::min(d.retry, settings_.sync_interval);
        d.retry = std::min(d.retry * 2, settings_.sync_interval);
      }
    }
    if (Clock::now() >= next_reload) {
      ReloadIfChanged();
      next_reload = Clock::now() + settings_.reload_interval;
    }
    lock.lock();
  }
}

}  // namespace socialgate::template_sync
