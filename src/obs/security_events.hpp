// File: obs/security_events.hpp
//
// Security-relevant refusals, counted and logged: failed authentications (401), attempts
// refused while locked (429), locks that begin, malformed HTTP (400 from the server itself),
// requests over a size limit (413, 431), bodies refused for the memory budget (503) and
// connections refused for the connection cap. Each becomes one warning line naming the client's
// address and the user when there is one, never a credential, token or message content; at
// most kLinesPerWindow lines per kind in each kWindow, and the next line of that kind tells how
// many were not logged meanwhile. Counters hold every event.
//
// Thread safety: all methods may be called from many threads at once. Record never blocks on
// I/O beyond what the logger does (spdlog's sink).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace socialgate::obs {

enum class SecurityEvent {
  kAuthFailed,          // 401: wrong, missing or malformed credentials
  kLockedOut,           // 429: an attempt refused while its key is locked
  kLockStarted,         // a failure that locked a key
  kMalformedHttp,       // 400 from the HTTP server (bad framing, bad syntax)
  kTooLarge,            // 413 or 431
  kOverBudget,          // 503: request bodies held at once reached the budget
  kTooManyConnections,  // a connection closed at once: the cap was reached
};
inline constexpr std::size_t kSecurityEventKinds = 7;

class SecurityEvents {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kLinesPerWindow = 10;
  static constexpr std::chrono::seconds kWindow{10};

  // `log` receives each line to write; by default spdlog's warn.
  explicit SecurityEvents(std::function<void(const std::string&)> log = {});

  // Counts one event and logs it unless its kind has logged kLinesPerWindow lines in this
  // window. `address` and `user` may be empty; `what` is one short sentence of the gateway's
  // own (never a secret). User names come from clients: they are cut short and stripped of
  // control characters before they reach the log.
  void Record(SecurityEvent kind, std::string_view address, std::string_view user,
              std::string_view what, Clock::time_point now = Clock::now());

  // Events of `kind` since start.
  std::uint64_t Count(SecurityEvent kind) const;

  // A stable lower-case name ("auth_failed").
  static std::string_view Name(SecurityEvent kind);

 private:
  struct Window {
    Clock::time_point start{};
    int lines = 0;
    std::uint64_t unlogged = 0;  // events not logged since the last line
  };
  std::function<void(const std::string&)> log_;
  std::array<std::atomic<std::uint64_t>, kSecurityEventKinds> counts_{};
  std::mutex mutex_;
  std::array<Window, kSecurityEventKinds> windows_{};
};

}  // namespace socialgate::obs
