#include "dispatch/lease_keeper.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "util/ids.hpp"
#include "util/thread_name.hpp"

namespace socialgate::dispatch {

LeaseKeeper::LeaseKeeper(store::Outbox& store, std::string owner, std::chrono::milliseconds lease)
    : store_(store), owner_(std::move(owner)), lease_(lease) {}

LeaseKeeper::~LeaseKeeper() { Stop(); }

void LeaseKeeper::Start() {
  {
    std::lock_guard lock(run_mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] {
    util::NameThisThread("sg-leases");
    Run();
  });
}

void LeaseKeeper::Stop() {
  {
    std::lock_guard lock(run_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LeaseKeeper::Hold(const std::vector<store::StoredMessage>& messages) {
  std::lock_guard lock(held_mutex_);
  for (const auto& m : messages) held_.insert(m.id);
}

void LeaseKeeper::Drop(const std::string& id) {
  std::lock_guard lock(held_mutex_);
  auto it = held_.find(id);
  if (it != held_.end()) held_.erase(it);
}

void LeaseKeeper::Run() {
  const auto period = std::max(std::chrono::milliseconds(100), lease_ / 3);
  for (;;) {
    {
      std::unique_lock lock(run_mutex_);
      if (wake_.wait_for(lock, period, [this] { return stopping_; })) return;
    }
    std::vector<std::string> ids;
    {
      std::lock_guard lock(held_mutex_);
      ids.assign(held_.begin(), held_.end());
    }
    auto extended = store_.ExtendLeases(ids, owner_, util::NowUnixMillis() + lease_.count());
    if (!extended) {
      spdlog::error("dispatch: renewing {} leases failed: {}", ids.size(), extended.error().detail);
    }
  }
}

}  // namespace socialgate::dispatch
