// File: util/timer_queue.hpp
//
// A single background thread that runs callbacks at their due time. Used for work that must
// happen later but needs no I/O reactor: the sandbox provider's status progression and the
// ack timeout of a waiting request.
//
// Thread safety: Schedule may be called from any thread. Callbacks run on the queue's
// own thread, one at a time, so they must be short; a callback may call Schedule. Stop() runs no
// further callbacks, discarding those not yet due.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace socialgate::util {

class TimerQueue {
 public:
  using Clock = std::chrono::steady_clock;

  TimerQueue();
  ~TimerQueue();
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  // Runs `fn` once `delay` has passed (unless Stop comes first).
  void Schedule(Clock::duration delay, std::function<void()> fn);

  // Stops the thread; pending callbacks are dropped. Idempotent.
  void Stop();

 private:
  void Run();

  std::mutex mutex_;
  std::condition_variable wake_;
  // Keyed by (due time, sequence number) so equal due times keep their order of scheduling.
  std::map<std::pair<Clock::time_point, std::uint64_t>, std::function<void()>> timers_;
  std::uint64_t next_sequence_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace socialgate::util
