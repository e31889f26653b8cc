// File: util/byte_budget.hpp
//
// A number of bytes shared by many holders, e.g. the request bodies held in memory at once
// across all connections. A holder takes bytes before it allocates them and gives them back
// when it frees them; a take that would go over the total is refused instead of waiting, so
// the caller can answer "try again later" at once.
//
//   util::ByteBudget bodies(512 << 20);
//   util::ByteBudget::Lease lease(bodies);
//   if (!lease.Grow(content_length)) return Refuse503();
//   ... read and handle the body; the lease gives the bytes back when it is destroyed.
//
// Thread safety: TryTake, Give and in_use may be called from any thread. A Lease is used by one
// thread at a time.
#pragma once

#include <atomic>
#include <cstddef>

namespace socialgate::util {

class ByteBudget {
 public:
  explicit ByteBudget(std::size_t total) : total_(total) {}
  ByteBudget(const ByteBudget&) = delete;
  ByteBudget& operator=(const ByteBudget&) = delete;

  // Takes `bytes` if they fit under the total; false, taking nothing, if they do not.
  bool TryTake(std::size_t bytes);
  // Gives back bytes taken before.
  void Give(std::size_t bytes);

  std::size_t total() const { return total_; }
  std::size_t in_use() const { return in_use_.load(std::memory_order_relaxed); }

  // Bytes taken by one holder, given back together when it ends.
  class Lease {
   public:
    explicit Lease(ByteBudget& budget) : budget_(&budget) {}
    ~Lease() { Release(); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    // Makes the lease hold at least `bytes` in all; false (holding what it held) when the
    // budget cannot give the difference.
    bool GrowTo(std::size_t bytes);
    // Gives back everything held.
    void Release();
    std::size_t held() const { return held_; }

   private:
    ByteBudget* budget_;
    std::size_t held_ = 0;
  };

 private:
  const std::size_t total_;
  std::atomic<std::size_t> in_use_{0};
};

}  // namespace socialgate::util
