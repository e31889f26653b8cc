// File: config/live_config.hpp
//
// The configuration a running gateway serves with, which a reload (SIGHUP, app/config_reload.hpp)
// replaces as a whole: readers see one configuration or the next, never half of each.
//
// A configuration once in force is never freed while the LiveConfig lives: a request that found
// its domain, user or number in one keeps using it on other threads after a reload (handlers
// hold `const config::Domain*`), and the configurations are a few kilobytes each, replaced only
// by an operator's reload. So Current() is one atomic load, and what it returns stays valid.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "config/config.hpp"

namespace socialgate::config {

class LiveConfig {
 public:
  explicit LiveConfig(Config initial);
  LiveConfig(const LiveConfig&) = delete;
  LiveConfig& operator=(const LiveConfig&) = delete;

  // The configuration in force now; valid for the LiveConfig's life.
  const Config& Current() const { return *current_.load(std::memory_order_acquire); }
  // Puts `next` in force for every later Current(), and returns it.
  const Config& Replace(Config next);
  // How many configurations have been in force (1 + the reloads applied).
  std::size_t generations() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<const Config>> all_;  // every configuration in force so far
  std::atomic<const Config*> current_;
};

}  // namespace socialgate::config
