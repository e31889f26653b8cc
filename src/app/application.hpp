// File: app/application.hpp
//
// Wires the modules into a running gateway: config -> store -> providers -> dispatcher -> api ->
// HTTP server. On SIGINT/SIGTERM it stops them in the order a clean drain needs: the HTTP
// server (in-flight requests finish), the credential checks and request workers, the store's
// queued writes, the dispatcher (in-flight sends finish, unsent claims go back), the timers.
// The command line (app/command_line.cpp) only parses arguments and calls in here, so tests can
// link everything main uses.
#pragma once

#include <optional>
#include <string>

#include "config/config.hpp"
#include "core/error.hpp"

namespace socialgate::app {

struct ServeOptions {
  std::string config_path;
  std::optional<std::string> listen;     // overrides server.listen
  std::optional<std::string> storage;    // overrides storage.url
  std::optional<std::string> log_level;  // overrides log.level
};

// Loads the config and applies the command line's overrides.
core::Result<config::Config> LoadEffectiveConfig(const ServeOptions& options);

// Runs the gateway until SIGINT/SIGTERM; returns once everything has shut down cleanly.
core::Result<void> Serve(const ServeOptions& options);

// Creates or migrates the database named by the config (or the override) and exits.
core::Result<void> Migrate(const ServeOptions& options);

}  // namespace socialgate::app
