// File: providers/registry.hpp
//
// Makes the provider of a configured business number from the provider kind it names
// (config::BusinessNumber::provider): one maker per kind, in one table (registry.cpp). Each
// maker holds what its provider needs to know, its rate limits included, so the application
// asks for a number's provider and knows no provider by name.
//
// A new provider: a folder under providers/ with its Make...Provider function, a row in
// registry.cpp, and its kind and name in config/provider_kind.hpp (the configuration accepts it;
// a unit test holds the two lists equal).
//
// Thread safety: pure functions over a constant table.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "config/config.hpp"
#include "core/error.hpp"
#include "net/http_client.hpp"
#include "providers/provider.hpp"
#include "templates/catalog.hpp"
#include "util/timer_queue.hpp"

namespace socialgate::providers {

// What makers may hand their providers; each must outlive every provider made with it.
struct ProviderServices {
  StatusSink& statuses;      // where delivery statuses reported later go
  util::TimerQueue& timers;  // for providers that act later (the sandbox's reports)
  net::HttpClient& http;     // the one connection pool of every provider that talks HTTP
  // The template catalogs, whose templates' shapes a provider's payloads follow; may be null.
  const templates::Catalogs* catalogs = nullptr;
};

using ProviderMaker = ProviderPtr (*)(const config::BusinessNumber& number,
                                      const ProviderServices& services);

// Where a number's delivery statuses come from: the source of its status webhook events
// (webhooks/intake.hpp) and the phone_number_id those events name it by.
struct StatusSource {
  std::string source;
  std::string phone_number_id;
};

struct ProviderEntry {
  config::ProviderKind kind;
  ProviderMaker make;
  StatusSource (*status_source)(const config::BusinessNumber& number);
};

// Every provider this build knows, in the order of config::kProviderNames.
std::span<const ProviderEntry> ProviderRegistry();

// Makes the provider of kind `number.provider`. A kind with no maker is kInvalidArgument naming
// the number and the kind (the unit test that holds the lists equal keeps that from happening).
core::Result<ProviderPtr> MakeProvider(const config::BusinessNumber& number,
                                       const ProviderServices& services);

// The number's StatusSource; nullopt for a kind with no entry (see MakeProvider).
std::optional<StatusSource> StatusSourceOf(const config::BusinessNumber& number);

}  // namespace socialgate::providers
