// File: obs/buffered_sink.hpp
//
// An spdlog sink that writes to a file descriptor (stderr) in batches: lines are collected in
// memory and written with one write(2) when 64 KiB have gathered, when a warning or error is
// logged (at once, with everything before it), and at least every 200 ms (SetUpLogging runs
// spdlog's periodic flusher). spdlog's console sinks write and flush every line, which costs a
// system call per message at thousands of messages per second.
//
// Thread safety: spdlog's base_sink serialises calls with its mutex.
#pragma once

#include <mutex>
#include <string>

#include <spdlog/sinks/base_sink.h>

namespace socialgate::obs {

class BufferedFdSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit BufferedFdSink(int fd) : fd_(fd) {}
  ~BufferedFdSink() override;
  BufferedFdSink(const BufferedFdSink&) = delete;
  BufferedFdSink& operator=(const BufferedFdSink&) = delete;
  BufferedFdSink(BufferedFdSink&&) = delete;
  BufferedFdSink& operator=(BufferedFdSink&&) = delete;

  static constexpr std::size_t kFlushBytes = 64 * 1024;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;

 private:
  void WriteOut();  // REQUIRES: the base_sink mutex held

  int fd_;
  std::string buffer_;
};

}  // namespace socialgate::obs
