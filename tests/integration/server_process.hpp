// File: tests/integration/server_process.hpp
//
// Runs a server binary of this project for an integration test: a fresh temporary directory
// (mkdtemp under /tmp) that is the child's working directory and holds its stderr log; the
// child announces readiness and its URL with one stdout line ("<ready prefix><URL>", e.g.
// "socialgate: listening on http://127.0.0.1:PORT"). Every wait is bounded, and the destructor
// never leaves a process behind (the child is also killed if the test process dies:
// PR_SET_PDEATHSIG).
//
//   ServerProcess server({.name = "fake-graph",
//                         .binary = FAKE_GRAPH_BINARY,
//                         .args = {"--listen", "127.0.0.1:0"},
//                         .ready_prefix = "fake-graph: listening on "});
//   ASSERT_TRUE(server.Start());
//   client.Get(server.base_url() + "/healthz");
//   EXPECT_TRUE(server.Stop().ExitedWith(0));
//
// GatewayProcess (the gateway) and FakeGraphProcess (tools/fake-graph) are built on it.
//
// Thread safety: one thread drives a ServerProcess. Start and Restart must be called from a
// thread that outlives the child (the test's main thread): PR_SET_PDEATHSIG fires when the
// thread that started the child ends. base_url() and ReadStderrLog() may be called from any
// thread while the child runs.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sys/types.h>

namespace socialgate::testing {

// How a child process ended.
struct ExitStatus {
  bool exited = false;  // exited normally; `code` holds its exit code
  int code = -1;
  bool signaled = false;  // killed by signal `signal`
  int signal = 0;

  bool ExitedWith(int expected_code) const { return exited && code == expected_code; }
  std::string ToString() const;
};

// What to run and how it announces itself.
struct ServerSpec {
  // For messages and the temporary directory's name ("/tmp/<name>-it-XXXXXX").
  std::string name;
  std::string binary;
  // argv[1...]. Every "{dir}" in an argument is replaced by the temporary directory.
  std::vector<std::string> args;
  // The start of the stdout line that carries the URL, e.g. "socialgate: listening on ".
  std::string ready_prefix;
  std::chrono::milliseconds start_timeout{std::chrono::seconds(15)};
};

class ServerProcess {
 public:
  static constexpr std::chrono::seconds kStopTimeout{15};

  // Makes the temporary directory. The child is started by Start().
  explicit ServerProcess(ServerSpec spec);
  // Kills a running child (SIGKILL), prints the tail of its stderr log when the current test
  // or test suite has failed (and keeps the directory), else removes the temporary directory.
  virtual ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the binary and waits (at most the spec's start_timeout) for its ready line, whose
  // URL must start with "http://127.0.0.1:" (or https). On failure the process is killed and the
  // result says why, with the stderr log.
  ::testing::AssertionResult Start();

  // Stop() if running (it must exit with 0), then Start() with the same arguments.
  ::testing::AssertionResult Restart();

  // SIGTERM, then waits up to `timeout` for the exit; SIGKILL after that. Returns how the
  // process ended (default ExitStatus when it was not running).
  ExitStatus Stop(std::chrono::milliseconds timeout = kStopTimeout);

  // SIGKILL and reap. Returns how the process ended.
  ExitStatus Kill();

  // Sets `name` to `value` in the environment of the children started from now on (Start,
  // Restart), over what the test process's environment holds; "{dir}" in `value` is replaced
  // by the temporary directory. E.g. NOTIFY_SOCKET for the systemd readiness test.
  void SetEnvironment(std::string name, std::string value);

  // Sends `signal` and returns at once (for tests that watch what happens meanwhile).
  void SendSignal(int signal);

  // Waits up to `timeout` for the process to end on its own; nullopt if it is still running.
  std::optional<ExitStatus> WaitForExit(std::chrono::milliseconds timeout);

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  const std::string& name() const { return spec_.name; }
  // The URL of the ready line of the current run ("http://127.0.0.1:PORT"); empty before
  // Start().
  std::string base_url() const;
  // The temporary directory (the child's working directory); empty if it could not be made.
  const std::string& dir() const { return dir_; }
  std::string stderr_log_path() const { return dir_ + "/stderr.log"; }

  // The whole stderr log (all runs) and everything read from stdout in the current run.
  std::string ReadStderrLog() const;
  std::string StdoutText() const;

  // Polls the stderr log until it contains `text` (bounded by `timeout`).
  bool WaitForStderr(std::string_view text, std::chrono::milliseconds timeout) const;

  // Prints the last `max_lines` lines of the stderr log to stderr.
  void DumpStderrLog(std::size_t max_lines = 200) const;

 private:
  void ReadStdout(int fd);
  void Reap();
  void JoinStdoutReader();

  const ServerSpec spec_;
  std::vector<std::pair<std::string, std::string>> environment_;  // SetEnvironment's
  std::string dir_;
  pid_t pid_ = -1;
  int runs_ = 0;

  mutable std::mutex mutex_;  // guards the fields below
  std::condition_variable stdout_changed_;
  std::string stdout_text_;
  bool stdout_closed_ = false;
  std::string base_url_;

  std::atomic<bool> stop_reader_{false};
  std::thread stdout_reader_;
};

}  // namespace socialgate::testing
