#include "obs/log.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "core/phone_number.hpp"
#include "obs/buffered_sink.hpp"
#include "util/thread_name.hpp"

namespace socialgate::obs {

std::string MaskPhone(std::string_view digits) {
  constexpr std::size_t kShownLast = 3;
  const std::size_t shown_first = core::CountryCodeLength(digits);
  // Too short to show both and still hide something: everything hidden.
  if (digits.size() < shown_first + kShownLast + 3) return std::string(digits.size(), '*');
  std::string out(digits.substr(0, shown_first));
  out.append(digits.size() - shown_first - kShownLast, '*');
  out.append(digits.substr(digits.size() - kShownLast));
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

namespace {

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c < 0x20 || c == 0x7f) {
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    // A UTF-8 sequence: its length from the lead byte, each continuation byte 10xxxxxx, no
    // overlong forms, no surrogates, nothing past U+10FFFF.
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    }
    bool valid = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; valid && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      valid = (cc & 0xc0) == 0x80;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (valid) {
      valid = !(len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) &&
              !(len == 4 && (cp < 0x10000 || cp > 0x10ffff));
    }
    if (valid) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
  out += '"';
}

// spdlog's formatter for log.format = "json".
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto since_epoch = msg.time.time_since_epoch();
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
    const std::time_t seconds = std::chrono::system_clock::to_time_t(msg.time);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char time[32];
    const std::size_t n = std::strftime(time, sizeof time, "%Y-%m-%dT%H:%M:%S", &utc);
    std::string stamp(time, n);
    char ms[8];
    std::snprintf(ms, sizeof ms, ".%03dZ", static_cast<int>(millis));
    stamp += ms;
    const auto level = spdlog::level::to_string_view(msg.level);
    const std::string line = JsonLogLine(stamp, std::string_view(level.data(), level.size()),
                                         std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

constexpr const char* kTextPattern = "%Y-%m-%dT%H:%M:%S.%e%z %l %v";

}  // namespace

std::string JsonLogLine(std::string_view time, std::string_view level, std::string_view message) {
  std::string out;
  out.reserve(message.size() + 64);
  out += "{\"time\":";
  AppendJsonString(out, time);
  out += ",\"level\":";
  AppendJsonString(out, level);
  out += ",\"message\":";
  AppendJsonString(out, message);
  out += "}\n";
  return out;
}

void ConfigureLogging(std::string_view level, LogFormat format) {
  spdlog::logger* logger = spdlog::default_logger_raw();
  logger->set_level(spdlog::level::from_str(std::string(level)));
  if (format == LogFormat::kJson) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_pattern(kTextPattern);
  }
}

void SetUpLogging(std::string_view level) {
  auto logger = std::make_shared<spdlog::logger>("socialgate",
                                                 std::make_shared<BufferedFdSink>(STDERR_FILENO));
  logger->set_pattern(kTextPattern);
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  // Info lines are written in batches: at most this late, or at once with a warning.
  static PeriodicFlusher flusher(std::chrono::milliseconds(200));
}

}  // namespace socialgate::obs
