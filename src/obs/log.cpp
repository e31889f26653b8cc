#include "obs/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace socialgate::obs {

std::string MaskPhone(std::string_view digits) {
  if (digits.size() <= 6) return std::string(digits.size(), '*');
  std::string out(digits.substr(0, 4));
  out.append(digits.size() - 6, '*');
  out.append(digits.substr(digits.size() - 2));
  return out;
}

void SetUpLogging(std::string_view level) {
  auto logger = spdlog::stderr_color_mt("socialgate");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

}  // namespace socialgate::obs
