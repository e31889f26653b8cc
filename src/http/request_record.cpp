#include "http/request_record.hpp"

#include <cstdint>
#include <random>

namespace socialgate::http {

namespace {

constexpr std::size_t kMaxRequestIdBytes = 128;

bool IsRequestIdChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-':
    case '_':
    case '.':
    case ':':
    case '/':
    case '+':
    case '=':
    case '@':
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string NewRequestId() {
  thread_local std::mt19937_64 generator{[] {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
  }()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t bits = generator();
  std::string id(16, '0');
  for (char& c : id) {
    c = kHex[bits & 0xf];
    bits >>= 4;
  }
  return id;
}

std::string RequestIdFor(std::string_view header) {
  if (header.empty() || header.size() > kMaxRequestIdBytes) return NewRequestId();
  for (char c : header) {
    if (!IsRequestIdChar(c)) return NewRequestId();
  }
  return std::string(header);
}

}  // namespace socialgate::http
