#include "dispatch/store_status_sink.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

namespace socialgate::dispatch {

StoreStatusSink::~StoreStatusSink() {
  std::unique_lock lock(mutex_);
  answered_.wait(lock, [this] { return unanswered_ == 0; });
}

void StoreStatusSink::OnStatus(std::string_view provider_message_id, core::MessageStatus status,
                               std::int64_t at_unix_ms, std::string_view detail) {
  Record(Report{std::string(provider_message_id), status, at_unix_ms, std::string(detail)}, 0);
}

void StoreStatusSink::Record(Report report, int tries, int refused,
                             std::chrono::milliseconds refused_for) {
  // The write's answer comes on the store's thread: it only schedules the next try.
  auto answered = [this, report, tries, refused, refused_for](core::Result<void> recorded) mutable {
    if (!recorded) {
      const core::ErrorCode code = recorded.error().code;
      const auto wait = std::min<std::chrono::milliseconds>(
          std::chrono::seconds(1) * (1 << std::min(refused, 5)), kMaxUnavailableWait);
      if (code == core::ErrorCode::kNotFound && tries + 1 < kMaxTries) {
        timers_.Schedule(kRetryStep * (tries + 1),
                         [this, report = std::move(report), tries, refused, refused_for] {
                           Record(report, tries + 1, refused, refused_for);
                         });
      } else if (code == core::ErrorCode::kUnavailable && refused_for + wait <= kUnavailableFor) {
        if (refused == 0) {
          spdlog::warn("status: {} for provider message {} not recorded yet, trying again: {}",
                       core::MessageStatusName(report.status), report.provider_message_id,
                       recorded.error().message);
        }
        timers_.Schedule(wait, [this, report = std::move(report), tries, refused, refused_for,
                                wait] { Record(report, tries, refused + 1, refused_for + wait); });
      } else {
        spdlog::warn("status: {} for provider message {} not recorded: {}",
                     core::MessageStatusName(report.status), report.provider_message_id,
                     recorded.error().message);
      }
    }
    // Last: once this is counted, the destructor may go on.
    std::lock_guard lock(mutex_);
    if (--unanswered_ == 0) answered_.notify_all();
  };
  {
    std::lock_guard lock(mutex_);
    ++unanswered_;
  }
  statuses_.RecordDeliveryStatusAsync(std::move(report.provider_message_id), report.status,
                                      report.at_ms, std::move(report.detail), std::move(answered));
}

}  // namespace socialgate::dispatch
