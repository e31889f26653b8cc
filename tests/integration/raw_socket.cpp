#include "raw_socket.hpp"

#include <cerrno>
#include <cstdint>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace socialgate::testing {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

RawSocket::RawSocket(const std::string& base_url) {
  const auto colon = base_url.rfind(':');
  const int port = std::stoi(base_url.substr(colon + 1));
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ >= 0 && connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Close();
}

RawSocket::~RawSocket() { Close(); }

void RawSocket::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

bool RawSocket::SendAll(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      closed_ = true;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool RawSocket::ReadUntil(std::string_view text, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (received_.find(text) == std::string::npos) {
    if (!ReadSome(deadline)) return false;
  }
  return true;
}

bool RawSocket::WaitForClose(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!closed_) {
    if (!ReadSome(deadline) && !closed_) return false;
  }
  return true;
}

bool RawSocket::ReadSome(Clock::time_point deadline) {
  if (closed_ || fd_ < 0) return false;
  const auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char buffer[4096];
  const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
  if (n <= 0) {
    if (n < 0 && errno == EINTR) return true;
    closed_ = true;  // EOF, or ECONNRESET
    return false;
  }
  received_.append(buffer, static_cast<std::size_t>(n));
  return true;
}

}  // namespace socialgate::testing
