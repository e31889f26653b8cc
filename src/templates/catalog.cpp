#include "templates/catalog.hpp"

#include <algorithm>
#include <utility>

namespace socialgate::templates {

const Template* AccountCatalog::Find(std::string_view name, std::string_view language) const {
  const auto it = by_name.find(name);
  if (it == by_name.end()) return nullptr;
  for (const auto& t : it->second) {
    if (t.language == language) return &t;
  }
  return nullptr;
}

std::vector<std::string> AccountCatalog::LanguagesOf(std::string_view name) const {
  std::vector<std::string> languages;
  const auto it = by_name.find(name);
  if (it == by_name.end()) return languages;
  for (const auto& t : it->second) languages.push_back(t.language);
  return languages;
}

std::size_t AccountCatalog::size() const {
  std::size_t n = 0;
  for (const auto& [name, versions] : by_name) n += versions.size();
  return n;
}

AccountCatalog AccountCatalog::Of(std::string account, std::int64_t synced_at_ms,
                                  std::vector<Template> templates) {
  AccountCatalog catalog;
  catalog.account = std::move(account);
  catalog.synced_at_ms = synced_at_ms;
  for (auto& t : templates) {
    auto& versions = catalog.by_name[t.name];
    const auto same = std::find_if(versions.begin(), versions.end(),
                                   [&](const Template& v) { return v.language == t.language; });
    if (same != versions.end()) {
      *same = std::move(t);
    } else {
      versions.push_back(std::move(t));
    }
  }
  for (auto& [name, versions] : catalog.by_name) {
    std::sort(versions.begin(), versions.end(),
              [](const Template& a, const Template& b) { return a.language < b.language; });
  }
  return catalog;
}

const AccountCatalog* Snapshot::Find(std::string_view account) const {
  const auto it = accounts.find(account);
  return it == accounts.end() ? nullptr : &it->second;
}

Catalogs::Catalogs() : current_(std::make_shared<const Snapshot>()) {}

std::shared_ptr<const Snapshot> Catalogs::Current() const {
  const std::lock_guard lock(mutex_);
  return current_;
}

void Catalogs::Replace(AccountCatalog catalog) {
  const std::lock_guard lock(mutex_);
  auto next = std::make_shared<Snapshot>(*current_);
  std::string account = catalog.account;
  next->accounts.insert_or_assign(std::move(account), std::move(catalog));
  current_ = std::move(next);
}

void Catalogs::ReplaceAll(std::vector<AccountCatalog> catalogs, bool keep_others) {
  const std::lock_guard lock(mutex_);
  auto next = keep_others ? std::make_shared<Snapshot>(*current_) : std::make_shared<Snapshot>();
  for (auto& c : catalogs) {
    std::string account = c.account;
    next->accounts.insert_or_assign(std::move(account), std::move(c));
  }
  current_ = std::move(next);
}

int Catalogs::SetStatus(const StatusChange& change) {
  const std::lock_guard lock(mutex_);
  const AccountCatalog* found = current_->Find(change.account);
  if (found == nullptr) return 0;
  const std::string reason = change.reason == "NONE" ? std::string() : change.reason;
  auto matches = [&](const Template& t) {
    return change.template_id.empty() ? t.name == change.name && t.language == change.language
                                      : t.id == change.template_id;
  };
  int changed = 0;
  for (const auto& [name, versions] : found->by_name) {
    for (const auto& t : versions) {
      if (matches(t) && (t.status != change.status || t.status_reason != reason)) ++changed;
    }
  }
  if (changed == 0) return 0;
  auto next = std::make_shared<Snapshot>(*current_);
  for (auto& [name, versions] : next->accounts.at(change.account).by_name) {
    for (auto& t : versions) {
      if (!matches(t)) continue;
      t.status = change.status;
      t.status_reason = reason;
    }
  }
  current_ = std::move(next);
  return changed;
}

}  // namespace socialgate::templates
