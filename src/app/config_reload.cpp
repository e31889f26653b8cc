#include "app/config_reload.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "obs/log.hpp"
#include "providers/registry.hpp"

namespace socialgate::app {
namespace {

std::string MaskedList(const std::vector<std::string>& phones) {
  std::string out;
  for (const auto& phone : phones) {
    if (!out.empty()) out += ", ";
    out += obs::MaskPhone(phone);
  }
  return out.empty() ? "none" : out;
}

}  // namespace

std::vector<webhooks::Route> WebhookRoutes(const config::Config& config) {
  std::vector<webhooks::Route> routes;
  for (const auto& domain : config.domains) {
    for (const auto& number : domain.numbers) {
      if (auto source = providers::StatusSourceOf(number)) {
        routes.push_back({std::move(source->source), std::move(source->phone_number_id),
                          number.phone, domain.name});
      }
    }
  }
  return routes;
}

std::map<std::string, webhooks::CallbackTarget, std::less<>> CallbackTargets(
    const config::Config& config) {
  std::map<std::string, webhooks::CallbackTarget, std::less<>> targets;
  for (const auto& domain : config.domains) {
    if (!domain.callbacks) continue;
    targets.emplace(domain.name,
                    webhooks::CallbackTarget{domain.callbacks->url, domain.callbacks->secret,
                                             domain.callbacks->timeout, domain.callbacks->max_age});
  }
  return targets;
}

std::vector<std::string> RestartOnlyChanges(const config::Config& running,
                                            const config::Config& next) {
  std::vector<std::string> out;
  if (!(running.server == next.server)) out.emplace_back("server");
  if (running.storage_url != next.storage_url) out.emplace_back("storage.url");
  // [dispatch] max_outbox is read at each send (api/send_pipeline.cpp); the rest at start.
  config::DispatchSettings dispatch = next.dispatch;
  dispatch.max_outbox = running.dispatch.max_outbox;
  if (!(running.dispatch == dispatch)) out.emplace_back("dispatch");
  if (!(running.webhooks == next.webhooks)) out.emplace_back("webhooks");
  if (!(running.templates == next.templates)) out.emplace_back("templates");
  if (!(running.conversations == next.conversations)) out.emplace_back("conversations");
  if (running.extra_languages != next.extra_languages) out.emplace_back("languages");
  for (const auto& domain : next.domains) {
    const config::Domain* was = running.FindDomain(domain.name);
    const auto content_retention =
        was == nullptr ? std::chrono::milliseconds(0) : was->content_retention;
    if (domain.content_retention != content_retention) {
      out.push_back("domains." + domain.name + ".content_retention_ms");
    }
    const auto message_retention =
        was == nullptr ? std::chrono::milliseconds(0) : was->message_retention;
    if (domain.message_retention != message_retention) {
      out.push_back("domains." + domain.name + ".message_retention_ms");
    }
  }
  for (const auto& domain : running.domains) {
    if (next.FindDomain(domain.name) != nullptr) continue;
    if (domain.content_retention.count() > 0) {
      out.push_back("domains." + domain.name + ".content_retention_ms");
    }
    if (domain.message_retention.count() > 0) {
      out.push_back("domains." + domain.name + ".message_retention_ms");
    }
  }
  return out;
}

std::vector<webhooks::Route> MergedRoutes(std::vector<webhooks::Route> routes,
                                          std::vector<webhooks::Route> earlier) {
  for (auto& route : earlier) {
    const bool replaced = std::any_of(routes.begin(), routes.end(), [&](const webhooks::Route& r) {
      return r.source == route.source && r.phone_number_id == route.phone_number_id;
    });
    if (!replaced) routes.push_back(std::move(route));
  }
  return routes;
}

ConfigReloader::ConfigReloader(ServeOptions options, ReloadTargets targets)
    : options_(std::move(options)),
      targets_(targets),
      routes_(WebhookRoutes(targets.config.Current())) {}

core::Result<ReloadReport> ConfigReloader::Reload() {
  spdlog::info("config: reloading {} (SIGHUP)", options_.config_path);
  auto loaded = LoadEffectiveConfig(options_);
  if (!loaded) {
    spdlog::error("config: reload refused, the running configuration is kept: {}{}{}",
                  loaded.error().message, loaded.error().detail.empty() ? "" : ": ",
                  loaded.error().detail);
    return tl::unexpected(loaded.error());
  }
  const config::Config& running = targets_.config.Current();
  // The providers first: the one step that can fail (a maker refusing a number) fails before
  // anything else changed.
  auto numbers = targets_.providers.Update(*loaded);
  if (!numbers) {
    spdlog::error("config: reload refused, the running configuration is kept: {}",
                  numbers.error().message);
    return tl::unexpected(numbers.error());
  }
  ReloadReport report;
  report.numbers = std::move(*numbers);
  report.restart_only = RestartOnlyChanges(running, *loaded);
  const config::Config& next = targets_.config.Replace(std::move(*loaded));
  report.generation = targets_.config.generations();

  // Routes before the numbers are taken: a status of a new number's first send finds its route.
  // A removed number's route stays, so the reports of what it sent still apply.
  routes_ = MergedRoutes(WebhookRoutes(next), std::move(routes_));
  targets_.intake.SetRoutes(routes_);
  targets_.dispatcher.Reconfigure(next);
  // The targets before the store writes callbacks for a new domain: none is claimed before its
  // URL is known.
  auto callback_targets = CallbackTargets(next);
  std::vector<std::string> callback_domains;
  for (const auto& [domain, target] : callback_targets) callback_domains.push_back(domain);
  targets_.callback_sender.SetTargets(std::move(callback_targets));
  targets_.callbacks.SetCallbackDomains(std::move(callback_domains));
  if (targets_.on_reloaded) targets_.on_reloaded(next);

  for (const auto& setting : report.restart_only) {
    spdlog::warn("config: reload: {} changed; it takes effect at the next start", setting);
  }
  spdlog::info(
      "config: reloaded {} (configuration {}): {} domains; numbers added: {}; changed: {}; "
      "removed: {}",
      options_.config_path, report.generation, next.domains.size(),
      MaskedList(report.numbers.added), MaskedList(report.numbers.changed),
      MaskedList(report.numbers.removed));
  // Last, so that the reload's own lines are written at the level they were asked at.
  obs::ConfigureLogging(options_.log_level.value_or(next.log.level),
                        next.log.format == "json" ? obs::LogFormat::kJson : obs::LogFormat::kText);
  return report;
}

}  // namespace socialgate::app
