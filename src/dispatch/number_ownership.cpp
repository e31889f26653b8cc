#include "dispatch/number_ownership.hpp"

#include <algorithm>
#include <future>
#include <memory>

#include <spdlog/spdlog.h>

#include "util/thread_name.hpp"

namespace socialgate::dispatch {

using core::Result;

NumberOwnership::NumberOwnership(store::NumberLeases& leases, std::string owner,
                                 std::vector<std::string> numbers, std::chrono::milliseconds lease,
                                 std::chrono::milliseconds handover, const util::Clock& clock,
                                 std::function<void()> on_gain)
    : leases_(leases),
      owner_(std::move(owner)),
      numbers_(std::move(numbers)),
      lease_(lease),
      handover_ms_(handover.count()),
      clock_(clock),
      on_gain_(std::move(on_gain)) {}

NumberOwnership::~NumberOwnership() { Stop(); }

void NumberOwnership::Start() {
  {
    std::lock_guard lock(run_mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] {
    util::NameThisThread("sg-numbers");
    Run();
  });
}

void NumberOwnership::Stop() {
  {
    std::lock_guard lock(run_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void NumberOwnership::Release() {
  {
    std::lock_guard lock(held_mutex_);
    held_until_.clear();
  }
  auto released = leases_.ReleaseNumberLeases(owner_, clock_.UnixMillis(), handover_ms_.load());
  if (!released) {
    // Not fatal: the leases end by themselves, the numbers are only taken later.
    spdlog::error("dispatch: giving up the business numbers failed: {}", released.error().detail);
  }
}

Result<void> NumberOwnership::RenewOnce() {
  const auto asked = clock_.Now();
  // Shared with the callback: it may answer after this call gave up waiting.
  auto answer = std::make_shared<std::promise<Result<std::vector<std::string>>>>();
  auto answered = answer->get_future();
  std::vector<std::string> numbers;
  {
    std::lock_guard lock(held_mutex_);
    numbers = numbers_;
  }
  leases_.RenewNumberLeasesAsync(
      store::NumberLeaseRenewal{owner_, std::move(numbers), clock_.UnixMillis(), lease_.count(),
                                handover_ms_.load()},
      [answer](Result<std::vector<std::string>> r) { answer->set_value(std::move(r)); });
  if (answered.wait_for(lease_) != std::future_status::ready) {
    return core::MakeError(core::ErrorCode::kDeadlineExceeded,
                           "renewing the number leases took longer than a lease");
  }
  Result<std::vector<std::string>> granted = answered.get();
  if (!granted) return tl::unexpected(std::move(granted.error()));
  bool gained = false;
  {
    std::lock_guard lock(held_mutex_);
    std::map<std::string, util::Clock::TimePoint, std::less<>> held;
    for (const auto& number : *granted) {
      // Asked for before a SetNumbers that took it away: not held.
      if (std::find(numbers_.begin(), numbers_.end(), number) == numbers_.end()) continue;
      const auto was = held_until_.find(number);
      if (was == held_until_.end() || was->second <= asked) gained = true;
      held.emplace(number, asked + lease_);
    }
    held_until_.swap(held);
  }
  if (gained && on_gain_) on_gain_();
  return {};
}

bool NumberOwnership::Owns(std::string_view number) const {
  const auto now = clock_.Now();
  std::lock_guard lock(held_mutex_);
  const auto it = held_until_.find(number);
  return it != held_until_.end() && it->second > now;
}

std::vector<std::string> NumberOwnership::NotHeld() const {
  const auto now = clock_.Now();
  std::vector<std::string> out;
  std::lock_guard lock(held_mutex_);
  for (const auto& number : numbers_) {
    const auto it = held_until_.find(number);
    if (it == held_until_.end() || it->second <= now) out.push_back(number);
  }
  return out;
}

void NumberOwnership::Run() {
  const auto period = std::max(std::chrono::milliseconds(100), lease_ / 3);
  for (;;) {
    if (auto renewed = RenewOnce(); !renewed) {
      spdlog::error(
          "dispatch: renewing the leases on the business numbers failed: {}",
          renewed.error().detail.empty() ? renewed.error().message : renewed.error().detail);
    }
    std::unique_lock lock(run_mutex_);
    if (wake_.wait_for(lock, period, [this] { return stopping_ || renew_now_; })) {
      if (stopping_) return;
    }
    renew_now_ = false;
  }
}

void NumberOwnership::SetNumbers(std::vector<std::string> numbers,
                                 std::chrono::milliseconds handover) {
  handover_ms_.store(handover.count());
  {
    std::lock_guard lock(held_mutex_);
    numbers_ = std::move(numbers);
    // A number no longer configured is not sent for from now on; its lease runs out by itself.
    for (auto it = held_until_.begin(); it != held_until_.end();) {
      const bool kept = std::find(numbers_.begin(), numbers_.end(), it->first) != numbers_.end();
      it = kept ? std::next(it) : held_until_.erase(it);
    }
  }
  {
    std::lock_guard lock(run_mutex_);
    renew_now_ = true;
  }
  wake_.notify_all();
}

}  // namespace socialgate::dispatch
