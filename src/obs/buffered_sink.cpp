#include "obs/buffered_sink.hpp"

#include <cerrno>

#include <unistd.h>

namespace socialgate::obs {

BufferedFdSink::~BufferedFdSink() {
  std::lock_guard lock(mutex_);
  WriteOut();
}

void BufferedFdSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t formatted;
  formatter_->format(msg, formatted);
  buffer_.append(formatted.data(), formatted.size());
  if (buffer_.size() >= kFlushBytes || msg.level >= spdlog::level::warn) WriteOut();
}

void BufferedFdSink::flush_() { WriteOut(); }

void BufferedFdSink::WriteOut() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // nowhere to log to: drop the lines rather than block the gateway
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

}  // namespace socialgate::obs
