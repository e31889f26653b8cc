// File: util/timer_queue.hpp
//
// A single background thread that runs callbacks at their due time. Used for work that must
// happen later but needs no I/O reactor: the sandbox provider's status progression and the
// ack timeout of a waiting request.
//
// Thread safety: Schedule and Cancel may be called from any thread. Callbacks run on the queue's
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
  using TimerId = std::uint64_t;

  TimerQueue();
  ~TimerQueue();
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  // Runs `fn` once `delay` has passed. Returns an id for Cancel.
  TimerId Schedule(Clock::duration delay, std::function<void()> fn);

  // Returns true when the timer was pending and will not run.
  bool Cancel(TimerId id);

  // Stops the thread; pending callbacks are dropped. Idempotent.
  void Stop();

 private:
  void Run();

  std::mutex mutex_;
  std::condition_variable wake_;
  // Keyed by (due time, id) so equal due times keep their order of scheduling.
  std::map<std::pair<Clock::time_point, TimerId>, std::function<void()>> timers_;
  std::map<TimerId, Clock::time_point> due_by_id_;
  TimerId next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace socialgate::util
