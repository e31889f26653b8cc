#include "obs/security_events.hpp"

#include <spdlog/spdlog.h>

namespace socialgate::obs {
namespace {

constexpr std::size_t kMaxLoggedUser = 64;

// A client-chosen name made safe for a log line: printable ASCII only, cut short.
std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, kMaxLoggedUser)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7f && c != '"' ? c : '?');
  }
  if (s.size() > kMaxLoggedUser) out += "...";
  return out;
}

}  // namespace

SecurityEvents::SecurityEvents(std::function<void(const std::string&)> log)
    : log_(log ? std::move(log) : [](const std::string& line) { spdlog::warn("{}", line); }) {}

std::string_view SecurityEvents::Name(SecurityEvent kind) {
  switch (kind) {
    case SecurityEvent::kAuthFailed:
      return "auth_failed";
    case SecurityEvent::kLockedOut:
      return "locked_out";
    case SecurityEvent::kLockStarted:
      return "lock_started";
    case SecurityEvent::kMalformedHttp:
      return "malformed_http";
    case SecurityEvent::kTooLarge:
      return "too_large";
    case SecurityEvent::kOverBudget:
      return "over_budget";
    case SecurityEvent::kTooManyConnections:
      return "too_many_connections";
  }
  return "unknown";
}

void SecurityEvents::Record(SecurityEvent kind, std::string_view address, std::string_view user,
                            std::string_view what, Clock::time_point now) {
  const auto index = static_cast<std::size_t>(kind);
  counts_[index].fetch_add(1, std::memory_order_relaxed);
  std::uint64_t unlogged = 0;
  {
    std::lock_guard lock(mutex_);
    Window& w = windows_[index];
    if (now - w.start >= kWindow) {
      w.start = now;
      w.lines = 0;
    }
    if (w.lines >= kLinesPerWindow) {
      ++w.unlogged;
      return;
    }
    ++w.lines;
    unlogged = w.unlogged;
    w.unlogged = 0;
  }
  std::string line = "security: ";
  line.append(Name(kind));
  line += " from ";
  line += address.empty() ? std::string("an unknown address") : Printable(address);
  if (!user.empty()) line += " user \"" + Printable(user) + "\"";
  line += ": ";
  line.append(what);
  if (unlogged > 0) {
    line += " (" + std::to_string(unlogged) + " more not logged before this one)";
  }
  log_(line);
}

std::uint64_t SecurityEvents::Count(SecurityEvent kind) const {
  return counts_[static_cast<std::size_t>(kind)].load(std::memory_order_relaxed);
}

}  // namespace socialgate::obs
