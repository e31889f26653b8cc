#include "app/command_line.hpp"

#include <cstdio>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <sodium.h>

#include "app/application.hpp"
#include "app/backup_command.hpp"
#include "app/customer_commands.hpp"
#include "app/exit_codes.hpp"
#include "app/message_commands.hpp"
#include "app/template_commands.hpp"
#include "auth/password.hpp"
#include "config/config.hpp"
#include "core/phone_number.hpp"
#include "obs/log.hpp"
#include "store/records.hpp"

namespace socialgate::app {
namespace {

int Fail(const core::Error& e, int exit_code) {
  std::fprintf(stderr, "socialgate: %s\n", e.message.c_str());
  if (!e.detail.empty()) std::fprintf(stderr, "  (%s)\n", e.detail.c_str());
  return exit_code;
}

// A command's outcome: its own exit status, or its error's (ExitCodeFor).
int Finish(const core::Result<int>& code) {
  if (!code) return Fail(code.error(), ExitCodeFor(code.error()));
  return *code;
}

int HashSecret() {
  std::string secret;
  std::getline(std::cin, secret);
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  if (secret.empty()) {
    std::fprintf(stderr, "socialgate: hash-secret: standard input held no secret\n");
    return kExitFailed;
  }
  auto hash = auth::HashSecret(secret);
  sodium_memzero(secret.data(), secret.size());
  if (!hash) return Fail(hash.error(), kExitFailed);
  std::printf("%s\n", hash->c_str());
  return kExitOk;
}

// Every command that reads a configuration file takes it, and most a storage override.
void AddConfig(CLI::App* cmd, ServeOptions& serve) {
  cmd->add_option("--config", serve.config_path, "the TOML configuration file")->required();
}
void AddStorage(CLI::App* cmd, std::string& storage) {
  cmd->add_option("--storage", storage, "storage URL, overrides storage.url");
}

}  // namespace

int RunCommandLine(int argc, char** argv, const char* version) {
  CLI::App cli{"socialgate: a WhatsApp messaging gateway with the CTLive livechat API",
               "socialgate"};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", std::string("socialgate ") + version);
  cli.footer(std::string(kExitCodesHelp) +
             "\n\nA command that fails prints `socialgate: <reason>` on standard error.\n"
             "`socialgate COMMAND --help` describes a command. The configuration's keys are in\n"
             "docs/configuration.md (`check-config` validates a file); the docs (docs/ in the\n"
             "source, PREFIX/share/doc/socialgate once installed) cover the API and operations:\n"
             "metrics, reload, backups, retention, the systemd unit, the container.");
  std::string log_level;
  cli.add_option("--log-level", log_level,
                 "trace, debug, info, warn or error (default: the config's log.level, else info)");

  ServeOptions serve;
  std::string listen;
  std::string storage;
  auto* serve_cmd = cli.add_subcommand("serve", "run the gateway");
  AddConfig(serve_cmd, serve);
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
  AddConfig(check_cmd, serve);

  auto* migrate_cmd =
      cli.add_subcommand("migrate", "create or upgrade the database schema and exit");
  AddConfig(migrate_cmd, serve);
  AddStorage(migrate_cmd, storage);

  // templates sync | list
  bool json = false;
  TemplateListOptions template_list;
  auto* templates_cmd =
      cli.add_subcommand("templates", "the template catalogs (docs/templates.md)");
  templates_cmd->require_subcommand(1);
  auto* templates_sync = templates_cmd->add_subcommand(
      "sync",
      "synchronise every catalog now (exit status 1 when one failed; its old catalog stays)");
  auto* templates_list =
      templates_cmd->add_subcommand("list", "list the catalogs' templates as a table");
  for (auto* sub : {templates_sync, templates_list}) {
    AddConfig(sub, serve);
    AddStorage(sub, storage);
    sub->add_flag("--json", json, "JSON for scripts instead of a table");
  }
  templates_list->add_option("--number", template_list.number, "only this business number's");
  templates_list->add_option("--name", template_list.name, "only templates of this name");
  templates_list->add_option("--language", template_list.language, "only this language");
  templates_list->add_option("--status", template_list.status, "only this status, e.g. APPROVED");

  // messages list | show | retry
  MessageListOptions message_list;
  MessageOptions message;
  auto* messages_cmd = cli.add_subcommand(
      "messages", "the outbox: list, show and retry messages (docs/operations.md)");
  messages_cmd->require_subcommand(1);
  auto* messages_list = messages_cmd->add_subcommand(
      "list", "list messages newest first, as a table (GET /livechat/{domain}/messages's filters)");
  auto* messages_show = messages_cmd->add_subcommand(
      "show", "one message in full: status, content, error, provider id, status history");
  auto* messages_retry = messages_cmd->add_subcommand(
      "retry",
      "put a failed message back in the queue, due now with a fresh attempt budget (exit status "
      "4 when there is no such message, 5 when it is not failed)");
  for (auto* sub : {messages_list, messages_show, messages_retry}) {
    AddConfig(sub, serve);
    AddStorage(sub, storage);
    sub->add_flag("--json", json, "JSON for scripts instead of a table");
  }
  messages_list->add_option("--domain", message_list.domain,
                            "only this domain's (default: every domain of the configuration)");
  messages_list->add_option("--status", message_list.statuses,
                            "only these statuses: queued, sending, accepted, sent, delivered, "
                            "read, failed (repeat the option or separate with commas)");
  messages_list->add_option("--phone", message_list.phone, "only to this customer's number");
  messages_list->add_option("--number", message_list.number, "only from this business number");
  messages_list->add_option("--template", message_list.template_name, "only of this template name");
  messages_list->add_option("--from", message_list.from,
                            "only created at or after, e.g. 2026-12-06T09:00:00Z");
  messages_list->add_option("--to", message_list.to, "only created before this time");
  messages_list
      ->add_option("--limit", message_list.limit, "at most this many, newest first (default 100)")
      ->check(CLI::Range(1, store::kMaxMessageListLimit));
  for (auto* sub : {messages_show, messages_retry}) {
    sub->add_option("id", message.id, "the message's id (messageId)")->required();
    sub->add_option("--domain", message.domain,
                    "its domain (default: look in every domain of the configuration)");
  }

  // customers erase
  CustomerEraseOptions customer_erase;
  auto* customers_cmd =
      cli.add_subcommand("customers", "a customer's data (GDPR requests; docs/api.md)");
  customers_cmd->require_subcommand(1);
  auto* customers_erase = customers_cmd->add_subcommand(
      "erase", "delete every message to and from a customer in a domain, their chats and media");
  AddConfig(customers_erase, serve);
  AddStorage(customers_erase, storage);
  customers_erase->add_option("--domain", customer_erase.domain, "the domain")->required();
  customers_erase->add_option("--phone", customer_erase.phone, "the customer's number")->required();
  customers_erase->add_flag("--json", customer_erase.json, "JSON for scripts instead of a line");

  // version
  bool version_json = false;
  auto* version_cmd = cli.add_subcommand("version", "print the version and exit");
  version_cmd->add_flag("--json", version_json, "JSON for scripts instead of a line");

  // backup
  BackupOptions backup;
  auto* backup_cmd = cli.add_subcommand(
      "backup", "copy the SQLite database, consistently, while the gateway serves");
  AddConfig(backup_cmd, serve);
  AddStorage(backup_cmd, storage);
  backup_cmd->add_option("--to", backup.to, "the backup file (replaced once the copy is whole)")
      ->required();
  backup_cmd->add_flag("--json", backup.json, "JSON for scripts instead of a line");

  auto* hash_cmd = cli.add_subcommand(
      "hash-secret", "read a password or token from standard input, print its argon2id hash");
  hash_cmd->footer(
      "For a user's password_hash (or a domain's api_token_hash) in the config:\n"
      "  echo -n 'a long random password' | socialgate hash-secret");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" that exit 0; every other is a usage error.
    return cli.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  if (*version_cmd) {
    if (version_json) {
      std::printf("{\"name\":\"socialgate\",\"version\":\"%s\"}\n", version);
    } else {
      std::printf("socialgate %s\n", version);
    }
    return kExitOk;
  }
  if (*hash_cmd) return HashSecret();

  if (!listen.empty()) {
    if (auto addr = config::ParseListenAddress(listen); !addr) {
      return Fail(core::Error{addr.error().code, "--listen: " + addr.error().message, ""},
                  kExitUsage);
    }
    serve.listen = listen;
  }
  if (!storage.empty()) serve.storage = storage;
  obs::SetUpLogging(log_level.empty() ? "info" : log_level);
  if (!log_level.empty()) serve.log_level = log_level;

  // Every command left reads the configuration: an invalid one is its own exit status.
  auto cfg = LoadEffectiveConfig(serve);
  if (!cfg) return Fail(cfg.error(), kExitConfig);

  if (*check_cmd) {
    std::printf("%s: ok (%zu domains)\n", serve.config_path.c_str(), cfg->domains.size());
    return kExitOk;
  }
  if (*migrate_cmd) {
    auto r = Migrate(serve);
    if (!r) return Fail(r.error(), ExitCodeFor(r.error()));
    std::printf("socialgate: the database schema is up to date\n");
    return kExitOk;
  }
  if (*templates_sync) return Finish(SyncTemplates(serve, json, stdout));
  if (*templates_list) {
    template_list.json = json;
    if (!template_list.number.empty()) {
      auto phone = core::NormalizePhoneNumber("--number", template_list.number);
      if (!phone) return Fail(phone.error(), kExitUsage);
      template_list.number = *phone;
    }
    return Finish(ListTemplates(serve, template_list, stdout));
  }
  if (*messages_list) {
    message_list.json = json;
    return Finish(ListMessages(serve, message_list, stdout));
  }
  if (*messages_show) {
    message.json = json;
    return Finish(ShowMessage(serve, message, stdout, stderr));
  }
  if (*messages_retry) {
    message.json = json;
    return Finish(RetryMessage(serve, message, stdout, stderr));
  }
  if (*backup_cmd) return Finish(BackupStorage(serve, backup, stdout));
  if (*customers_erase) return Finish(EraseCustomer(serve, customer_erase, stdout));

  // serve: what it finds invalid at start (the example's password, a TLS file) is the
  // configuration's fault; anything else failed.
  auto r = Serve(serve);
  if (!r) {
    const bool invalid = r.error().code == core::ErrorCode::kInvalidArgument ||
                         r.error().code == core::ErrorCode::kMalformed;
    return Fail(r.error(), invalid ? kExitConfig : kExitFailed);
  }
  return kExitOk;
}

}  // namespace socialgate::app
