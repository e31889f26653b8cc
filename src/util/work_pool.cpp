#include "util/work_pool.hpp"

#include "util/thread_name.hpp"

namespace socialgate::util {

WorkPool::WorkPool(std::size_t threads, std::string name) {
  if (threads == 0) threads = 1;
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this, name, i] {
      NameThisThread(name + "-" + std::to_string(i));
      Run();
    });
  }
}

WorkPool::~WorkPool() { Shutdown(); }

bool WorkPool::Submit(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

std::size_t WorkPool::Backlog() const {
  std::lock_guard lock(mutex_);
  return tasks_.size();
}

void WorkPool::Shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void WorkPool::Run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      // Drain what was accepted before stopping: accepted work is never dropped.
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace socialgate::util
