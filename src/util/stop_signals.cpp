#include "util/stop_signals.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

#include "util/thread_name.hpp"

namespace socialgate::util {
namespace {

// The pipe's write end, for the handler; -1 while no watcher exists.
std::atomic<int> g_write_fd{-1};
std::atomic<bool> g_watching{false};

constexpr char kQuit = 0;  // not a signal number: the watcher is being destroyed

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
  explicit PipeStopSignals(OnSignal on_signal) : on_signal_(std::move(on_signal)) {}

  core::Result<void> Start() {
    if (::pipe2(fds_, O_CLOEXEC) != 0) return Fail("pipe2");
    // The handler must never block on a full pipe.
    if (::fcntl(fds_[1], F_SETFL, O_NONBLOCK) != 0) return Fail("fcntl");
    g_write_fd = fds_[1];
    struct sigaction action {};
    action.sa_handler = OnStopSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (::sigaction(SIGINT, &action, &previous_int_) != 0) return Fail("sigaction");
    installed_int_ = true;
    if (::sigaction(SIGTERM, &action, &previous_term_) != 0) return Fail("sigaction");
    installed_term_ = true;
    thread_ = std::thread([this] { Run(); });
    return {};
  }

  ~PipeStopSignals() override {
    if (installed_int_) ::sigaction(SIGINT, &previous_int_, nullptr);
    if (installed_term_) ::sigaction(SIGTERM, &previous_term_, nullptr);
    g_write_fd = -1;
    if (thread_.joinable()) {
      // Blocking write: the sentinel must arrive even behind a pipe full of signals.
      const int flags = ::fcntl(fds_[1], F_GETFL);
      ::fcntl(fds_[1], F_SETFL, flags & ~O_NONBLOCK);
      const char quit = kQuit;
      while (::write(fds_[1], &quit, 1) < 0 && errno == EINTR) {
      }
      thread_.join();
    }
    for (const int fd : fds_) {
      if (fd >= 0) ::close(fd);
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

  void Run() {
    NameThisThread("sg-signals");
    bool signalled = false;
    for (;;) {
      char byte = kQuit;
      const ssize_t n = ::read(fds_[0], &byte, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || byte == kQuit) return;
      if (!signalled) {
        signalled = true;
        on_signal_(static_cast<unsigned char>(byte));
      }
    }
  }

  OnSignal on_signal_;
  int fds_[2] = {-1, -1};
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
  bool installed_int_ = false;
  bool installed_term_ = false;
  std::thread thread_;
};

}  // namespace

core::Result<std::unique_ptr<StopSignals>> StopSignals::Watch(OnSignal on_signal) {
  if (g_watching.exchange(true)) {
    return core::MakeError(core::ErrorCode::kUnavailable,
                           "cannot watch SIGINT and SIGTERM: another watcher exists");
  }
  auto watcher = std::make_unique<PipeStopSignals>(std::move(on_signal));
  // On failure the watcher's destructor undoes what was set up and clears g_watching.
  SG_RETURN_IF_ERROR(watcher->Start());
  return std::unique_ptr<StopSignals>(std::move(watcher));
}

}  // namespace socialgate::util
