#include "util/byte_budget.hpp"

namespace socialgate::util {

bool ByteBudget::TryTake(std::size_t bytes) {
  std::size_t used = in_use_.load(std::memory_order_relaxed);
  for (;;) {
    if (bytes > total_ || used > total_ - bytes) return false;
    if (in_use_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed)) return true;
  }
}

void ByteBudget::Give(std::size_t bytes) { in_use_.fetch_sub(bytes, std::memory_order_relaxed); }

bool ByteBudget::Lease::GrowTo(std::size_t bytes) {
  if (bytes <= held_) return true;
  if (!budget_->TryTake(bytes - held_)) return false;
  held_ = bytes;
  return true;
}

void ByteBudget::Lease::Release() {
  if (held_ == 0) return;
  budget_->Give(held_);
  held_ = 0;
}

}  // namespace socialgate::util
