// File: tests/unit/support/eventually.hpp
//
// Waits for a condition that nothing signals (a row another thread writes): checks `done`
// every few milliseconds until it holds or `limit` passes. A test asserts on the answer, never
// on time having passed: nothing here proves that something did not happen.
#pragma once

#include <chrono>
#include <thread>

namespace socialgate::support {

template <typename Done>
bool Eventually(Done done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace socialgate::support
