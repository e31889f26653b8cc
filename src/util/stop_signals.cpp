#include "util/stop_signals.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "util/thread_name.hpp"

namespace socialgate::util {
namespace {

// The pipe the handler writes to: made once per process and never closed. A handler still
// running on another thread when a watcher ends may write to it after that; had the pipe been
// closed, the descriptor's number could by then belong to another file (the database), and
// the byte would land there. Both ends are non-blocking: the handler must never block, and the
// watcher waits in poll().
struct SignalPipe {
  int read_fd = -1;
  int write_fd = -1;
  int error = 0;  // errno of pipe2, when it failed
};

const SignalPipe& ThePipe() {
  static const SignalPipe pipe = [] {
    SignalPipe p;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
      p.error = errno;
      return p;
    }
    p.read_fd = fds[0];
    p.write_fd = fds[1];
    return p;
  }();
  return pipe;
}

// The pipe's write end while a watcher exists, -1 otherwise: what the handler writes to.
std::atomic<int> g_write_fd{-1};
std::atomic<bool> g_watching{false};

extern "C" void OnStopSignal(int signal) {
  const int saved = errno;
  const char byte = static_cast<char>(signal);
  const int fd = g_write_fd.load();
  // A full pipe already holds a signal to act on: dropping this one loses nothing.
  if (fd >= 0) (void)!::write(fd, &byte, 1);
  errno = saved;
}

class PipeStopSignals final : public StopSignals {
 public:
  PipeStopSignals(OnSignal on_signal, OnSignal on_reload)
      : on_signal_(std::move(on_signal)), on_reload_(std::move(on_reload)) {}

  core::Result<void> Start() {
    const SignalPipe& pipe = ThePipe();
    if (pipe.read_fd < 0) {
      errno = pipe.error;
      return Fail("pipe2");
    }
    // Bytes left by signals that arrived after an earlier watcher stopped reading.
    char stale[64];
    while (::read(pipe.read_fd, stale, sizeof stale) > 0) {
    }
    g_write_fd = pipe.write_fd;
    struct sigaction action {};
    action.sa_handler = OnStopSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (::sigaction(SIGINT, &action, &previous_int_) != 0) return Fail("sigaction");
    installed_int_ = true;
    if (::sigaction(SIGTERM, &action, &previous_term_) != 0) return Fail("sigaction");
    installed_term_ = true;
    if (on_reload_) {
      if (::sigaction(SIGHUP, &action, &previous_hup_) != 0) return Fail("sigaction");
      installed_hup_ = true;
    }
    thread_ = std::thread([this, fd = pipe.read_fd] { Run(fd); });
    return {};
  }

  ~PipeStopSignals() override {
    if (installed_int_) ::sigaction(SIGINT, &previous_int_, nullptr);
    if (installed_term_) ::sigaction(SIGTERM, &previous_term_, nullptr);
    if (installed_hup_) ::sigaction(SIGHUP, &previous_hup_, nullptr);
    g_write_fd = -1;
    if (thread_.joinable()) {
      quit_ = true;
      // Wakes the watcher; if the pipe is full, the watcher is awake anyway and sees quit_.
      const char wake = 0;
      (void)!::write(ThePipe().write_fd, &wake, 1);
      thread_.join();
    }
    g_watching = false;
  }
  PipeStopSignals(const PipeStopSignals&) = delete;
  PipeStopSignals& operator=(const PipeStopSignals&) = delete;
  PipeStopSignals(PipeStopSignals&&) = delete;
  PipeStopSignals& operator=(PipeStopSignals&&) = delete;

 private:
  core::Result<void> Fail(const char* call) const {
    return core::MakeError(
        core::ErrorCode::kUnavailable,
        std::string("cannot watch SIGINT and SIGTERM: ") + call + ": " + std::strerror(errno));
  }

  void Run(int fd) {
    NameThisThread("sg-signals");
    bool signalled = false;
    while (!quit_) {
      pollfd readable{fd, POLLIN, 0};
      if (::poll(&readable, 1, -1) < 0 && errno != EINTR) return;
      char bytes[64];
      const ssize_t n = ::read(fd, bytes, sizeof bytes);
      if (quit_) return;
      bool reload = false;
      for (ssize_t i = 0; i < n && !signalled; ++i) {
        if (bytes[i] == 0) continue;  // a wake-up, not a signal
        if (bytes[i] == SIGHUP) {
          reload = true;  // several in one read are one reload: it reads the latest file
          continue;
        }
        signalled = true;
        on_signal_(static_cast<unsigned char>(bytes[i]));
      }
      if (reload && !signalled && on_reload_) on_reload_(SIGHUP);
    }
  }

  OnSignal on_signal_;
  OnSignal on_reload_;
  std::atomic<bool> quit_{false};
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
  struct sigaction previous_hup_ {};
  bool installed_int_ = false;
  bool installed_term_ = false;
  bool installed_hup_ = false;
  std::thread thread_;
};

}  // namespace

core::Result<std::unique_ptr<StopSignals>> StopSignals::Watch(OnSignal on_signal,
                                                              OnSignal on_reload) {
  if (g_watching.exchange(true)) {
    return core::MakeError(core::ErrorCode::kUnavailable,
                           "cannot watch SIGINT and SIGTERM: another watcher exists");
  }
  auto watcher = std::make_unique<PipeStopSignals>(std::move(on_signal), std::move(on_reload));
  // On failure the watcher's destructor undoes what was set up and clears g_watching.
  SG_RETURN_IF_ERROR(watcher->Start());
  return std::unique_ptr<StopSignals>(std::move(watcher));
}

}  // namespace socialgate::util
