// File: app/command_line.hpp
//
// The `socialgate` command line (docs/operations.md, "Command line"): every command and its
// options (CLI11), each command's work called (app/, auth/), and every outcome turned into the
// exit status app/exit_codes.hpp defines. main.cpp only initialises libsodium and calls in here.
#pragma once

namespace socialgate::app {

// Parses `argv`, runs the command, returns the process's exit status. `version`: the build's.
int RunCommandLine(int argc, char** argv, const char* version);

}  // namespace socialgate::app
