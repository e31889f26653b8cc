// File: util/work_pool.hpp
//
// A fixed set of threads running submitted tasks in FIFO order: where blocking work (SQLite,
// password hashing, media sniffing) runs so it never blocks an HTTP I/O thread.
//
// Thread safety: Submit may be called from any thread. Shutdown() finishes every task already
// submitted, then joins; tasks submitted after it are refused (Submit returns false).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace socialgate::util {

class WorkPool {
 public:
  // `name` names the threads (see NameThisThread), each with its index.
  explicit WorkPool(std::size_t threads, std::string name = "sg-pool");
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues `task`. Returns false when the pool is shutting down.
  bool Submit(std::function<void()> task);

  // Tasks queued and not yet started.
  std::size_t Backlog() const;

  void Shutdown();

 private:
  void Run();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace socialgate::util
