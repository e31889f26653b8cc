// File: obs/log.hpp
//
// Logging set-up (spdlog, one line per event) and the masking every log line that names a
// person uses: phone numbers never appear in full in a log.
#pragma once

#include <string>
#include <string_view>

namespace socialgate::obs {

// "393403603062" -> "3934******62": keeps the country code's first digits and the last two.
std::string MaskPhone(std::string_view digits);

// level: "trace", "debug", "info", "warn", "error". Unknown levels mean "info".
void SetUpLogging(std::string_view level);

}  // namespace socialgate::obs
