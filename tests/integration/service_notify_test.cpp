// File: tests/integration/service_notify_test.cpp
//
// systemd's readiness protocol (app/service_notify.hpp, deploy/systemd/socialgate.service.in's
// Type=notify): the test plays the service manager with a unix datagram socket of its own named
// in the gateway's NOTIFY_SOCKET. READY=1 must come only once the port answers (the test asks
// /healthz the moment it arrives, once, without retrying), and STOPPING=1 at SIGTERM, before the
// process exits.
#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "gateway_process.hpp"
#include "http_client.hpp"

namespace socialgate::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// The service manager's end: a unix datagram socket bound at `path` (removed on destruction).
class NotifyListener {
 public:
  explicit NotifyListener(std::string path) : path_(std::move(path)) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path_.size() >= sizeof(addr.sun_path)) return;
    path_.copy(addr.sun_path, path_.size());
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ >= 0 && bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~NotifyListener() {
    if (fd_ >= 0) {
      close(fd_);
      unlink(path_.c_str());
    }
  }
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  bool ok() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }

  // The next notification, or nullopt when none came within `timeout`.
  std::optional<std::string> Receive(milliseconds timeout) const {
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    char buffer[4096];
    const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<std::size_t>(n));
  }

  // Notifications until one holds the line `line` (returned), or nullopt at `timeout`; every
  // notification received is appended to `seen`.
  std::optional<std::string> ReceiveLine(std::string_view line, milliseconds timeout,
                                         std::vector<std::string>& seen) const {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      auto message = Receive(std::max(left, milliseconds(1)));
      if (!message) return std::nullopt;
      seen.push_back(*message);
      if (HasLine(*message, line)) return message;
    }
    return std::nullopt;
  }

  // Whether `message` (newline-separated assignments) holds the line `line`.
  static bool HasLine(std::string_view message, std::string_view line) {
    std::size_t at = 0;
    while (at <= message.size()) {
      const auto end = std::min(message.find('\n', at), message.size());
      if (message.substr(at, end - at) == line) return true;
      at = end + 1;
    }
    return false;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

// The port of "STATUS=serving on port N" in `message`, or "".
std::string StatusPort(std::string_view message) {
  constexpr std::string_view kPrefix = "STATUS=serving on port ";
  const auto at = message.find(kPrefix);
  if (at == std::string_view::npos) return "";
  const auto start = at + kPrefix.size();
  const auto end = std::min(message.find('\n', start), message.size());
  return std::string(message.substr(start, end - start));
}

std::string Joined(const std::vector<std::string>& messages) {
  std::string text;
  for (const auto& m : messages) text += "[" + m + "] ";
  return text;
}

TEST(ServiceNotifyTest, ReadyOnceThePortAnswersAndStoppingAtSigterm) {
  GatewayProcess gateway(
      TestConfig({{.name = "default", .user = "demo", .number = "3902124122690"}}));
  NotifyListener manager(gateway.dir() + "/notify.sock");
  ASSERT_TRUE(manager.ok()) << "cannot bind " << manager.path();
  gateway.SetEnvironment("NOTIFY_SOCKET", manager.path());

  // The manager's side runs while the gateway starts: the moment READY=1 arrives it asks the
  // port that notification names, once.
  std::vector<std::string> seen;
  std::optional<std::string> ready;
  HttpResponse at_ready;
  std::thread service_manager([&] {
    ready = manager.ReceiveLine("READY=1", GatewayProcess::kStartTimeout + std::chrono::seconds(5),
                                seen);
    if (!ready || StatusPort(*ready).empty()) return;
    HttpClient client;
    at_ready = client.Get("http://127.0.0.1:" + StatusPort(*ready) + "/healthz");
  });
  const auto started = gateway.Start();
  service_manager.join();
  ASSERT_TRUE(started);
  ASSERT_TRUE(ready.has_value()) << "no READY=1; notifications: " << Joined(seen);
  EXPECT_EQ(seen.size(), 1u) << "READY=1 is the first notification: " << Joined(seen);
  const std::string url = gateway.base_url();
  EXPECT_EQ(StatusPort(*ready), url.substr(url.rfind(':') + 1)) << *ready;
  EXPECT_EQ(at_ready.status, 200) << "the port did not answer at READY=1: " << at_ready.Describe();

  // No STOPPING=1 while it serves; then SIGTERM.
  seen.clear();
  EXPECT_FALSE(manager.Receive(milliseconds(200)).has_value());
  gateway.SendSignal(SIGTERM);
  const auto stopping = manager.ReceiveLine("STOPPING=1", milliseconds(10000), seen);
  EXPECT_TRUE(stopping.has_value()) << "no STOPPING=1 after SIGTERM: " << Joined(seen);
  const auto exit = gateway.WaitForExit(GatewayProcess::kStopTimeout);
  ASSERT_TRUE(exit.has_value()) << "still running after SIGTERM";
  EXPECT_TRUE(exit->ExitedWith(0)) << exit->ToString();
}

// A NOTIFY_SOCKET nobody listens on costs the gateway nothing: it serves and stops as ever.
TEST(ServiceNotifyTest, ASocketNobodyListensOnDoesNotStopTheGateway) {
  GatewayProcess gateway(
      TestConfig({{.name = "default", .user = "demo", .number = "3902124122690"}}));
  gateway.SetEnvironment("NOTIFY_SOCKET", "{dir}/nobody-listens.sock");
  ASSERT_TRUE(gateway.Start());
  HttpClient client;
  EXPECT_EQ(client.Get(gateway.base_url() + "/healthz").status, 200);
  EXPECT_TRUE(gateway.Stop().ExitedWith(0)) << gateway.ReadStderrLog();
}

}  // namespace
}  // namespace socialgate::testing
