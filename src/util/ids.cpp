#include "util/ids.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include <sodium.h>
#include <unistd.h>

namespace socialgate::util {

std::int64_t NowUnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string NewMessageId() { return NewMessageIdAt(NowUnixMillis()); }

std::string NewInstanceName() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  return std::string(host.data()) + ":" + std::to_string(getpid()) + ":" +
         NewMessageId().substr(24);
}

std::string NewMessageIdAt(std::int64_t unix_millis) {
  std::array<unsigned char, 16> b{};
  // randombytes_buf is thread-safe once sodium_init() ran (main does it; calling again is cheap).
  static const int kInit = sodium_init();
  (void)kInit;
  randombytes_buf(b.data(), b.size());
  const auto ms = static_cast<std::uint64_t>(unix_millis);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (40 - 8 * i));
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x70);  // version 7
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0F]);
  }
  return out;
}

std::string FormatUtcMillis(std::int64_t unix_millis) {
  const std::time_t secs = static_cast<std::time_t>(unix_millis / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_millis % 1000));
  return std::string(buf.data());
}

}  // namespace socialgate::util
