#include "server_process.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace socialgate::testing {
namespace {

constexpr auto kPollStep = std::chrono::milliseconds(10);

ExitStatus FromWaitStatus(int wait_status) {
  ExitStatus s;
  if (WIFEXITED(wait_status)) {
    s.exited = true;
    s.code = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    s.signaled = true;
    s.signal = WTERMSIG(wait_status);
  }
  return s;
}

std::string ErrnoText(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The current test, or failing that the current test suite (a server shared by a fixture is
// destroyed in TearDownTestSuite), has failed.
bool CurrentTestOrSuiteFailed() {
  if (::testing::Test::HasFailure()) return true;
  const ::testing::TestSuite* suite = ::testing::UnitTest::GetInstance()->current_test_suite();
  return suite != nullptr && suite->Failed();
}

}  // namespace

std::string ExitStatus::ToString() const {
  if (exited) return "exited with code " + std::to_string(code);
  if (signaled) return std::string("killed by signal ") + strsignal(signal);
  return "not run";
}

ServerProcess::ServerProcess(ServerSpec spec) : spec_(std::move(spec)) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / (spec_.name + "-it-XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << ErrnoText("mkdtemp");
    return;
  }
  dir_ = pattern;
}

ServerProcess::~ServerProcess() {
  if (running()) Kill();
  JoinStdoutReader();
  if (dir_.empty()) return;
  if (CurrentTestOrSuiteFailed()) {
    DumpStderrLog();
    std::cerr << "[ " << spec_.name << " ] kept " << dir_ << " for inspection\n";
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

::testing::AssertionResult ServerProcess::Start() {
  if (dir_.empty()) return ::testing::AssertionFailure() << "no temporary directory";
  if (running())
    return ::testing::AssertionFailure() << "the " << spec_.name << " is already running";
  JoinStdoutReader();
  ++runs_;

  int out_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return ::testing::AssertionFailure() << ErrnoText("pipe2");
  const int err_fd =
      open(stderr_log_path().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (err_fd < 0 || null_fd < 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    if (err_fd >= 0) close(err_fd);
    if (null_fd >= 0) close(null_fd);
    return ::testing::AssertionFailure() << ErrnoText("open");
  }
  const std::string banner =
      "===== " + spec_.name + "-it: run " + std::to_string(runs_) + " =====\n";
  if (write(err_fd, banner.data(), banner.size()) < 0) {
    // The separator is a convenience; the run goes on without it.
  }

  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> args = {spec_.binary};
  for (const auto& a : spec_.args) args.push_back(ReplaceAll(a, "{dir}", dir_));
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The test process's environment with SetEnvironment's variables set over it.
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    bool replaced = false;
    for (const auto& variable : environment_) {
      replaced = replaced || entry.substr(0, entry.find('=')) == variable.first;
    }
    if (!replaced) env.emplace_back(entry);
  }
  for (const auto& [name, value] : environment_) {
    env.push_back(name + "=" + ReplaceAll(value, "{dir}", dir_));
  }
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const pid_t parent = getpid();

  {
    std::lock_guard lock(mutex_);
    stdout_text_.clear();
    stdout_closed_ = false;
    base_url_.clear();
  }

  const pid_t pid = fork();
  if (pid < 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    close(err_fd);
    close(null_fd);
    return ::testing::AssertionFailure() << ErrnoText("fork");
  }
  if (pid == 0) {
    // The child: dies with the thread that started it, never outlives a crashed test.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGTERM, &dfl, nullptr);
    sigaction(SIGINT, &dfl, nullptr);
    sigaction(SIGPIPE, &dfl, nullptr);
    if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(out_pipe[1], STDOUT_FILENO) < 0 ||
        dup2(err_fd, STDERR_FILENO) < 0) {
      _exit(127);
    }
    syscall(SYS_close_range, 3U, ~0U, 0U);  // no test sockets or files leak into the child
    if (chdir(dir_.c_str()) != 0) _exit(127);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }

  pid_ = pid;
  close(out_pipe[1]);
  close(err_fd);
  close(null_fd);
  stop_reader_ = false;
  stdout_reader_ = std::thread([this, fd = out_pipe[0]] { ReadStdout(fd); });

  // Wait for the "listening on" line, the end of stdout (the child died), or the deadline.
  const auto deadline = std::chrono::steady_clock::now() + spec_.start_timeout;
  const std::string_view prefix = spec_.ready_prefix;
  std::string failure;
  {
    std::unique_lock lock(mutex_);
    const bool done = stdout_changed_.wait_until(lock, deadline, [this, prefix] {
      const auto at = stdout_text_.find(prefix);
      if (at != std::string::npos) {
        const auto eol = stdout_text_.find('\n', at);
        if (eol != std::string::npos) {
          base_url_ = stdout_text_.substr(at + prefix.size(), eol - at - prefix.size());
          return true;
        }
      }
      return stdout_closed_;
    });
    if (!done) {
      failure = "no \"" + spec_.ready_prefix + "\" line within " +
                std::to_string(spec_.start_timeout.count()) + " ms";
    } else if (base_url_.empty()) {
      failure = "the " + spec_.name + " closed its standard output before listening";
    } else if (base_url_.rfind("http://127.0.0.1:", 0) != 0 &&
               base_url_.rfind("https://127.0.0.1:", 0) != 0) {
      failure = "unexpected listening address '" + base_url_ + "'";
    }
  }
  if (failure.empty()) return ::testing::AssertionSuccess();

  const ExitStatus status = Kill();
  return ::testing::AssertionFailure()
         << spec_.name << " did not start: " << failure << " (" << status.ToString()
         << ")\nstdout:\n"
         << StdoutText() << "\nstderr log (" << stderr_log_path() << "):\n"
         << ReadStderrLog();
}

::testing::AssertionResult ServerProcess::Restart() {
  if (running()) {
    const ExitStatus status = Stop();
    if (!status.ExitedWith(0)) {
      return ::testing::AssertionFailure()
             << "stopping before the restart: " << spec_.name << " " << status.ToString();
    }
  }
  return Start();
}

ExitStatus ServerProcess::Stop(std::chrono::milliseconds timeout) {
  if (!running()) return {};
  kill(pid_, SIGTERM);
  if (auto status = WaitForExit(timeout)) return *status;
  ADD_FAILURE() << spec_.name << " did not exit within " << timeout.count()
                << " ms of SIGTERM; killing it";
  return Kill();
}

ExitStatus ServerProcess::Kill() {
  if (!running()) return {};
  kill(pid_, SIGKILL);
  int wait_status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &wait_status, 0);  // SIGKILL cannot be caught: this returns promptly
  } while (r < 0 && errno == EINTR);
  Reap();
  return FromWaitStatus(wait_status);
}

void ServerProcess::SetEnvironment(std::string name, std::string value) {
  for (auto& [n, v] : environment_) {
    if (n == name) {
      v = std::move(value);
      return;
    }
  }
  environment_.emplace_back(std::move(name), std::move(value));
}

void ServerProcess::SendSignal(int signal) {
  if (running()) kill(pid_, signal);
}

std::optional<ExitStatus> ServerProcess::WaitForExit(std::chrono::milliseconds timeout) {
  if (!running()) return ExitStatus{};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int wait_status = 0;
    const pid_t r = waitpid(pid_, &wait_status, WNOHANG);
    if (r == pid_) {
      Reap();
      return FromWaitStatus(wait_status);
    }
    if (r < 0 && errno != EINTR) {
      ADD_FAILURE() << ErrnoText("waitpid");
      pid_ = -1;
      return ExitStatus{};
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollStep);
  }
}

std::string ServerProcess::base_url() const {
  std::lock_guard lock(mutex_);
  return base_url_;
}

std::string ServerProcess::ReadStderrLog() const {
  std::ifstream in(stderr_log_path(), std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ServerProcess::StdoutText() const {
  std::lock_guard lock(mutex_);
  return stdout_text_;
}

bool ServerProcess::WaitForStderr(std::string_view text, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (ReadStderrLog().find(text) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollStep);
  }
}

void ServerProcess::DumpStderrLog(std::size_t max_lines) const {
  std::istringstream in(ReadStderrLog());
  std::deque<std::string> tail;
  std::size_t dropped = 0;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(std::move(line));
    if (tail.size() > max_lines) {
      tail.pop_front();
      ++dropped;
    }
  }
  std::cerr << "[ " << spec_.name << " ] stderr log " << stderr_log_path();
  if (dropped > 0) std::cerr << " (last " << max_lines << " lines)";
  std::cerr << ":\n";
  for (const auto& line : tail) std::cerr << "  " << line << '\n';
}

void ServerProcess::ReadStdout(int fd) {
  char buffer[4096];
  while (!stop_reader_) {
    pollfd p{fd, POLLIN, 0};
    const int ready = poll(&p, 1, 100);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;
    std::lock_guard lock(mutex_);
    stdout_text_.append(buffer, static_cast<std::size_t>(n));
    stdout_changed_.notify_all();
  }
  close(fd);
  std::lock_guard lock(mutex_);
  stdout_closed_ = true;
  stdout_changed_.notify_all();
}

void ServerProcess::Reap() {
  pid_ = -1;
  JoinStdoutReader();
}

void ServerProcess::JoinStdoutReader() {
  if (!stdout_reader_.joinable()) return;
  {
    // The child has exited, so its end of the pipe is closed and the reader sees EOF at once;
    // the stop flag bounds the wait should a grandchild hold the pipe open.
    std::unique_lock lock(mutex_);
    stdout_changed_.wait_for(lock, std::chrono::seconds(1), [this] { return stdout_closed_; });
  }
  stop_reader_ = true;
  stdout_reader_.join();
}

}  // namespace socialgate::testing
