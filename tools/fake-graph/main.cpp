// fake-graph: a fake WhatsApp Cloud API server for socialgate's tests and benchmarks. All logic
// is in fake_graph_lib (fake_graph.hpp); this file parses the command line and runs the shared
// HTTP server.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "fake-graph/fake_graph.hpp"
#include "fake-graph/webhook_poster.hpp"
#include "http/server.hpp"
#include "util/stop_signals.hpp"

namespace {

// "127.0.0.1:8080" or "[::1]:0" -> host and port; false when malformed.
bool SplitHostPort(const std::string& listen, std::string& host, std::uint16_t& port) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned long value = 0;
  for (char c : listen.substr(colon + 1)) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned long>(c - '0');
    if (value > 65535) return false;
  }
  port = static_cast<std::uint16_t>(value);
  return true;
}

// The longest a status may be delayed: a day.
constexpr std::int64_t kMaxWebhookDelayMs = 86'400'000;
// After SIGTERM, webhook POSTs still out get this long before the process exits anyway.
constexpr std::chrono::milliseconds kWebhookShutdownGrace{2'000};

struct WebhookFlags {
  std::string url;
  std::string app_secret;
  std::string app_secret_env;
  bool secret_given = false;
  bool secret_env_given = false;
};

// Sets `out` to `options` completed from the flags. Without --webhook-url there is no target
// yet (PUT /_fake/webhooks may set one; the delays and --waba-id apply then) and the app secret
// flags are ignored. Returns a sentence for stderr when the flags do not fit together.
std::optional<std::string> WebhookSetup(
    const WebhookFlags& flags, socialgate::fake_graph::WebhookOptions options,
    std::optional<socialgate::fake_graph::WebhookOptions>& out) {
  for (const std::int64_t delay : {options.sent_ms, options.delivered_ms, options.read_ms}) {
    if (delay > kMaxWebhookDelayMs) {
      return "--webhook-*-ms must be at most " + std::to_string(kMaxWebhookDelayMs) +
             " (a negative value leaves that status out)";
    }
  }
  if (options.waba_id.empty()) return std::string("--waba-id must not be empty");
  if (flags.url.empty()) {
    out = std::move(options);
    return std::nullopt;
  }
  if (!socialgate::fake_graph::IsWebhookUrl(flags.url)) {
    return "--webhook-url must be an http:// or https:// URL, not '" + flags.url + "'";
  }
  if (flags.secret_given == flags.secret_env_given) {
    return std::string(
        "--webhook-url needs the app secret the webhooks are signed with: give "
        "exactly one of --webhook-app-secret SECRET and "
        "--webhook-app-secret-env NAME");
  }
  if (flags.secret_env_given) {
    const char* value = std::getenv(flags.app_secret_env.c_str());
    if (value == nullptr || *value == '\0') {
      return "--webhook-app-secret-env: the environment variable '" + flags.app_secret_env +
             "' is not set or empty";
    }
    options.app_secret = value;
  } else {
    if (flags.app_secret.empty()) return std::string("--webhook-app-secret must not be empty");
    options.app_secret = flags.app_secret;
  }
  options.url = flags.url;
  out = std::move(options);
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"fake-graph: a fake WhatsApp Cloud API (Meta Graph API) server for tests"};
  std::string listen = "127.0.0.1:0";
  int threads = 2;
  std::size_t max_body_bytes = 110 * 1024 * 1024;
  std::string log_level = "warn";
  socialgate::fake_graph::Options options;
  cli.add_option("--listen", listen, "IP:PORT to listen on; port 0 picks a free port")
      ->capture_default_str();
  cli.add_option("--token", options.token,
                 "the only bearer token accepted (default: any non-empty token)");
  cli.add_option("--threads", threads, "I/O threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cli.add_option("--seed", options.seed, "seed of the fault rules' random draws")
      ->capture_default_str();
  cli.add_option("--max-records", options.max_records,
                 "recorded requests kept (the oldest are dropped)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cli.add_option("--max-body-bytes", max_body_bytes, "the largest request body accepted")
      ->capture_default_str();
  cli.add_option("--max-media-bytes", options.max_media_bytes,
                 "bytes of inbound messages' media kept for download (the oldest go first)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cli.add_option("--log-level", log_level, "trace, debug, info, warn or error")
      ->capture_default_str();
  WebhookFlags webhook_flags;
  socialgate::fake_graph::WebhookOptions webhook_options;
  cli.add_option("--webhook-url", webhook_flags.url,
                 "post status webhooks of accepted sends to this URL (default: none, until "
                 "PUT /_fake/webhooks sets one)");
  auto* secret_option =
      cli.add_option("--webhook-app-secret", webhook_flags.app_secret,
                     "the app secret the webhooks are signed with (X-Hub-Signature-256)");
  auto* secret_env_option = cli.add_option("--webhook-app-secret-env", webhook_flags.app_secret_env,
                                           "the environment variable holding the app secret");
  cli.add_option("--webhook-sent-ms", webhook_options.sent_ms,
                 "delay of the sent status after the answer; negative: not posted")
      ->capture_default_str();
  cli.add_option("--webhook-delivered-ms", webhook_options.delivered_ms,
                 "delay of the delivered (or failed) status; negative: not posted")
      ->capture_default_str();
  cli.add_option("--webhook-read-ms", webhook_options.read_ms,
                 "delay of the read status; negative: not posted")
      ->capture_default_str();
  cli.add_option("--webhook-max-in-flight", webhook_options.max_in_flight,
                 "webhook POSTs out at once, at most (Meta's own delivery is not this small: the "
                 "benchmarks raise it so the fake is not what limits the rate)")
      ->capture_default_str()
      ->check(CLI::Range(1, 65536));
  cli.add_option("--waba-id", options.waba_id,
                 "the WhatsApp Business Account id: the one GET .../message_templates serves, and "
                 "the webhooks' entry[].id")
      ->capture_default_str();
  std::string templates_file;
  cli.add_option("--templates-file", templates_file,
                 "serve this listing at GET /{version}/{waba-id}/message_templates: JSON "
                 "{\"data\":[template objects...]} as Meta answers (default: an empty listing)");
  CLI11_PARSE(cli, argc, argv);
  if (!templates_file.empty()) {
    auto templates = socialgate::fake_graph::LoadTemplateFile(templates_file);
    if (!templates) {
      std::fprintf(stderr, "fake-graph: --templates-file: %s\n", templates.error().c_str());
      return 2;
    }
    options.templates = std::move(*templates);
  }
  webhook_options.waba_id = options.waba_id;
  webhook_flags.secret_given = secret_option->count() > 0;
  webhook_flags.secret_env_given = secret_env_option->count() > 0;
  if (auto problem = WebhookSetup(webhook_flags, webhook_options, options.webhooks)) {
    std::fprintf(stderr, "fake-graph: %s\n", problem->c_str());
    return 2;
  }

  socialgate::http::ServerOptions server_options;
  if (!SplitHostPort(listen, server_options.host, server_options.port)) {
    std::fprintf(stderr, "fake-graph: --listen must be IP:PORT, not '%s'\n", listen.c_str());
    return 2;
  }
  // Logs go to stderr: the first stdout line is the address, which test harnesses read.
  spdlog::set_default_logger(spdlog::stderr_color_mt("fake-graph"));
  spdlog::set_level(spdlog::level::from_str(log_level));

  server_options.threads = threads;
  server_options.thread_name = "fake-graph-io";
  server_options.max_body_bytes = max_body_bytes;
  // Records say when each request reached the host, not only when a handler got to it.
  server_options.receive_timestamps = true;
  // Tests stop the fake with SIGTERM between cases: do not wait long for slow answers.
  server_options.shutdown_grace = std::chrono::milliseconds(2'000);

  // Always: without --webhook-url, PUT /_fake/webhooks may set a target later.
  auto poster = socialgate::fake_graph::MakeHttpWebhookPoster(options.webhooks->post_timeout);
  if (!poster) {
    std::fprintf(stderr, "fake-graph: %s\n", poster.error().message.c_str());
    return 1;
  }
  socialgate::fake_graph::FakeGraph graph(options, std::move(*poster));
  auto server = socialgate::http::HttpServer::Create(
      server_options,
      [&graph](socialgate::http::HttpRequest&& request, socialgate::http::Responder respond) {
        graph.Handle(std::move(request), std::move(respond));
      });
  if (!server) {
    std::fprintf(stderr, "fake-graph: %s\n", server.error().message.c_str());
    return 1;
  }
  const bool ipv6 = server_options.host.find(':') != std::string::npos;
  std::printf("fake-graph: listening on http://%s%s%s:%u\n", ipv6 ? "[" : "",
              server_options.host.c_str(), ipv6 ? "]" : "", unsigned{(*server)->port()});
  std::fflush(stdout);
  // Tests stop the fake with SIGTERM.
  socialgate::http::HttpServer* serving = server->get();
  auto signals = socialgate::util::StopSignals::Watch([serving, &graph](int signal) {
    spdlog::info("http: signal {} received, shutting down", signal);
    graph.CloseWebhooks();  // the statuses not yet posted are dropped
    serving->Stop();
  });
  if (!signals) {
    std::fprintf(stderr, "fake-graph: %s\n", signals.error().message.c_str());
    return 1;
  }
  (*server)->Run();
  // Delayed answers hold Responders bound to the server's I/O context: drop them first.
  graph.Stop();
  // Webhook POSTs still out get a short grace; one that hangs on (a receiver that does not
  // answer) is cut by exiting without waiting for its timeout.
  if (!graph.StopWebhooks(std::chrono::steady_clock::now() + kWebhookShutdownGrace)) {
    spdlog::warn("fake-graph: webhook POSTs still out after {} ms are cut",
                 kWebhookShutdownGrace.count());
    spdlog::default_logger()->flush();
    std::fflush(nullptr);
    std::_Exit(0);
  }
  return 0;
}
