#include "config/live_config.hpp"

#include <utility>

namespace socialgate::config {

LiveConfig::LiveConfig(Config initial) {
  all_.push_back(std::make_unique<const Config>(std::move(initial)));
  current_.store(all_.back().get(), std::memory_order_release);
}

const Config& LiveConfig::Replace(Config next) {
  std::lock_guard lock(mutex_);
  all_.push_back(std::make_unique<const Config>(std::move(next)));
  const Config* now = all_.back().get();
  current_.store(now, std::memory_order_release);
  return *now;
}

std::size_t LiveConfig::generations() const {
  std::lock_guard lock(mutex_);
  return all_.size();
}

}  // namespace socialgate::config
