// File: dispatch/store_status_sink.hpp
//
// Records the delivery statuses providers report (sent, delivered, read, failed) in the store
// without waiting for the disk: each status joins the committer's next group commit
// (DeliveryStatuses::RecordDeliveryStatusAsync). So neither a provider's thread nor the timer
// thread the sandbox reports from (which also runs ack timeouts) ever waits for an fsync.
//
// A status may arrive before the attempt that produced its provider id is recorded (a fast
// provider, or a webhook racing the send's answer). A status whose id is not found is tried
// again, kRetryStep later and then a step more each time, up to kMaxTries tries: the timer queue
// schedules each try, and each try's write is asynchronous like the first. A status the store
// refuses (a database that is down) is tried again too, a second later and then doubling to
// kMaxUnavailableWait, for kUnavailableFor. A status still not found, or still refused then, is
// logged and dropped.
//
// Thread safety: OnStatus may be called from any thread at once.
// Lifetime: `statuses` and `timers` must outlive the sink, and `timers` must be stopped before
// the sink is destroyed (a scheduled try holds the sink). The destructor waits until every write
// the sink queued has been answered.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "providers/provider.hpp"
#include "store/delivery_statuses.hpp"
#include "util/timer_queue.hpp"

namespace socialgate::dispatch {

class StoreStatusSink final : public providers::StatusSink {
 public:
  static constexpr int kMaxTries = 20;
  static constexpr auto kRetryStep = std::chrono::milliseconds(50);
  static constexpr auto kMaxUnavailableWait = std::chrono::seconds(30);
  static constexpr auto kUnavailableFor = std::chrono::minutes(30);

  StoreStatusSink(store::DeliveryStatuses& statuses, util::TimerQueue& timers)
      : statuses_(statuses), timers_(timers) {}
  ~StoreStatusSink() override;
  StoreStatusSink(const StoreStatusSink&) = delete;
  StoreStatusSink& operator=(const StoreStatusSink&) = delete;
  StoreStatusSink(StoreStatusSink&&) = delete;
  StoreStatusSink& operator=(StoreStatusSink&&) = delete;

  // Queues the status's write and returns.
  void OnStatus(std::string_view provider_message_id, core::MessageStatus status,
                std::int64_t at_unix_ms, std::string_view detail) override;

 private:
  struct Report {
    std::string provider_message_id;
    core::MessageStatus status;
    std::int64_t at_ms = 0;
    std::string detail;
  };
  // Try number `tries` (0 the first) of recording `report`; `refused`: the tries the store
  // refused, `refused_for`: the waits after them so far.
  void Record(Report report, int tries, int refused = 0,
              std::chrono::milliseconds refused_for = {});

  store::DeliveryStatuses& statuses_;
  util::TimerQueue& timers_;
  std::mutex mutex_;
  std::condition_variable answered_;
  int unanswered_ = 0;  // writes queued and not yet answered; guarded by mutex_
};

}  // namespace socialgate::dispatch
