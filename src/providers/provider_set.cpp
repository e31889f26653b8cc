#include "providers/provider_set.hpp"

#include <mutex>
#include <utility>

namespace socialgate::providers {

core::Result<ProviderSet::Changes> ProviderSet::Update(const config::Config& config) {
  // Made before anything changes, so that a maker's error leaves the set as it was.
  std::map<std::string, Entry, std::less<>> next;
  Changes changes;
  {
    std::shared_lock lock(mutex_);
    for (const auto& domain : config.domains) {
      for (const auto& number : domain.numbers) {
        if (next.count(number.phone) != 0) continue;
        const auto it = by_number_.find(number.phone);
        if (it != by_number_.end() && it->second.number == number) continue;  // kept below
        SG_ASSIGN_OR_RETURN(ProviderPtr made, MakeProvider(number, services_));
        (it == by_number_.end() ? changes.added : changes.changed).push_back(number.phone);
        next.emplace(number.phone, Entry{number, std::move(made)});
      }
    }
  }
  std::unique_lock lock(mutex_);
  for (const auto& domain : config.domains) {
    for (const auto& number : domain.numbers) {
      if (next.count(number.phone) != 0) continue;
      auto it = by_number_.find(number.phone);
      next.emplace(number.phone, std::move(it->second));  // unchanged: the same provider
      by_number_.erase(it);
    }
  }
  for (auto& [phone, entry] : by_number_) {
    if (next.count(phone) == 0) changes.removed.push_back(phone);
    if (entry.provider) retired_.push_back(std::move(entry.provider));
  }
  by_number_.swap(next);
  return changes;
}

Provider* ProviderSet::Find(std::string_view service_phone) const {
  std::shared_lock lock(mutex_);
  const auto it = by_number_.find(service_phone);
  return it == by_number_.end() ? nullptr : it->second.provider.get();
}

std::vector<std::pair<std::string, Provider*>> ProviderSet::All() const {
  std::shared_lock lock(mutex_);
  std::vector<std::pair<std::string, Provider*>> out;
  out.reserve(by_number_.size());
  for (const auto& [phone, entry] : by_number_) out.emplace_back(phone, entry.provider.get());
  return out;
}

}  // namespace socialgate::providers
