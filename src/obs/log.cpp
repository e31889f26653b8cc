#include "obs/log.hpp"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "obs/buffered_sink.hpp"
#include "util/thread_name.hpp"

namespace socialgate::obs {

std::string MaskPhone(std::string_view digits) {
  if (digits.size() <= 6) return std::string(digits.size(), '*');
  std::string out(digits.substr(0, 4));
  out.append(digits.size() - 6, '*');
  out.append(digits.substr(digits.size() - 2));
  return out;
}

namespace {

// Flushes the default logger every `period` until the process exits (then once more).
// spdlog's own flush_every counts in whole seconds.
class PeriodicFlusher {
 public:
  explicit PeriodicFlusher(std::chrono::milliseconds period)
      : thread_([this, period] {
          util::NameThisThread("sg-log-flush");
          std::unique_lock lock(mutex_);
          while (!cv_.wait_for(lock, period, [this] { return stopping_; })) {
            spdlog::default_logger_raw()->flush();
          }
        }) {}
  ~PeriodicFlusher() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
    spdlog::default_logger_raw()->flush();
  }
  PeriodicFlusher(const PeriodicFlusher&) = delete;
  PeriodicFlusher& operator=(const PeriodicFlusher&) = delete;
  PeriodicFlusher(PeriodicFlusher&&) = delete;
  PeriodicFlusher& operator=(PeriodicFlusher&&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the members it uses exist
};

}  // namespace

void SetUpLogging(std::string_view level) {
  auto logger = std::make_shared<spdlog::logger>("socialgate",
                                                 std::make_shared<BufferedFdSink>(STDERR_FILENO));
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  // Info lines are written in batches: at most this late, or at once with a warning.
  static PeriodicFlusher flusher(std::chrono::milliseconds(200));
}

}  // namespace socialgate::obs
