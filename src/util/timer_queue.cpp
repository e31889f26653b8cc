#include "util/timer_queue.hpp"

#include "util/thread_name.hpp"

namespace socialgate::util {

TimerQueue::TimerQueue()
    : thread_([this] {
        NameThisThread("sg-timers");
        Run();
      }) {}

TimerQueue::~TimerQueue() { Stop(); }

void TimerQueue::Schedule(Clock::duration delay, std::function<void()> fn) {
  const auto due = Clock::now() + delay;
  std::lock_guard lock(mutex_);
  timers_.emplace(std::make_pair(due, next_sequence_++), std::move(fn));
  wake_.notify_one();
}

void TimerQueue::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    timers_.clear();
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void TimerQueue::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (timers_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto first = timers_.begin();
    // A copy: while this thread waits, Stop may erase the node the key lives in.
    const Clock::time_point due = first->first.first;
    if (due > Clock::now()) {
      wake_.wait_until(lock, due);
      continue;
    }
    auto fn = std::move(first->second);
    timers_.erase(first);
    // Run without the lock so the callback may schedule timers.
    lock.unlock();
    fn();
    lock.lock();
  }
}

}  // namespace socialgate::util
