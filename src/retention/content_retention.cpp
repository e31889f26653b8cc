#include "retention/content_retention.hpp"

#include <spdlog/spdlog.h>

namespace socialgate::retention {

ContentRetention::ContentRetention(store::Conversations& conversations,
                                   std::vector<DomainRetention> domains,
                                   std::chrono::milliseconds interval, const util::Clock& clock)
    : conversations_(conversations),
      domains_(std::move(domains)),
      interval_(interval),
      clock_(clock),
      thread_("sg-retention", [this] {
        RunOnce();
        return interval_;
      }) {}

ContentRetention::~ContentRetention() { Stop(); }

void ContentRetention::Start() {
  if (!domains_.empty()) thread_.Start();
}

void ContentRetention::Stop() { thread_.Stop(); }

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
