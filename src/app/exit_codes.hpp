// File: app/exit_codes.hpp
//
// The exit status of every `socialgate` command, in one place, for scripts to rely on
// (docs/operations.md, "Command line"; `socialgate --help` prints kExitCodesHelp):
//
//   0  success (and --help, --version)
//   1  the operation failed: storage unreachable, a template sync failed, the gateway could not
//      start or stopped on an error
//   2  usage: an unknown command or option, a missing or malformed argument (CLI11's parse
//      errors, and a value that breaks its rule: an unknown --domain, a number that is not one)
//   3  the configuration file is missing, unreadable or invalid
//   4  not found: no message with that id (messages show, messages retry)
//   5  refused: the thing exists but its state forbids the operation (messages retry of a
//      message that is not failed)
#pragma once

#include "core/error.hpp"

namespace socialgate::app {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,
  kExitUsage = 2,
  kExitConfig = 3,
  kExitNotFound = 4,
  kExitRefused = 5,
};

inline constexpr const char* kExitCodesHelp =
    "Exit status (the same for every command; docs/operations.md, \"Command line\"):\n"
    "  0  success (and --help, --version)\n"
    "  1  the operation failed (storage unreachable, a sync failed, the gateway stopped on an "
    "error)\n"
    "  2  usage error: unknown command or option, missing or bad argument\n"
    "  3  the configuration is missing, unreadable or invalid\n"
    "  4  not found: no such message\n"
    "  5  refused: e.g. retry of a message that is not failed";

// The exit status for an error a command returned once its configuration loaded: a value that
// breaks its rule (kInvalidArgument, kMalformed) is a usage error, kNotFound is 4, anything
// else is 1.
inline int ExitCodeFor(const core::Error& error) {
  switch (error.code) {
    case core::ErrorCode::kInvalidArgument:
    case core::ErrorCode::kMalformed:
      return kExitUsage;
    case core::ErrorCode::kNotFound:
      return kExitNotFound;
    default:
      return kExitFailed;
  }
}

}  // namespace socialgate::app
