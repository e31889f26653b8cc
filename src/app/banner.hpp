// File: app/banner.hpp
//
// The start-up text: where the gateway listens, and (for demo and benchmark configurations
// that name an [example]) a curl command that sends the seed's example request as pasted.
#pragma once

#include <cstdint>
#include <string>

#include "config/config.hpp"

namespace socialgate::app {

std::string StartupBanner(const config::Config& config, const std::string& host,
                          std::uint16_t port);

}  // namespace socialgate::app
