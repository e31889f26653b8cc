// File: app/service_notify.cpp
//
// sd_notify(3) from libsystemd (Debian 12's libsystemd-dev): it reads NOTIFY_SOCKET on each
// call and returns 0 without sending when it is unset. unset_environment is 0 so that later
// notifications (reload, stop) still find the socket.
#include "app/service_notify.hpp"

#include <ctime>
#include <string>

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

namespace socialgate::app {
namespace {

void SendNotification(const std::string& state) {
  const int r = sd_notify(0, state.c_str());
  if (r < 0) {
    // Not a warning: the gateway serves whether or not the manager heard it.
    spdlog::debug("socialgate: sd_notify failed ({}); the service manager was not told", -r);
  }
}

std::string StatusLine(std::string_view status) {
  std::string line = "STATUS=";
  for (const char c : status) line.push_back(c == '\n' ? ' ' : c);
  return line;
}

}  // namespace

void NotifyReady(std::string_view status) {
  std::string state = "READY=1";
  if (!status.empty()) state += "\n" + StatusLine(status);
  SendNotification(state);
}

void NotifyReloading() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const long long usec = static_cast<long long>(now.tv_sec) * 1000000LL + now.tv_nsec / 1000;
  SendNotification("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void NotifyStopping() { SendNotification("STOPPING=1"); }

void NotifyStatus(std::string_view status) { SendNotification(StatusLine(status)); }

}  // namespace socialgate::app
