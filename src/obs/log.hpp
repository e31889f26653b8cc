// File: obs/log.hpp
//
// Logging set-up (spdlog, one line per event) and the masking every log line that names a
// person uses: phone numbers never appear in full in a log.
#pragma once

#include <string>
#include <string_view>

namespace socialgate::obs {

// "393403603062" -> "39*******062": keeps the country calling code and the last three digits
// (everything hidden for a number too short to hide at least three digits).
std::string MaskPhone(std::string_view digits);

// level: "trace", "debug", "info", "warn", "error". Unknown levels mean "info".
void SetUpLogging(std::string_view level);

enum class LogFormat {
  kText,  // 2026-12-06T21:22:13.923+00:00 info request ...
  kJson,  // {"time":"2026-12-06T21:22:13.923Z","level":"info","message":"request ..."}
};

// Changes the level and the format of the running logger (after SetUpLogging), from any thread
// at any time: lines already written keep theirs.
void ConfigureLogging(std::string_view level, LogFormat format);

// One log line as a JSON object with its newline: the message's quotes, backslashes and control
// characters escaped, and bytes that are not UTF-8 replaced by U+FFFD, so every line parses.
std::string JsonLogLine(std::string_view time, std::string_view level, std::string_view message);

}  // namespace socialgate::obs
