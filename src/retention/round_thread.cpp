#include "retention/round_thread.hpp"

#include <utility>

#include "util/thread_name.hpp"

namespace socialgate::retention {

RoundThread::RoundThread(std::string name, Round round)
    : name_(std::move(name)), round_(std::move(round)) {}

RoundThread::~RoundThread() { Stop(); }

void RoundThread::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    util::NameThisThread(name_);
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      const std::chrono::milliseconds wait = round_();
      lock.lock();
      wake_.wait_for(lock, wait, [this] { return stopping_; });
    }
  });
}

void RoundThread::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace socialgate::retention
