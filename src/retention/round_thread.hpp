// File: retention/round_thread.hpp
//
// The thread each retention runs its rounds on: `round` at once, then again after the wait it
// returns, until Stop, which wakes it from a wait at once (a round in progress finishes first).
//
// Thread safety: Start and Stop from one thread. Lifetime: what `round` uses must outlive the
// thread, so its owner calls Stop (or destroys the RoundThread) before its own members go.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace socialgate::retention {

class RoundThread {
 public:
  // One round; how long to wait before the next.
  using Round = std::function<std::chrono::milliseconds()>;

  RoundThread(std::string name, Round round);
  ~RoundThread();  // Stop()
  RoundThread(const RoundThread&) = delete;
  RoundThread& operator=(const RoundThread&) = delete;
  RoundThread(RoundThread&&) = delete;
  RoundThread& operator=(RoundThread&&) = delete;

  // Starts the thread; does nothing when it runs.
  void Start();
  void Stop();

 private:
  const std::string name_;
  const Round round_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace socialgate::retention
