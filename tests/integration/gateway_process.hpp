// File: tests/integration/gateway_process.hpp
//
// Runs the real `socialgate serve` binary for an integration test: a fresh temporary directory
// (mkdtemp under /tmp) holding the test's config, the SQLite database and the gateway's stderr
// log; 127.0.0.1 and port 0, the port read from the first stdout line ("socialgate: listening on
// http://127.0.0.1:PORT"). Every wait is bounded, and the destructor never leaves a process
// behind (and the child is also killed if the test process dies: PR_SET_PDEATHSIG).
//
//   GatewayProcess gateway(kConfigToml);
//   ASSERT_TRUE(gateway.Start());
//   client.Get(gateway.base_url() + "/healthz");
//   EXPECT_TRUE(gateway.Stop().ExitedWith(0));
//
// Thread safety: one thread drives a GatewayProcess. Start and Restart must be called from a
// thread that outlives the gateway (the test's main thread): PR_SET_PDEATHSIG fires when the
// thread that started the child ends. base_url() and ReadStderrLog() may be called from any
// thread while the gateway runs.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sys/types.h>

namespace socialgate::testing {

// The demo user's password and its argon2id hash (config/demo.toml): hashing costs about a
// second, so test configs reuse this one for every user.
inline constexpr std::string_view kTestPassword = "socialgate-demo";
inline constexpr std::string_view kTestPasswordHash =
    "$argon2id$v=19$m=65536,t=2,p=1$sQyRdP+8HPdD4+k1Vnox/Q$"
    "GlcattjXYFLkR1P5B/UehiB20yO/iyrLbKbsKmN33uw";

// One [[domains]] table of a test config.
struct TestDomain {
  std::string name;
  std::string user;    // password kTestPassword
  std::string number;  // its one business number (sandbox provider)
  std::string ack = "provider";
};

// A config for tests: the given domains, a fast sandbox (sent, delivered and read 20, 40 and
// 60 ms after the send), quick polling and the shortest lease (1 s, so messages claimed by a
// killed gateway are sent again soon after a restart).
std::string TestConfig(const std::vector<TestDomain>& domains);

// How a child process ended.
struct ExitStatus {
  bool exited = false;  // exited normally; `code` holds its exit code
  int code = -1;
  bool signaled = false;  // killed by signal `signal`
  int signal = 0;

  bool ExitedWith(int expected_code) const { return exited && code == expected_code; }
  std::string ToString() const;
};

class GatewayProcess {
 public:
  static constexpr std::chrono::seconds kStartTimeout{15};
  static constexpr std::chrono::seconds kStopTimeout{15};

  // Makes the temporary directory and writes `config_toml` to config.toml in it. The gateway
  // is started by Start(). The config needs no [server] listen or [storage] url: the command
  // line sets 127.0.0.1:0 and sqlite:<dir>/db.sqlite.
  explicit GatewayProcess(std::string config_toml);
  // Kills a running gateway (SIGKILL), prints the tail of its stderr log when the current test
  // or test suite has failed, and removes the temporary directory.
  ~GatewayProcess();
  GatewayProcess(const GatewayProcess&) = delete;
  GatewayProcess& operator=(const GatewayProcess&) = delete;

  // Starts the binary and waits (at most kStartTimeout) for its "listening on" line. On
  // failure the process is killed and the result says why, with the stderr log.
  ::testing::AssertionResult Start();

  // Stop() if running, then Start() on the same config and database.
  ::testing::AssertionResult Restart();

  // SIGTERM, then waits up to `timeout` for the exit; SIGKILL after that. Returns how the
  // process ended (default ExitStatus when it was not running).
  ExitStatus Stop(std::chrono::milliseconds timeout = kStopTimeout);

  // SIGKILL and reap. Returns how the process ended.
  ExitStatus Kill();

  // Sends `signal` and returns at once (for tests that watch what happens meanwhile).
  void SendSignal(int signal);

  // Waits up to `timeout` for the process to end on its own; nullopt if it is still running.
  std::optional<ExitStatus> WaitForExit(std::chrono::milliseconds timeout);

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // "http://127.0.0.1:PORT" of the current run; empty before Start().
  std::string base_url() const;
  const std::string& dir() const { return dir_; }
  std::string config_path() const { return dir_ + "/config.toml"; }
  std::string database_path() const { return dir_ + "/db.sqlite"; }
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
