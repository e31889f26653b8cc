#include "raw_socket.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <string>

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

// The first final (not 1xx) HTTP answer in `raw`: status, headers and the body its
// Content-Length announces (status 0 when there is none).
HttpResponse ParseRawResponse(std::string_view raw) {
  HttpResponse r;
  for (;;) {
    const auto head_end = raw.find("\r\n\r\n");
    if (raw.rfind("HTTP/1.", 0) != 0 || raw.size() < 12 || head_end == std::string_view::npos) {
      r.transport_error = "no HTTP answer in: " + std::string(raw.substr(0, 200));
      return r;
    }
    const std::string_view code = raw.substr(9, 3);
    if (!std::all_of(code.begin(), code.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
      r.transport_error = "no HTTP status in: " + std::string(raw.substr(0, 200));
      return r;
    }
    const long status = std::stol(std::string(code));
    const std::string_view head = raw.substr(0, head_end);
    raw.remove_prefix(head_end + 4);
    if (status < 200) continue;  // "100 Continue"
    r.status = status;
    std::size_t line_start = head.find("\r\n");
    while (line_start != std::string_view::npos) {
      line_start += 2;
      const auto line_end = head.find("\r\n", line_start);
      const std::string_view line = head.substr(line_start, line_end - line_start);
      const auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string name(line.substr(0, colon));
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        r.headers[name] = std::string(value);
      }
      line_start = line_end;
    }
    std::size_t length = raw.size();
    if (const auto it = r.headers.find("content-length"); it != r.headers.end()) {
      length = std::min<std::size_t>(length, std::stoul(it->second));
    }
    r.body = std::string(raw.substr(0, length));
    return r;
  }
}

}  // namespace socialgate::testing
