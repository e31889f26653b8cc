#include "retention/content_retention.hpp"

#include <spdlog/spdlog.h>

#include "util/thread_name.hpp"

namespace socialgate::retention {

ContentRetention::ContentRetention(store::Conversations& conversations,
                                   std::vector<DomainRetention> domains,
                                   std::chrono::milliseconds interval, const util::Clock& clock)
    : conversations_(conversations),
      domains_(std::move(domains)),
      interval_(interval),
      clock_(clock) {}

ContentRetention::~ContentRetention() { Stop(); }

void ContentRetention::Start() {
  if (domains_.empty() || thread_.joinable()) return;
  thread_ = std::thread([this] {
    util::NameThisThread("sg-retention");
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      RunOnce();
      lock.lock();
      wake_.wait_for(lock, interval_, [this] { return stopping_; });
    }
  });
}

void ContentRetention::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int ContentRetention::RunOnce() {
  int total = 0;
  for (const DomainRetention& d : domains_) {
    const std::int64_t before = clock_.UnixMillis() - d.retention.count();
    for (int batch = 0; batch < kMaxBatches; ++batch) {
      auto erased = conversations_.EraseContent({d.domain, before, kBatch});
      if (!erased) {
        spdlog::warn("retention: domain '{}': cannot empty old messages now: {}", d.domain,
                     erased.error().detail);
        break;
      }
      total += *erased;
      if (*erased < 2 * kBatch) break;  // done for now
    }
  }
  if (total > 0)
    spdlog::info("retention: emptied {} messages past their domain's retention", total);
  return total;
}

}  // namespace socialgate::retention
