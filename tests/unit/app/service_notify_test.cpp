// File: tests/unit/app/service_notify_test.cpp
//
// app/service_notify.hpp: the exact notifications systemd receives (the test binds the datagram
// socket NOTIFY_SOCKET names), and nothing at all without NOTIFY_SOCKET. The integration test
// (tests/integration/service_notify_test.cpp) checks when the gateway sends them.
#include "app/service_notify.hpp"

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace socialgate::app {
namespace {

// A bound unix datagram socket in a fresh directory, named by NOTIFY_SOCKET while it lives.
class FakeServiceManager : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/sg-notify-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    path_ = dir_ + "/notify.sock";
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path_.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd_, 0);
    ASSERT_EQ(bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0);
    ASSERT_EQ(setenv("NOTIFY_SOCKET", path_.c_str(), 1), 0);
  }
  void TearDown() override {
    unsetenv("NOTIFY_SOCKET");
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }

  // The notification already queued on the socket (sending is synchronous), or nullopt.
  std::optional<std::string> Queued() const {
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    if (poll(&p, 1, 0) != 1) return std::nullopt;
    char buffer[4096];
    const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<std::size_t>(n));
  }

  static long long MonotonicMicros() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<long long>(now.tv_sec) * 1000000LL + now.tv_nsec / 1000;
  }

  std::string dir_;
  std::string path_;
  int fd_ = -1;
};

TEST_F(FakeServiceManager, ReadyCarriesTheStatusInTheSameNotification) {
  NotifyReady("serving on port 8080");
  EXPECT_EQ(Queued(), "READY=1\nSTATUS=serving on port 8080");
  NotifyReady();
  EXPECT_EQ(Queued(), "READY=1");
  EXPECT_EQ(Queued(), std::nullopt);
}

TEST_F(FakeServiceManager, StoppingAndStatus) {
  NotifyStopping();
  EXPECT_EQ(Queued(), "STOPPING=1");
  NotifyStatus("reloading: server.threads\nchanged");
  EXPECT_EQ(Queued(), "STATUS=reloading: server.threads changed");  // one line, one assignment
}

TEST_F(FakeServiceManager, ReloadingCarriesTheMonotonicClockAndTheSocketStaysNamed) {
  const long long before = MonotonicMicros();
  NotifyReloading();
  const long long after = MonotonicMicros();
  const auto message = Queued();
  ASSERT_TRUE(message.has_value());
  const std::string prefix = "RELOADING=1\nMONOTONIC_USEC=";
  ASSERT_EQ(message->rfind(prefix, 0), 0u) << *message;
  const long long usec = std::stoll(message->substr(prefix.size()));
  EXPECT_GE(usec, before);
  EXPECT_LE(usec, after);
  // A reload ends with READY=1: NOTIFY_SOCKET was not taken out of the environment.
  NotifyReady();
  EXPECT_EQ(Queued(), "READY=1");
}

TEST_F(FakeServiceManager, NothingIsSentWithoutNotifySocket) {
  unsetenv("NOTIFY_SOCKET");
  NotifyReady("serving on port 8080");
  NotifyReloading();
  NotifyStopping();
  NotifyStatus("x");
  EXPECT_EQ(Queued(), std::nullopt);
}

TEST_F(FakeServiceManager, ASocketNobodyListensOnIsNotAnError) {
  ASSERT_EQ(setenv("NOTIFY_SOCKET", (dir_ + "/nobody.sock").c_str(), 1), 0);
  NotifyReady();  // returns, logs at debug level, throws nothing
  NotifyStopping();
  EXPECT_EQ(Queued(), std::nullopt);
}

}  // namespace
}  // namespace socialgate::app
