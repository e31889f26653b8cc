// File: providers/provider_set.hpp
//
// The provider of each configured business number, found by the number (E.164 digits), and
// rebuilt at a configuration reload: a number that is new, or whose settings changed (a rotated
// access token, another phone_number_id), gets a new provider; one that stayed the same keeps
// its own (its media cache, its tracked messages); one no longer configured has none.
//
// A provider replaced or removed is kept until the set is destroyed, never freed earlier: sends
// and reports already in flight on it finish as they began (Find's pointer stays valid).
//
// Thread safety: Find and Numbers from any thread; Update from one at a time.
#pragma once

#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "core/error.hpp"
#include "providers/provider.hpp"
#include "providers/registry.hpp"

namespace socialgate::providers {

class ProviderSet {
 public:
  // `services` must outlive the set.
  explicit ProviderSet(const ProviderServices& services) : services_(services) {}
  ProviderSet(const ProviderSet&) = delete;
  ProviderSet& operator=(const ProviderSet&) = delete;

  // What an Update changed, by number.
  struct Changes {
    std::vector<std::string> added;
    std::vector<std::string> changed;
    std::vector<std::string> removed;
  };

  // Makes the providers `config` needs (all or nothing: when one cannot be made, the set stays
  // as it was and the error names the number).
  core::Result<Changes> Update(const config::Config& config);

  // The number's provider; nullptr when the number is not configured.
  Provider* Find(std::string_view service_phone) const;
  // Every configured number with its provider.
  std::vector<std::pair<std::string, Provider*>> All() const;

 private:
  struct Entry {
    config::BusinessNumber number;
    ProviderPtr provider;
  };

  const ProviderServices& services_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, Entry, std::less<>> by_number_;
  std::vector<ProviderPtr> retired_;  // replaced or removed: alive until the set goes
};

}  // namespace socialgate::providers
