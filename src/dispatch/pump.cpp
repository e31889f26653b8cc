#include "dispatch/pump.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "dispatch/pacer.hpp"
#include "util/ids.hpp"
#include "util/thread_name.hpp"

namespace socialgate::dispatch {

Pump::Pump(store::Outbox& store, FlowControl& flow, const util::Clock& clock,
           const config::DispatchSettings& settings, std::string owner, Hooks hooks)
    : store_(store),
      flow_(flow),
      clock_(clock),
      settings_(settings),
      owner_(std::move(owner)),
      hooks_(std::move(hooks)) {}

Pump::~Pump() {
  RequestStop();
  Join();
}

void Pump::Start() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] {
    util::NameThisThread("sg-pump");
    Run();
  });
}

void Pump::RequestStop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
}

void Pump::Join() {
  if (thread_.joinable()) thread_.join();
}

void Pump::WaitDrained() {
  // Asynchronous sends finish within their timeout; queued blocking ones are given back.
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [this] { return in_flight_ == 0 && !claim_in_flight_; });
}

void Pump::Notify() {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    ++notifications_;
    // The pump's next claim covers everything stored until then: while it is on its way, more
    // wake-ups would only add claims that find nothing.
    wake = !wake_pending_;
    wake_pending_ = true;
  }
  if (wake) wake_.notify_one();
}

bool Pump::Stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void Pump::EndInFlight(bool due_later) {
  bool drained = false;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    --in_flight_;
    drained = in_flight_ == 0;
    // A message due again later may be due before the pump's planned wake-up.
    if (due_later) {
      ++notifications_;
      wake = true;
    }
    if (wants_room_ && in_flight_ == settings_.max_in_flight - RefillAt()) wake = true;
  }
  if (wake) wake_.notify_all();
  if (drained) drained_.notify_all();
}

void Pump::Run() {
  // When to claim next, unless a notification comes first: at once after a claim that took
  // all it asked for, otherwise when the next message is due (or the poll interval).
  auto claim_at = clock_.Now();
  ClaimAsked asked;
  std::uint64_t claimed_for = 0;  // the notifications the last claim covers
  for (;;) {
    const auto next_paced = hooks_.send_due();
    std::optional<core::Result<store::Claim>> claimed;
    std::uint64_t seen = 0;
    int room = 0;
    bool claiming = false;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
      claimed.swap(claim_result_);
      seen = notifications_;
      room = settings_.max_in_flight - in_flight_;
      claiming = claim_in_flight_;
    }
    if (claimed) {
      claim_at = TakeClaim(std::move(*claimed), asked);
      continue;
    }
    auto now = clock_.Now();
    if (!claiming && room > 0 && (now >= claim_at || seen != claimed_for)) {
      claimed_for = seen;
      StartClaim(std::min(room, kClaimBatch), asked);
      claiming = true;
      now = clock_.Now();
    }
    // Microseconds: a number at 1,000/s has a slot every millisecond, and a pump that rounds its
    // sleep up to whole milliseconds falls behind it.
    std::chrono::microseconds wait = settings_.poll_interval;
    if (!claiming && room > 0) {
      wait = std::min(wait, std::chrono::ceil<std::chrono::microseconds>(claim_at - now));
    }
    if (next_paced) {
      wait = std::min(wait, std::chrono::ceil<std::chrono::microseconds>(*next_paced - now));
    }
    if (wait.count() <= 0) continue;
    std::unique_lock lock(mutex_);
    // A full window waits for outcomes to be recorded (the last completions wake it), not for a
    // poll; a free one for its claim, new messages, due retries or the next paced slot.
    wants_room_ = room <= 0;
    wake_.wait_for(lock, wait, [&] {
      return stopping_ || claim_result_.has_value() ||
             (!claim_in_flight_ && notifications_ != claimed_for) ||
             (room <= 0 && in_flight_ <= settings_.max_in_flight - RefillAt());
    });
    wants_room_ = false;
  }
  // Kept for a later slot, or claimed and not yet begun: back to the queue, due now, for the
  // next start. (A claim still in flight gives its messages back itself: see OnClaimed.)
  std::optional<core::Result<store::Claim>> claimed;
  {
    std::lock_guard lock(mutex_);
    claimed.swap(claim_result_);
  }
  if (claimed && *claimed) GiveBackClaimed(std::move((*claimed)->messages));
  hooks_.give_back_kept();
}

void Pump::StartClaim(int limit, ClaimAsked& asked) {
  asked.limit = limit;
  asked.skipped =
      flow_.ThrottledNumbers(clock_.Now(), Pacer::kHorizon / 2, &asked.until_unthrottled);
  asked.throttled = !asked.skipped.empty();
  if (hooks_.not_held) {
    // Not held now: a gain wakes the pump (Notify), as new work does.
    for (auto& number : hooks_.not_held()) asked.skipped.push_back(std::move(number));
  }
  {
    std::lock_guard lock(mutex_);
    claim_in_flight_ = true;
    wake_pending_ = false;  // this claim covers every notification so far
  }
  store_.ClaimDueAsync(util::NowUnixMillis(), owner_, settings_.lease.count(), limit, asked.skipped,
                       [this](core::Result<store::Claim> claim) { OnClaimed(std::move(claim)); });
}

void Pump::OnClaimed(core::Result<store::Claim> claim) {
  std::vector<store::StoredMessage> unsent;
  {
    std::lock_guard lock(mutex_);
    claim_in_flight_ = false;
    if (!stopping_) {
      claim_result_ = std::move(claim);
      wake_.notify_all();
      return;
    }
    // Stopping: nothing will send them; their leases go back at once. Counted in flight in
    // this same step, so WaitDrained waits for their give-backs too.
    if (claim) {
      unsent = std::move(claim->messages);
      in_flight_ += static_cast<int>(unsent.size());
    }
  }
  GiveBackCounted(std::move(unsent));
  drained_.notify_all();
}

void Pump::GiveBackClaimed(std::vector<store::StoredMessage> messages) {
  {
    std::lock_guard lock(mutex_);
    in_flight_ += static_cast<int>(messages.size());
  }
  GiveBackCounted(std::move(messages));
}

void Pump::GiveBackCounted(std::vector<store::StoredMessage> messages) {
  if (messages.empty()) return;
  hooks_.hold(messages);
  for (auto& m : messages) {
    hooks_.give_back(std::make_shared<const store::StoredMessage>(std::move(m)));
  }
}

Pump::TimePoint Pump::TakeClaim(core::Result<store::Claim> claim, const ClaimAsked& asked) {
  const auto now = clock_.Now();
  if (!claim) {
    spdlog::error("dispatch: claiming messages failed: {}", claim.error().detail);
    // Storage trouble: do not spin.
    return now + std::max<FlowControl::Clock::duration>(settings_.poll_interval,
                                                        std::chrono::milliseconds(100));
  }
  auto& messages = claim->messages;
  const bool took_all_asked = static_cast<int>(messages.size()) >= asked.limit;
  if (!messages.empty()) {
    hooks_.hold(messages);
    {
      std::lock_guard lock(mutex_);
      in_flight_ += static_cast<int>(messages.size());
    }
    for (auto& message : messages) {
      hooks_.begin(std::make_shared<const store::StoredMessage>(std::move(message)));
    }
  }
  if (took_all_asked) return now;  // more may be due
  // All that was due is claimed: sleep until a throttled number may be claimed for again, the
  // next due time, the poll interval, or a notification. A due time already past belongs to a
  // throttled number (or a message stored since, whose notification wakes the pump): claiming
  // again at once would only scan that backlog again.
  FlowControl::Clock::duration wait = settings_.poll_interval;
  if (asked.throttled) wait = std::min(wait, asked.until_unthrottled);
  if (claim->next_due_at_ms) {
    const std::int64_t in_ms = *claim->next_due_at_ms - util::NowUnixMillis();
    if (in_ms > 0 || asked.skipped.empty()) {
      wait = std::min<FlowControl::Clock::duration>(
          wait, std::chrono::milliseconds(std::max<std::int64_t>(1, in_ms)));
    }
  }
  return now + wait;
}

int Pump::RefillAt() const {
  // Waking for every completion in a full window would cost a thread switch per send; a
  // quarter of the window (at most one claim) is worth a claim.
  return std::clamp(settings_.max_in_flight / 4, 1, kClaimBatch);
}

}  // namespace socialgate::dispatch
