// The command line's own answers, from the real binary: the version, both ways.
#include <cstdio>
#include <string>

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

TEST(CommandLineTest, AnUnknownCommandIsAnErrorNotAStart) {
  int status = -1;
  RunBinary("frobnicate", status);
  EXPECT_NE(status, 0);
}

}  // namespace
}  // namespace socialgate::testing
