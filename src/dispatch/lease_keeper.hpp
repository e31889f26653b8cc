// File: dispatch/lease_keeper.hpp
//
// Keeps the leases of the messages this process has claimed and not yet finished: every third
// of the lease (at least 100 ms) its thread (`sg-leases`) extends them all by a lease from then,
// so a slow send is never claimed by another process meanwhile. A message is held from its
// claim until its outcome (or give-back) is recorded.
//
// Thread safety: all methods may be called from any thread; Start and Stop from one at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/outbox.hpp"

namespace socialgate::dispatch {

class LeaseKeeper {
 public:
  // `store` must outlive the keeper; `owner` is the lease owner's name.
  LeaseKeeper(store::Outbox& store, std::string owner, std::chrono::milliseconds lease);
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  void Start();
  // Stops renewing, at once, even between periods, and joins the thread. The held set stays.
  // The dispatcher stops it only once every send has ended, so no lease lapses under a send.
  void Stop();

  void Hold(const std::vector<store::StoredMessage>& messages);
  // Ends one Hold of `id` (a message claimed twice is held twice).
  void Drop(const std::string& id);

 private:
  void Run();

  store::Outbox& store_;
  const std::string owner_;
  const std::chrono::milliseconds lease_;

  std::mutex run_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;

  std::mutex held_mutex_;
  std::multiset<std::string> held_;
};

}  // namespace socialgate::dispatch
