// fake-graph: a fake WhatsApp Cloud API server for socialgate's tests and benchmarks. All logic
// is in fake_graph_lib (fake_graph.hpp); this file parses the command line and runs the shared
// HTTP server.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "fake-graph/fake_graph.hpp"
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
  cli.add_option("--log-level", log_level, "trace, debug, info, warn or error")
      ->capture_default_str();
  CLI11_PARSE(cli, argc, argv);

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

  socialgate::fake_graph::FakeGraph graph(options);
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
  auto signals = socialgate::util::StopSignals::Watch([serving](int signal) {
    spdlog::info("http: signal {} received, shutting down", signal);
    serving->Stop();
  });
  if (!signals) {
    std::fprintf(stderr, "fake-graph: %s\n", signals.error().message.c_str());
    return 1;
  }
  (*server)->Run();
  // Delayed answers hold Responders bound to the server's I/O context: drop them first.
  graph.Stop();
  return 0;
}
