#include "util/timer_queue.hpp"

#include "util/thread_name.hpp"

namespace socialgate::util {

TimerQueue::TimerQueue()
    : thread_([this] {
        NameThisThread("sg-timers");
        Run();
      }) {}

TimerQueue::~TimerQueue() { Stop(); }

TimerQueue::TimerId TimerQueue::Schedule(Clock::duration delay, std::function<void()> fn) {
  const auto due = Clock::now() + delay;
  std::lock_guard lock(mutex_);
  const TimerId id = next_id_++;
  timers_.emplace(std::make_pair(due, id), std::move(fn));
  due_by_id_.emplace(id, due);
  wake_.notify_one();
  return id;
}

bool TimerQueue::Cancel(TimerId id) {
  std::lock_guard lock(mutex_);
  auto it = due_by_id_.find(id);
  if (it == due_by_id_.end()) return false;
  timers_.erase(std::make_pair(it->second, id));
  due_by_id_.erase(it);
  return true;
}

void TimerQueue::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    timers_.clear();
    due_by_id_.clear();
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
    // A copy: while this thread waits, Cancel or Stop may erase the node the key lives in.
    const Clock::time_point due = first->first.first;
    if (due > Clock::now()) {
      wake_.wait_until(lock, due);
      continue;
    }
    auto fn = std::move(first->second);
    due_by_id_.erase(first->first.second);
    timers_.erase(first);
    // Run without the lock so the callback may schedule or cancel timers.
    lock.unlock();
    fn();
    lock.lock();
  }
}

}  // namespace socialgate::util
