// The command line's own answers, from the real binary: the version, both ways; every command's
// --help; the exit statuses of usage mistakes and of an invalid configuration (docs/operations.md,
// "Command line").
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace socialgate::testing {
namespace {

// The standard output of `socialgate <args>`; its exit status in `status`.
std::string RunBinary(const std::string& args, int& status) {
  const std::string command = std::string(SOCIALGATE_BINARY) + " " + args + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    status = -1;
    return {};
  }
  std::string out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int raw = pclose(pipe);
  status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return out;
}

TEST(CommandLineTest, TheVersionIsPrintedByTheFlagAndTheCommand) {
  int status = -1;
  EXPECT_EQ(RunBinary("--version", status), "socialgate " SOCIALGATE_EXPECTED_VERSION "\n");
  EXPECT_EQ(status, 0);
  EXPECT_EQ(RunBinary("version", status), "socialgate " SOCIALGATE_EXPECTED_VERSION "\n");
  EXPECT_EQ(status, 0);
  const auto j = nlohmann::json::parse(RunBinary("version --json", status), nullptr, false);
  EXPECT_EQ(status, 0);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.value("version", ""), SOCIALGATE_EXPECTED_VERSION);
  EXPECT_EQ(j.value("name", ""), "socialgate");
}

TEST(CommandLineTest, AnUnknownCommandIsAUsageErrorNotAStart) {
  int status = -1;
  RunBinary("frobnicate", status);
  EXPECT_EQ(status, 2);
}

TEST(CommandLineTest, EveryCommandsHelpExitsZeroAndNamesItsOptions) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> commands = {
      {"",
       {"serve", "migrate", "check-config", "hash-secret", "messages", "templates", "version",
        "--version", "Exit status"}},
      {"serve", {"--config", "--listen", "--storage"}},
      {"migrate", {"--config", "--storage"}},
      {"check-config", {"--config"}},
      {"hash-secret", {}},
      {"version", {"--json"}},
      {"backup", {"--config", "--storage", "--to", "--json"}},
      {"templates", {"sync", "list"}},
      {"templates sync", {"--config", "--storage", "--json"}},
      {"templates list", {"--config", "--number", "--name", "--language", "--status", "--json"}},
      {"customers erase", {"--config", "--domain", "--phone", "--json"}},
      {"messages", {"list", "show", "retry"}},
      {"messages list",
       {"--config", "--storage", "--domain", "--status", "--phone", "--number", "--template",
        "--from", "--to", "--limit", "--json"}},
      {"messages show", {"--config", "--domain", "--json"}},
      {"messages retry", {"--config", "--domain", "--json"}},
  };
  for (const auto& command : commands) {
    int status = -1;
    const std::string help = RunBinary(command.first + " --help", status);
    EXPECT_EQ(status, 0) << command.first;
    for (const auto& option : command.second) {
      EXPECT_NE(help.find(option), std::string::npos) << command.first << ": " << option << "\n"
                                                      << help;
    }
  }
}

TEST(CommandLineTest, UsageMistakesExitTwoAndAnInvalidConfigurationThree) {
  int status = -1;
  for (const char* args : {"serve", "messages", "messages list", "templates", "serve --config",
                           "check-config --config x.toml --frobnicate", "version --bogus"}) {
    RunBinary(args, status);
    EXPECT_EQ(status, 2) << args;
  }
  RunBinary("check-config --config /nonexistent/socialgate.toml", status);
  EXPECT_EQ(status, 3);
  const std::string bad = ::testing::TempDir() + "/sg-cli-bad-config.toml";
  std::ofstream(bad) << "[server]\nlisten = 12\n";
  RunBinary("check-config --config " + bad, status);
  EXPECT_EQ(status, 3);
  RunBinary("messages list --config " + bad, status);
  EXPECT_EQ(status, 3);
}

}  // namespace
}  // namespace socialgate::testing
