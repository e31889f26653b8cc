#include "app/application.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include <spdlog/spdlog.h>

#include "api/auth_guard.hpp"
#include "api/livechat_api.hpp"
#include "api/request_observer.hpp"
#include "app/banner.hpp"
#include "app/config_reload.hpp"
#include "app/service_notify.hpp"
#include "auth/authenticator.hpp"
#include "auth/credential_checks.hpp"
#include "auth/lockout.hpp"
#include "auth/password.hpp"
#include "core/language.hpp"
#include "dispatch/dispatcher.hpp"
#include "http/server.hpp"
#include "inbound_media/fetcher.hpp"
#include "net/http_client.hpp"
#include "obs/log.hpp"
#include "obs/metrics.hpp"
#include "obs/security_events.hpp"
#include "providers/provider_set.hpp"
#include "providers/registry.hpp"
#include "retention/content_retention.hpp"
#include "retention/message_retention.hpp"
#include "store/storage.hpp"
#include "template_sync/synchroniser.hpp"
#include "templates/catalog.hpp"
#include "util/ids.hpp"
#include "util/stop_signals.hpp"
#include "util/timer_queue.hpp"
#include "util/work_pool.hpp"
#include "webhooks/callback_sender.hpp"
#include "webhooks/intake.hpp"

namespace socialgate::app {
namespace {

// The security event a refusal by the HTTP server itself is.
obs::SecurityEvent ServerRefusal(unsigned status) {
  switch (status) {
    case 0:
      return obs::SecurityEvent::kTooManyConnections;
    case 413:
    case 431:
      return obs::SecurityEvent::kTooLarge;
    case 503:
      return obs::SecurityEvent::kOverBudget;
    default:
      return obs::SecurityEvent::kMalformedHttp;
  }
}

// Checks of argon2id hashes waiting at once beyond which new ones get 503: each takes tens of
// milliseconds, so more would wait longer than a client does.
constexpr std::size_t kMaxWaitingCredentialChecks = 256;

// Hands each provider the messages it accepted before the last stop and has not finished
// tracking (the sandbox's simulated reports live in memory only).
void ResumeDeliveryTracking(store::DeliveryStatuses& statuses,
                            const providers::ProviderSet& providers) {
  constexpr int kMaxResumed = 100'000;
  auto unfinished = statuses.UnfinishedDeliveries(kMaxResumed);
  if (!unfinished) {
    spdlog::warn("socialgate: cannot list unfinished deliveries: {}", unfinished.error().detail);
    return;
  }
  for (const auto& d : *unfinished) {
    if (providers::Provider* provider = providers.Find(d.service_phone)) {
      provider->ResumeTracking(
          providers::TrackedMessage{d.provider_message_id, d.message_id, d.status});
    }
  }
  if (!unfinished->empty()) {
    spdlog::info("socialgate: resumed tracking of {} accepted, unfinished messages",
                 unfinished->size());
  }
}

// The providers that report statuses themselves hand them to the webhook intake.
class IntakeStatusSink final : public providers::StatusSink {
 public:
  explicit IntakeStatusSink(webhooks::WebhookIntake& intake) : intake_(intake) {}
  void OnStatusEvent(std::string_view source, std::string body) override {
    intake_.ReceiveOwn(std::string(source), std::move(body));
  }

 private:
  webhooks::WebhookIntake& intake_;
};

}  // namespace

core::Result<config::Config> LoadEffectiveConfig(const ServeOptions& options) {
  auto cfg = config::LoadConfig(options.config_path);
  if (!cfg) return cfg;
  if (options.listen) {
    auto addr = config::ParseListenAddress(*options.listen);
    if (!addr) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             "--listen: " + addr.error().message);
    }
    cfg->server.host = addr->first;
    cfg->server.port = addr->second;
  }
  if (options.storage) cfg->storage_url = *options.storage;
  return cfg;
}

core::Result<void> Migrate(const ServeOptions& options) {
  SG_ASSIGN_OR_RETURN(auto cfg, LoadEffectiveConfig(options));
  SG_ASSIGN_OR_RETURN(auto storage, store::OpenStorage(cfg.storage_url));
  return {};
}

core::Result<void> Serve(const ServeOptions& options) {
  SG_ASSIGN_OR_RETURN(auto loaded, LoadEffectiveConfig(options));
  // Every configuration in force stays alive as long as this: what a reload replaces may still
  // be in use by a request admitted before it (config/live_config.hpp).
  config::LiveConfig live_config(std::move(loaded));
  const config::Config& cfg = live_config.Current();
  obs::ConfigureLogging(options.log_level.value_or(cfg.log.level),
                        cfg.log.format == "json" ? obs::LogFormat::kJson : obs::LogFormat::kText);

  if (cfg.example) {
    // The banner's curl command must work as pasted: check its password now, not at first use.
    const config::Domain* d = cfg.FindDomain(cfg.example->domain);
    const auto* user = d == nullptr ? nullptr : [&]() -> const config::User* {
      for (const auto& u : d->users) {
        if (u.name == cfg.example->user) return &u;
      }
      return nullptr;
    }();
    if (user == nullptr || !auth::VerifySecret(user->password_hash, cfg.example->password)) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             options.config_path +
                                 ": example: user and password do not match a user of the "
                                 "example's domain");
    }
  }

  core::LanguageCatalog languages = core::LanguageCatalog::Default();
  for (const auto& code : cfg.extra_languages) languages.Add(code);

  SG_ASSIGN_OR_RETURN(auto opened, store::OpenStorage(cfg.storage_url));
  store::StoragePtr storage = std::move(opened);

  auto callback_targets = CallbackTargets(cfg);
  {
    std::vector<std::string> callback_domains;
    for (const auto& [domain, target] : callback_targets) callback_domains.push_back(domain);
    storage->callbacks().SetCallbackDomains(std::move(callback_domains));
  }
  storage->conversations().SetChatIdleTimeout(cfg.conversations.chat_idle_timeout.count());

  util::TimerQueue timers;
  webhooks::IntakeOptions intake_options;
  intake_options.hold_unmatched = cfg.webhooks.hold_unmatched;
  intake_options.keep_events = cfg.webhooks.keep_events;
  webhooks::WebhookIntake intake(storage->delivery_statuses(), WebhookRoutes(cfg), intake_options,
                                 timers);
  IntakeStatusSink sink(intake);
  // One connection pool for every number that talks to a provider over HTTP. A libcurl that
  // refuses an option the client relies on (the guard against re-sending a POST among them)
  // stops the start here, with the option named. As many connections to one host as the
  // dispatcher's sends and the callbacks can have in flight: requests beyond a host's limit wait
  // in a list libcurl walks on every request that ends (issue 21: a quarter of the CPU with
  // 3,000 waiting, at max_in_flight 4,096 and a 200 ms answer).
  // The callback sender's options are made here so the client is sized by the very in-flight
  // count the sender is given (its owner is set once the dispatcher exists).
  webhooks::CallbackSenderOptions callback_options;
  net::CurlClientOptions client_options;
  const long in_flight = static_cast<long>(cfg.dispatch.max_in_flight) +  // NOLINT(runtime/int)
                         callback_options.max_in_flight;
  client_options.max_host_connections = std::max(client_options.max_host_connections, in_flight);
  client_options.max_connections =
      std::max(client_options.max_connections, 2 * client_options.max_host_connections);
  SG_ASSIGN_OR_RETURN(auto made_client, net::MakeCurlHttpClient(client_options));
  net::HttpClientPtr http_client = std::move(made_client);
  // The template catalogs: what was stored and the sandbox's files, known before the first
  // request; Meta's listings are read again by the synchroniser's thread once it starts.
  templates::Catalogs catalogs;
  template_sync::TemplateSynchroniser template_synchroniser(
      catalogs, storage->template_catalogs(), *http_client, template_sync::CatalogSourcesOf(cfg),
      cfg.templates);
  SG_RETURN_IF_ERROR(template_synchroniser.Load());
  intake.SetTemplateStatusSink([&template_synchroniser](const webhooks::TemplateStatusUpdate& u) {
    return template_synchroniser.ApplyStatus(
        templates::StatusChange{u.account, u.template_id, u.name, u.language, u.status, u.reason});
  });
  // The media of customers' messages, downloaded in the background on a client of its own: its
  // answers are files up to media_max_bytes, not the providers' small JSON.
  net::CurlClientOptions media_client_options;
  media_client_options.max_response_bytes = cfg.conversations.media_max_bytes + 64 * 1024;
  SG_ASSIGN_OR_RETURN(auto made_media_client, net::MakeCurlHttpClient(media_client_options));
  net::HttpClientPtr media_client = std::move(made_media_client);
  inbound_media::FetcherOptions media_options;
  media_options.max_bytes = cfg.conversations.media_max_bytes;
  media_options.max_age = cfg.conversations.media_max_age;
  media_options.retry_first = cfg.conversations.media_retry;
  inbound_media::MediaFetcher media_fetcher(storage->conversations(), *media_client,
                                            inbound_media::GraphTargetsOf(cfg), media_options);
  std::vector<retention::DomainRetention> retained;
  for (const auto& domain : cfg.domains) {
    if (domain.content_retention.count() > 0) {
      retained.push_back({domain.name, domain.content_retention});
    }
  }
  retention::ContentRetention content_retention(storage->conversations(), std::move(retained),
                                                cfg.conversations.retention_interval);
  std::vector<retention::DomainRetention> deleted_after;
  for (const auto& domain : cfg.domains) {
    if (domain.message_retention.count() > 0) {
      deleted_after.push_back({domain.name, domain.message_retention});
    }
  }
  retention::MessageRetention message_retention(*storage, std::move(deleted_after),
                                                cfg.conversations.retention_interval);
  providers::ProviderServices provider_services{sink, timers, *http_client};
  provider_services.catalogs = &catalogs;
  providers::ProviderSet providers_by_number(provider_services);
  SG_RETURN_IF_ERROR(providers_by_number.Update(cfg));
  dispatch::Dispatcher dispatcher(
      storage->outbox(), storage->number_leases(),
      [&providers_by_number](std::string_view phone) { return providers_by_number.Find(phone); },
      cfg);
  callback_options.owner = dispatcher.owner();
  webhooks::CallbackSender callback_sender(storage->callbacks(), *http_client,
                                           std::move(callback_targets), callback_options);
  util::WorkPool workers(static_cast<std::size_t>(cfg.server.workers), "sg-request");
  auth::Authenticator authenticator(storage->sessions());
  auth::CredentialChecks credential_checks(authenticator,
                                           static_cast<std::size_t>(cfg.server.credential_workers),
                                           kMaxWaitingCredentialChecks);
  auth::Lockout lockout(&storage->trusted_addresses());
  if (auto trusted = lockout.Load(util::NowUnixMillis()); !trusted) {
    spdlog::warn(
        "socialgate: trusted login addresses not read, users' own locks apply "
        "everywhere until they log in again: {}",
        trusted.error().detail);
  }
  obs::SecurityEvents security_events;
  api::AuthGuard guard({.authenticator = &authenticator,
                        .checks = &credential_checks,
                        .lockout = &lockout,
                        .workers = &workers,
                        .timers = &timers,
                        .events = &security_events});

  api::ApiDependencies deps;
  deps.config = &live_config;
  deps.languages = &languages;
  deps.authenticator = &authenticator;
  deps.guard = &guard;
  deps.outbox = &storage->outbox();
  deps.idempotency_keys = &storage->idempotency_keys();
  deps.dispatcher = &dispatcher;
  deps.workers = &workers;
  deps.timers = &timers;
  deps.webhook_intake = &intake;
  deps.callbacks = &storage->callbacks();
  deps.catalogs = &catalogs;
  deps.conversations = &storage->conversations();
  api::LivechatApi api(deps);
  // The outbox's depth and how late its most overdue message is, read at each scrape (two
  // index reads on the store, on the scraping worker).
  auto& outbox_depth = obs::DefaultRegistry().AddGauge(
      "socialgate_outbox_messages",
      "Messages queued or being sent (the outbox's depth), counted at each scrape.");
  auto& oldest_due = obs::DefaultRegistry().AddGauge(
      "socialgate_outbox_oldest_due_age_seconds",
      "How long the queued message most overdue has been due (0 when none is overdue).");
  const auto outbox_metrics =
      obs::DefaultRegistry().AddCollector([&storage, &outbox_depth, &oldest_due] {
        if (auto pending = storage->outbox().PendingCount()) {
          outbox_depth.Get().Set(static_cast<double>(*pending));
        }
        if (auto due = storage->outbox().OldestQueuedDueAt()) {
          const std::int64_t late_ms = due->has_value() ? util::NowUnixMillis() - **due : 0;
          oldest_due.Get().Set(late_ms > 0 ? static_cast<double>(late_ms) / 1000 : 0);
        }
      });

  http::ServerOptions server_options;
  server_options.host = cfg.server.host;
  server_options.port = cfg.server.port;
  server_options.threads = cfg.server.threads;
  server_options.max_body_bytes = cfg.server.max_body_bytes;
  server_options.body_budget_bytes = cfg.server.body_budget_bytes;
  server_options.max_read_ahead_bytes = cfg.server.max_unauthenticated_body_bytes;
  server_options.max_header_bytes = cfg.server.max_header_bytes;
  server_options.header_timeout = cfg.server.header_timeout;
  server_options.read_timeout = cfg.server.read_timeout;
  server_options.idle_timeout = cfg.server.idle_timeout;
  server_options.max_connections = cfg.server.max_connections;
  server_options.shutdown_grace = cfg.server.shutdown_grace;
  server_options.trusted_proxies = cfg.server.trusted_proxies;
  server_options.tls_cert_file = cfg.server.tls_cert_file;
  server_options.tls_key_file = cfg.server.tls_key_file;
  server_options.on_refused = [&security_events](std::string_view address, unsigned status,
                                                 std::string_view reason) {
    security_events.Record(ServerRefusal(status), address, {}, reason);
  };
  server_options.on_answered = api::RequestObserver(obs::DefaultRegistry());
  auto server = http::HttpServer::Create(
      server_options,
      http::Admitter([&api](const http::HttpRequest& head, http::AdmissionResponder decide) {
        api.Admit(head, std::move(decide));
      }));
  if (!server) return tl::unexpected(server.error());
  // The application owns shutdown: SIGINT or SIGTERM stops the server (the drain below follows);
  // later signals are swallowed until everything below has stopped.
  http::HttpServer* serving = server->get();
  ConfigReloader reloader(
      options, ReloadTargets{.config = live_config,
                             .providers = providers_by_number,
                             .dispatcher = dispatcher,
                             .callback_sender = callback_sender,
                             .callbacks = storage->callbacks(),
                             .intake = intake,
                             .on_reloaded = [&media_fetcher,
                                             &template_synchroniser](const config::Config& n) {
                               media_fetcher.SetTargets(inbound_media::GraphTargetsOf(n));
                               template_synchroniser.SetSources(template_sync::CatalogSourcesOf(n));
                             }});
  auto signals = util::StopSignals::Watch(
      [serving](int signal) {
        spdlog::info("http: signal {} received, shutting down", signal);
        NotifyStopping();
        serving->Stop();
      },
      [&reloader](int) {
        NotifyReloading();
        const bool reloaded = reloader.Reload().has_value();
        NotifyReady(reloaded ? "serving; configuration reloaded"
                             : "serving; the last reload was refused (see the log)");
      });
  if (!signals) return tl::unexpected(signals.error());

  if (!cfg.webhooks.meta) {
    for (const auto& domain : cfg.domains) {
      for (const auto& number : domain.numbers) {
        if (number.provider == config::ProviderKind::kMeta) {
          spdlog::warn(
              "socialgate: business number {} is sent through Meta but [webhooks.meta] is not "
              "configured: its messages stay `accepted`, Meta's status callbacks have nowhere "
              "to go (docs/webhooks.md)",
              number.phone);
        }
      }
    }
  }
  ResumeDeliveryTracking(storage->delivery_statuses(), providers_by_number);
  intake.Start();
  dispatcher.Start();
  callback_sender.Start();
  template_synchroniser.Start();
  media_fetcher.Start();
  content_retention.Start();
  message_retention.Start();
  std::fputs(StartupBanner(cfg, cfg.server.host, (*server)->port()).c_str(), stdout);
  std::fflush(stdout);
  spdlog::info("socialgate: serving {} domains, storage {}, dispatcher {}", cfg.domains.size(),
               cfg.storage_url, dispatcher.owner());
  NotifyReady("serving on port " + std::to_string((*server)->port()));

  (*server)->Run();

  // The HTTP side has drained; finish queued request work and the writes it queued (their
  // callbacks use the dispatcher and timers), then stop sending and hand this instance's leases
  // back so the next start resumes at once. The timers stop before the webhook intake (the
  // sandbox's reports and the intake's retries are timers); the intake waits for the
  // applications it queued, and the last drain answers the events still being stored (their
  // callbacks use the intake) before it goes. Events stored and not applied are applied at the
  // next start.
  credential_checks.Shutdown();
  workers.Shutdown();
  template_synchroniser.Stop();
  media_fetcher.Stop();
  content_retention.Stop();
  message_retention.Stop();
  storage->Drain();
  dispatcher.Stop();
  callback_sender.Stop();
  timers.Stop();
  intake.Stop();
  storage->Drain();
  spdlog::info("socialgate: stopped");
  return {};
}

}  // namespace socialgate::app
