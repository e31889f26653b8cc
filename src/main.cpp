// socialgate: the command line. Every command's work is in app/ (serve, migrate) or auth/
// (hash-secret); this file only parses arguments and turns errors into exit codes.
#include <cstdio>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <sodium.h>

#include "app/application.hpp"
#include "app/backup_command.hpp"
#include "app/customer_commands.hpp"
#include "app/template_commands.hpp"
#include "auth/password.hpp"
#include "core/phone_number.hpp"
#include "obs/log.hpp"

#ifdef SOCIALGATE_WITH_JEMALLOC
// jemalloc reads its options from this symbol. Blocks of 1 MiB and more (a media request's
// body, its base64 and its decoded bytes) come from an arena that returns freed pages to the
// system at once: under a media load the process would otherwise keep hundreds of megabytes of
// freed 5-7 MB blocks resident for jemalloc's ten-second decay.
extern "C" {
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): jemalloc's interface
const char* malloc_conf = "oversize_threshold:1048576";
}
#endif

namespace {

int Fail(const socialgate::core::Error& e) {
  std::fprintf(stderr, "socialgate: %s\n", e.message.c_str());
  if (!e.detail.empty()) std::fprintf(stderr, "  (%s)\n", e.detail.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) {
    std::fprintf(stderr, "socialgate: libsodium could not be initialised\n");
    return 1;
  }
  CLI::App cli{"socialgate: a WhatsApp messaging gateway with the CTLive livechat API",
               "socialgate"};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", "socialgate " SOCIALGATE_VERSION);
  std::string log_level;
  cli.add_option("--log-level", log_level,
                 "trace, debug, info, warn or error (default: the config's log.level, else info)");

  socialgate::app::ServeOptions serve;
  std::string listen;
  std::string storage;
  auto* serve_cmd = cli.add_subcommand("serve", "run the gateway");
  serve_cmd->add_option("--config", serve.config_path, "the TOML configuration file")->required();
  serve_cmd->add_option("--listen", listen,
                        "HOST:PORT, overrides server.listen; port 0 picks a free one");
  serve_cmd->add_option("--storage", storage,
                        "storage URL, overrides storage.url (sqlite:PATH, postgresql://...)");
  serve_cmd->footer(
      "The first line on standard output names the address it listens on. It serves until\n"
      "SIGTERM or SIGINT, then finishes the requests in flight (server.shutdown_grace_ms),\n"
      "stores what is queued and exits 0. SIGHUP reads the configuration again: users, tokens,\n"
      "numbers, rates, callback URLs and the log level change without a restart; an invalid\n"
      "file is refused and logged, and the running configuration kept (docs/operations.md).\n"
      "Under systemd (Type=notify, the unit in deploy/systemd/) it reports READY=1 once its\n"
      "port answers, RELOADING=1 during a reload and STOPPING=1 as it stops.");

  auto* check_cmd = cli.add_subcommand("check-config", "validate a configuration file and exit");
  check_cmd->add_option("--config", serve.config_path, "the TOML configuration file")->required();

  auto* migrate_cmd =
      cli.add_subcommand("migrate", "create or upgrade the database schema and exit");
  migrate_cmd->add_option("--config", serve.config_path, "the TOML configuration file")->required();
  migrate_cmd->add_option("--storage", storage, "storage URL, overrides storage.url");

  // templates sync | list
  bool json = false;
  socialgate::app::TemplateListOptions template_list;
  auto* templates_cmd =
      cli.add_subcommand("templates", "the template catalogs (docs/templates.md)");
  templates_cmd->require_subcommand(1);
  auto* templates_sync = templates_cmd->add_subcommand(
      "sync",
      "synchronise every catalog now (exit status 1 when one failed; its old catalog stays)");
  auto* templates_list =
      templates_cmd->add_subcommand("list", "list the catalogs' templates as a table");
  for (auto* sub : {templates_sync, templates_list}) {
    sub->add_option("--config", serve.config_path, "the TOML configuration file")->required();
    sub->add_option("--storage", storage, "storage URL, overrides storage.url");
    sub->add_flag("--json", json, "JSON for scripts instead of a table");
  }
  templates_list->add_option("--number", template_list.number, "only this business number's");
  templates_list->add_option("--name", template_list.name, "only templates of this name");
  templates_list->add_option("--language", template_list.language, "only this language");
  templates_list->add_option("--status", template_list.status, "only this status, e.g. APPROVED");

  // customers erase
  socialgate::app::CustomerEraseOptions customer_erase;
  auto* customers_cmd =
      cli.add_subcommand("customers", "a customer's data (GDPR requests; docs/api.md)");
  customers_cmd->require_subcommand(1);
  auto* customers_erase = customers_cmd->add_subcommand(
      "erase", "delete every message to and from a customer in a domain, their chats and media");
  customers_erase->add_option("--config", serve.config_path, "the TOML configuration file")
      ->required();
  customers_erase->add_option("--storage", storage, "storage URL, overrides storage.url");
  customers_erase->add_option("--domain", customer_erase.domain, "the domain")->required();
  customers_erase->add_option("--phone", customer_erase.phone, "the customer's number")->required();
  customers_erase->add_flag("--json", customer_erase.json, "JSON for scripts instead of a line");

  // version
  bool version_json = false;
  auto* version_cmd = cli.add_subcommand("version", "print the version and exit");
  version_cmd->add_flag("--json", version_json, "JSON for scripts instead of a line");

  // backup
  socialgate::app::BackupOptions backup;
  auto* backup_cmd = cli.add_subcommand(
      "backup", "copy the SQLite database, consistently, while the gateway serves");
  backup_cmd->add_option("--config", serve.config_path, "the TOML configuration file")->required();
  backup_cmd->add_option("--storage", storage, "storage URL, overrides storage.url");
  backup_cmd->add_option("--to", backup.to, "the backup file (replaced once the copy is whole)")
      ->required();
  backup_cmd->add_flag("--json", backup.json, "JSON for scripts instead of a line");

  auto* hash_cmd = cli.add_subcommand(
      "hash-secret", "read a password or token from standard input, print its argon2id hash");
  hash_cmd->footer(
      "For a user's password_hash (or a domain's api_token_hash) in the config:\n"
      "  echo -n 'a long random password' | socialgate hash-secret");

  cli.footer(
      "A command that fails prints `socialgate: <reason>` on standard error and exits 1.\n"
      "`socialgate COMMAND --help` describes a command. The configuration's keys are in\n"
      "docs/configuration.md (`check-config` validates a file); the docs (docs/ in the source,\n"
      "PREFIX/share/doc/socialgate once installed) cover the API and operations: metrics,\n"
      "backups, the systemd unit, the container.");

  CLI11_PARSE(cli, argc, argv);
  if (!listen.empty()) serve.listen = listen;
  if (!storage.empty()) serve.storage = storage;

  if (*version_cmd) {
    if (version_json) {
      std::printf("{\"name\":\"socialgate\",\"version\":\"%s\"}\n", SOCIALGATE_VERSION);
    } else {
      std::printf("socialgate %s\n", SOCIALGATE_VERSION);
    }
    return 0;
  }
  if (*hash_cmd) {
    std::string secret;
    std::getline(std::cin, secret);
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
    if (secret.empty()) {
      std::fprintf(stderr, "socialgate: hash-secret: standard input held no secret\n");
      return 1;
    }
    auto hash = socialgate::auth::HashSecret(secret);
    sodium_memzero(secret.data(), secret.size());
    if (!hash) return Fail(hash.error());
    std::printf("%s\n", hash->c_str());
    return 0;
  }

  socialgate::obs::SetUpLogging(log_level.empty() ? "info" : log_level);
  if (!log_level.empty()) serve.log_level = log_level;
  if (*check_cmd) {
    auto cfg = socialgate::app::LoadEffectiveConfig(serve);
    if (!cfg) return Fail(cfg.error());
    std::printf("%s: ok (%zu domains)\n", serve.config_path.c_str(), cfg->domains.size());
    return 0;
  }
  if (*migrate_cmd) {
    auto r = socialgate::app::Migrate(serve);
    if (!r) return Fail(r.error());
    std::printf("socialgate: the database schema is up to date\n");
    return 0;
  }
  if (*templates_sync) {
    auto code = socialgate::app::SyncTemplates(serve, json, stdout);
    if (!code) return Fail(code.error());
    return *code;
  }
  if (*templates_list) {
    template_list.json = json;
    if (!template_list.number.empty()) {
      auto phone = socialgate::core::NormalizePhoneNumber("--number", template_list.number);
      if (!phone) return Fail(phone.error());
      template_list.number = *phone;
    }
    auto code = socialgate::app::ListTemplates(serve, template_list, stdout);
    if (!code) return Fail(code.error());
    return *code;
  }
  if (*backup_cmd) {
    auto code = socialgate::app::BackupStorage(serve, backup, stdout);
    if (!code) return Fail(code.error());
    return *code;
  }
  if (*customers_erase) {
    auto code = socialgate::app::EraseCustomer(serve, customer_erase, stdout);
    if (!code) return Fail(code.error());
    return *code;
  }
  auto r = socialgate::app::Serve(serve);
  if (!r) return Fail(r.error());
  return 0;
}
