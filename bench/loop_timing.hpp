// File: bench/loop_timing.hpp
//
// The loop timer of the microbenchmarks (template_check_bench, number_check_bench): a call
// timed over ROUNDS rounds of about 0.2 s each, in batches of about 20 ms found first, in ns per
// call; the best (lowest) round and the median round. The call's result is summed into a
// volatile so the compiler cannot drop the call. Header-only: each benchmark is one file.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <vector>

namespace socialgate::bench {

struct Timing {
  double best_ns = 0;
  double median_ns = 0;
};

inline Timing Time(int rounds, const std::function<std::size_t()>& call) {
  using Clock = std::chrono::steady_clock;
  static volatile std::size_t sink = 0;
  std::size_t batch = 1000;
  for (;;) {  // a batch of about 20 ms
    const auto start = Clock::now();
    for (std::size_t i = 0; i < batch; ++i) sink = sink + call();
    if (Clock::now() - start > std::chrono::milliseconds(20) || batch > (1u << 30)) break;
    batch *= 2;
  }
  std::vector<double> per_call;
  for (int r = 0; r < rounds; ++r) {
    std::size_t calls = 0;
    const auto start = Clock::now();
    auto now = start;
    while (now - start < std::chrono::milliseconds(200)) {
      for (std::size_t i = 0; i < batch; ++i) sink = sink + call();
      calls += batch;
      now = Clock::now();
    }
    per_call.push_back(std::chrono::duration<double, std::nano>(now - start).count() /
                       static_cast<double>(calls));
  }
  std::sort(per_call.begin(), per_call.end());
  return {per_call.front(), per_call[per_call.size() / 2]};
}

}  // namespace socialgate::bench
