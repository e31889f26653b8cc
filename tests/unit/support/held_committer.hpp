// File: tests/unit/support/held_committer.hpp
//
// Holds a store's committer thread for a test: an insert whose callback, run on that thread,
// waits for Release() (or the destructor). Writes queued meanwhile wait in the committer's queue,
// as they would behind a slow fsync.
#pragma once

#include <latch>
#include <memory>
#include <utility>

#include "store/outbox.hpp"

namespace socialgate::store {

class HeldCommitter {
 public:
  // Returns once the committer is held. `message` must be insertable.
  HeldCommitter(Outbox& store, NewMessage message) : state_(std::make_shared<State>()) {
    store.InsertAsync(std::move(message), [state = state_](core::Result<Inserted>) {
      state->holding.count_down();
      state->released.wait();
    });
    state_->holding.wait();
  }
  ~HeldCommitter() { Release(); }
  HeldCommitter(const HeldCommitter&) = delete;
  HeldCommitter& operator=(const HeldCommitter&) = delete;
  HeldCommitter(HeldCommitter&&) = delete;
  HeldCommitter& operator=(HeldCommitter&&) = delete;

  void Release() {
    if (!std::exchange(released_, true)) state_->released.count_down();
  }

 private:
  struct State {
    std::latch holding{1};
    std::latch released{1};
  };
  std::shared_ptr<State> state_;  // shared with the callback, which may outlive this object
  bool released_ = false;
};

}  // namespace socialgate::store
