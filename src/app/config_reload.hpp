// File: app/config_reload.hpp
//
// SIGHUP: the configuration file is read again and, when it is valid, put in force without a
// restart and without dropping a connection or a message (docs/operations.md, "Reload"):
//   - each domain's users, API token, numbers, ack mode and timeouts, session lifetime,
//     template policy and retry limits: every request admitted after the reload reads them
//     (config::LiveConfig); requests already admitted finish with the configuration they began
//     with;
//   - business numbers: a new or changed number gets a new provider (a rotated access token
//     included), is paced at its rate and taken by this instance, its status webhooks routed,
//     its customers' media fetched with its credentials, and its template catalog read at once;
//     a number removed is no longer sent for (its queued messages fail as they would after a
//     restart without it), while the status reports of what it sent are still applied;
//   - callback URLs, secrets and timeouts;
//   - [dispatch] max_outbox (the back-pressure limit);
//   - the log level and format (a --log-level given on the command line keeps winning).
// Everything else (the listener, TLS, storage, the rest of [dispatch], [webhooks], [templates],
// [conversations], extra languages, a domain's content and message retention) is read at start
// only: a reload that changes it applies the rest and logs, for each such setting, that it takes
// effect at the next start.
//
// An invalid file is refused as a whole, with the reason in the log; the running configuration
// stays in force.
//
// Thread safety: Reload from one thread at a time (the signal watcher's).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "app/application.hpp"
#include "config/config.hpp"
#include "config/live_config.hpp"
#include "core/error.hpp"
#include "dispatch/dispatcher.hpp"
#include "providers/provider_set.hpp"
#include "store/callbacks.hpp"
#include "webhooks/callback_sender.hpp"
#include "webhooks/intake.hpp"

namespace socialgate::app {

// What a reload reaches; each must outlive the reloader.
struct ReloadTargets {
  config::LiveConfig& config;
  providers::ProviderSet& providers;
  dispatch::Dispatcher& dispatcher;
  webhooks::CallbackSender& callback_sender;
  store::Callbacks& callbacks;
  webhooks::WebhookIntake& intake;
  // The rest of what a reload reaches (the inbound media's credentials, the template catalogs'
  // sources), given the configuration just put in force; may be empty.
  std::function<void(const config::Config&)> on_reloaded;
};

struct ReloadReport {
  std::size_t generation = 0;  // 1 + the reloads applied so far
  providers::ProviderSet::Changes numbers;
  std::vector<std::string> restart_only;  // RestartOnlyChanges
};

class ConfigReloader {
 public:
  ConfigReloader(ServeOptions options, ReloadTargets targets);

  // Reads the file again and puts it in force; an error (the file is invalid, a provider cannot
  // be made) changes nothing. Logs what happened either way.
  core::Result<ReloadReport> Reload();

 private:
  const ServeOptions options_;
  ReloadTargets targets_;
  std::vector<webhooks::Route> routes_;  // the webhook intake's: every number configured so far
};

// The settings that differ between `running` and `next` and that only a restart applies, each
// named as in the file ("server", "storage.url", "domains.acme.content_retention_ms", ...).
std::vector<std::string> RestartOnlyChanges(const config::Config& running,
                                            const config::Config& next);

// What the running parts take from a configuration: the webhook routes of its numbers and the
// callback targets of its domains.
std::vector<webhooks::Route> WebhookRoutes(const config::Config& config);
// `routes`, and those of `earlier` whose source and phone_number_id it has not: the reports of
// what a number removed by a reload sent are still applied to its messages.
std::vector<webhooks::Route> MergedRoutes(std::vector<webhooks::Route> routes,
                                          std::vector<webhooks::Route> earlier);
std::map<std::string, webhooks::CallbackTarget, std::less<>> CallbackTargets(
    const config::Config& config);

}  // namespace socialgate::app
