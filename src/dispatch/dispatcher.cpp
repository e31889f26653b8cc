#include "dispatch/dispatcher.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <exception>
#include <memory>

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "core/text.hpp"
#include "obs/log.hpp"
#include "util/ids.hpp"
#include "util/thread_name.hpp"

namespace socialgate::dispatch {
namespace {

// Claims per store round trip: large enough that claiming is a small share of a send's cost,
// small enough that one claim does not hold the committer for long.
constexpr int kClaimBatch = 256;

// How far ahead a number's send slots are booked for claimed messages, which wait in memory for
// their slot. Beyond it they go back to the store; a number booked half this far is not claimed.
// (Milliseconds: in whole seconds, kPaceHorizon / 2 would be zero.)
constexpr auto kPaceHorizon = std::chrono::milliseconds(1000);

// The outcome of an attempt whose provider threw `what`: retried, as a passing fault would be.
providers::SendOutcome ProviderFault(std::string_view message_id, std::string_view what) {
  spdlog::error("dispatch: the provider failed on message {} with an exception: {}", message_id,
                core::OneLine(what, 512));
  providers::SendOutcome outcome;
  outcome.kind = providers::SendOutcome::Kind::kRetryLater;
  outcome.error_code = "internal_error";
  outcome.error_message = "the provider failed with an internal error (logged)";
  return outcome;
}

std::string MakeOwnerName() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  // The id's random tail keeps two processes with a recycled pid apart.
  return std::string(host.data()) + ":" + std::to_string(getpid()) + ":" +
         util::NewMessageId().substr(24);
}

}  // namespace

Dispatcher::Dispatcher(store::Outbox& store, ProviderLookup providers, const config::Config& config)
    : store_(store),
      providers_(std::move(providers)),
      config_(config),
      settings_(config.dispatch),
      flow_(config),
      owner_(MakeOwnerName()),
      rng_(std::random_device{}()) {}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  std::lock_guard lock(mutex_);
  if (started_) return;
  started_ = true;
  stopping_ = false;
  blocking_ =
      std::make_unique<util::WorkPool>(static_cast<std::size_t>(settings_.workers), "sg-send");
  pump_ = std::thread([this] {
    util::NameThisThread("sg-pump");
    RunPump();
  });
  lease_keeper_ = std::thread([this] {
    util::NameThisThread("sg-leases");
    RunLeaseKeeper();
  });
}

void Dispatcher::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (!started_) return;
    started_ = false;
    stopping_ = true;
  }
  wake_.notify_all();
  keeper_wake_.notify_all();
  if (pump_.joinable()) pump_.join();
  {
    // Asynchronous sends finish within their timeout; queued blocking ones are given back.
    std::unique_lock lock(mutex_);
    drained_.wait(lock, [this] { return in_flight_ == 0 && !claim_in_flight_; });
  }
  blocking_->Shutdown();
  if (lease_keeper_.joinable()) lease_keeper_.join();
  {
    // Nobody is waiting for an answer any more; drop the listeners while whatever they
    // answer through is still alive.
    std::lock_guard lock(listeners_mutex_);
    listeners_.clear();
  }
  auto released = store_.ReleaseLeases(owner_, util::NowUnixMillis());
  if (!released) {
    spdlog::error("dispatch: releasing leases failed: {}", released.error().detail);
  } else if (*released > 0) {
    spdlog::info("dispatch: returned {} claimed messages to the queue", *released);
  }
}

void Dispatcher::Notify() {
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

std::chrono::milliseconds Dispatcher::ReservePairSlot(const std::string& message_id,
                                                      const std::string& number,
                                                      const std::string& customer) {
  const auto wait = flow_.ReservePair(message_id, number, customer, FlowControl::Clock::now());
  return std::chrono::ceil<std::chrono::milliseconds>(wait);
}

void Dispatcher::ReleasePairSlot(const std::string& message_id, const std::string& number,
                                 const std::string& customer) {
  flow_.ReleasePair(message_id, number, customer, FlowControl::Clock::now());
}

void Dispatcher::Listen(const std::string& message_id, Listener listener) {
  std::lock_guard lock(listeners_mutex_);
  listeners_[message_id] = std::move(listener);
}

void Dispatcher::Forget(const std::string& message_id) {
  std::lock_guard lock(listeners_mutex_);
  listeners_.erase(message_id);
}

void Dispatcher::Tell(const std::string& message_id, const AttemptResult& result) {
  Listener listener;
  {
    std::lock_guard lock(listeners_mutex_);
    auto it = listeners_.find(message_id);
    if (it == listeners_.end()) return;
    listener = std::move(it->second);
    listeners_.erase(it);
  }
  listener(result);
}

void Dispatcher::Hold(const std::vector<store::StoredMessage>& messages) {
  std::lock_guard lock(held_mutex_);
  for (const auto& m : messages) held_.insert(m.id);
}

void Dispatcher::Drop(const std::string& id) {
  std::lock_guard lock(held_mutex_);
  auto it = held_.find(id);
  if (it != held_.end()) held_.erase(it);
}

void Dispatcher::RunLeaseKeeper() {
  const auto period = std::max(std::chrono::milliseconds(100), settings_.lease / 3);
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (keeper_wake_.wait_for(lock, period, [this] { return stopping_; })) return;
    }
    std::vector<std::string> ids;
    {
      std::lock_guard lock(held_mutex_);
      ids.assign(held_.begin(), held_.end());
    }
    auto extended =
        store_.ExtendLeases(ids, owner_, util::NowUnixMillis() + settings_.lease.count());
    if (!extended) {
      spdlog::error("dispatch: renewing {} leases failed: {}", ids.size(), extended.error().detail);
    }
  }
}

void Dispatcher::RunPump() {
  // When to claim next, unless a notification comes first: at once after a claim that took
  // all it asked for, otherwise when the next message is due (or the poll interval).
  auto claim_at = FlowControl::Clock::now();
  ClaimAsked asked;
  std::uint64_t claimed_for = 0;  // the notifications the last claim covers
  for (;;) {
    const auto next_paced = SendPacedDue();
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
    auto now = FlowControl::Clock::now();
    if (!claiming && room > 0 && (now >= claim_at || seen != claimed_for)) {
      claimed_for = seen;
      StartClaim(std::min(room, kClaimBatch), asked);
      claiming = true;
      now = FlowControl::Clock::now();
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
    pump_wants_room_ = room <= 0;
    wake_.wait_for(lock, wait, [&] {
      return stopping_ || claim_result_.has_value() ||
             (!claim_in_flight_ && notifications_ != claimed_for) ||
             (room <= 0 && in_flight_ <= settings_.max_in_flight - RefillAt());
    });
    pump_wants_room_ = false;
  }
  // Kept for a later slot, or claimed and not yet begun: back to the queue, due now, for the
  // next start. (A claim still in flight gives its messages back itself: see OnClaimed.)
  std::optional<core::Result<store::Claim>> claimed;
  {
    std::lock_guard lock(mutex_);
    claimed.swap(claim_result_);
  }
  if (claimed && *claimed) GiveBackClaimed(std::move((*claimed)->messages));
  while (!paced_.empty()) {
    GiveBack(paced_.top().message, util::NowUnixMillis());
    paced_.pop();
  }
}

void Dispatcher::StartClaim(int limit, ClaimAsked& asked) {
  asked.limit = limit;
  asked.skipped =
      flow_.ThrottledNumbers(FlowControl::Clock::now(), kPaceHorizon / 2, &asked.until_unthrottled);
  {
    std::lock_guard lock(mutex_);
    claim_in_flight_ = true;
    wake_pending_ = false;  // this claim covers every notification so far
  }
  store_.ClaimDueAsync(util::NowUnixMillis(), owner_, settings_.lease.count(), limit, asked.skipped,
                       [this](core::Result<store::Claim> claim) { OnClaimed(std::move(claim)); });
}

void Dispatcher::OnClaimed(core::Result<store::Claim> claim) {
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
    // this same step, so Stop() waits for their give-backs too.
    if (claim) {
      unsent = std::move(claim->messages);
      in_flight_ += static_cast<int>(unsent.size());
    }
  }
  GiveBackCounted(std::move(unsent));
  drained_.notify_all();
}

void Dispatcher::GiveBackClaimed(std::vector<store::StoredMessage> messages) {
  {
    std::lock_guard lock(mutex_);
    in_flight_ += static_cast<int>(messages.size());
  }
  GiveBackCounted(std::move(messages));
}

void Dispatcher::GiveBackCounted(std::vector<store::StoredMessage> messages) {
  if (messages.empty()) return;
  Hold(messages);
  for (auto& m : messages) {
    GiveBack(std::make_shared<const store::StoredMessage>(std::move(m)), util::NowUnixMillis());
  }
}

FlowControl::Clock::time_point Dispatcher::TakeClaim(core::Result<store::Claim> claim,
                                                     const ClaimAsked& asked) {
  const auto now = FlowControl::Clock::now();
  if (!claim) {
    spdlog::error("dispatch: claiming messages failed: {}", claim.error().detail);
    // Storage trouble: do not spin.
    return now + std::max<FlowControl::Clock::duration>(settings_.poll_interval,
                                                        std::chrono::milliseconds(100));
  }
  auto& messages = claim->messages;
  const bool took_all_asked = static_cast<int>(messages.size()) >= asked.limit;
  if (!messages.empty()) {
    Hold(messages);
    {
      std::lock_guard lock(mutex_);
      in_flight_ += static_cast<int>(messages.size());
    }
    for (auto& message : messages) {
      Begin(std::make_shared<const store::StoredMessage>(std::move(message)));
    }
  }
  if (took_all_asked) return now;  // more may be due
  // All that was due is claimed: sleep until a throttled number may be claimed for again, the
  // next due time, the poll interval, or a notification. A due time already past belongs to a
  // throttled number (or a message stored since, whose notification wakes the pump): claiming
  // again at once would only scan that backlog again.
  FlowControl::Clock::duration wait = settings_.poll_interval;
  if (!asked.skipped.empty()) wait = std::min(wait, asked.until_unthrottled);
  if (claim->next_due_at_ms) {
    const std::int64_t in_ms = *claim->next_due_at_ms - util::NowUnixMillis();
    if (in_ms > 0 || asked.skipped.empty()) {
      wait = std::min<FlowControl::Clock::duration>(
          wait, std::chrono::milliseconds(std::max<std::int64_t>(1, in_ms)));
    }
  }
  return now + wait;
}

int Dispatcher::RefillAt() const {
  // Waking for every completion in a full window would cost a thread switch per send; a
  // quarter of the window (at most one claim) is worth a claim.
  return std::clamp(settings_.max_in_flight / 4, 1, kClaimBatch);
}

std::optional<FlowControl::Clock::time_point> Dispatcher::SendPacedDue() {
  const auto now = FlowControl::Clock::now();
  while (!paced_.empty() && paced_.top().at <= now) {
    Paced next = paced_.top();
    paced_.pop();
    if (!next.probe && flow_.CircuitOpen(next.message->message.service_phone, now)) {
      // The provider went down since this message was paced: it waits in the queue, which is
      // not claimed from while the circuit is open, instead of adding to the failures.
      GiveBack(next.message, util::NowUnixMillis());
      continue;
    }
    const auto at = Spaced(*next.message, now);
    if (at > now) {
      next.at = at;
      paced_.push(std::move(next));
      continue;
    }
    CountSend(*next.message, FlowControl::Clock::now());
    Send(next.message, next.provider);
  }
  if (paced_.empty()) return std::nullopt;
  return paced_.top().at;
}

void Dispatcher::Begin(MessagePtr message) {
  const auto& m = message->message;
  providers::Provider* provider = providers_(m.service_phone);
  if (provider == nullptr) {
    providers::SendOutcome outcome;
    outcome.kind = providers::SendOutcome::Kind::kRejected;
    outcome.error_code = "no_provider";
    outcome.error_message =
        "servicePhoneNumber: no provider is configured for this business number any more";
    Complete(message, std::move(outcome), false);
    return;
  }
  // Rate limits and the circuit breaker may say "not now": keep the message for its booked
  // slot when it comes soon, otherwise give it back unsent.
  const auto now = FlowControl::Clock::now();
  const auto admission =
      flow_.Pace(message->id, m.service_phone, m.customer_phone, now, kPaceHorizon);
  if (admission.give_back) {
    const auto wait_ms = std::chrono::ceil<std::chrono::milliseconds>(*admission.give_back);
    return GiveBack(message, util::NowUnixMillis() + wait_ms.count());
  }
  const auto at = Spaced(*message, now + admission.send_after);
  if (at > now) {
    paced_.push(Paced{at, std::move(message), provider, admission.probe});
    return;
  }
  CountSend(*message, FlowControl::Clock::now());
  Send(message, provider);
}

FlowControl::Clock::time_point Dispatcher::Spaced(const store::StoredMessage& message,
                                                  FlowControl::Clock::time_point at) {
  auto it = last_second_.find(message.message.service_phone);
  if (it == last_second_.end()) return at;
  auto& starts = it->second;
  // A pump that ran late catches up at twice the rate at most, not in one burst: a burst
  // leaves the HTTP client's loop unevenly, and its requests reach the provider closer to the
  // next second's than they started.
  if (const auto last = starts.last()) {
    at = std::max(at, *last + starts.window() / (2 * starts.limit()));
  }
  return starts.EarliestStart(at, FlowControl::Clock::now());
}

void Dispatcher::CountSend(const store::StoredMessage& message,
                           FlowControl::Clock::time_point now) {
  const std::string& number = message.message.service_phone;
  const int limit = flow_.PerSecond(number);
  if (limit <= 0) return;
  auto it = last_second_.find(number);
  if (it == last_second_.end()) {
    it = last_second_.emplace(number, util::StartLimit(limit, flow_.RateWindow(number))).first;
  }
  it->second.Count(now);
}

void Dispatcher::Send(const MessagePtr& message, providers::Provider* provider) {
  // Stopping: a send that has not started is given back, not started. (Not under mutex_: a
  // record refused at once runs EndInFlight, which takes it.)
  if (Stopping()) return GiveBack(message, util::NowUnixMillis());
  // Set by whichever answers first: the provider's completion, or the catch below.
  auto answered = std::make_shared<std::atomic<bool>>(false);
  const auto fault = [&](std::string_view what) {
    providers::SendOutcome outcome = ProviderFault(message->id, what);  // logged even if answered
    if (!answered->exchange(true)) Complete(message, std::move(outcome), true);
  };
  try {
    if (provider->SendsAsync(message->message)) {
      provider->SendAsync(
          message->id, message->message, [this, message, answered](providers::SendOutcome outcome) {
            if (answered->exchange(true)) {
              spdlog::error("dispatch: the provider answered message {} twice", message->id);
              return;
            }
            Complete(message, std::move(outcome), true);
          });
      return;
    }
  } catch (const std::exception& e) {
    return fault(e.what());
  } catch (...) {
    return fault("not a std::exception");
  }
  const bool queued = blocking_->Submit([this, message, provider] {
    if (Stopping()) return GiveBack(message, util::NowUnixMillis());
    Complete(message, SendBlocking(*message, provider), true);
  });
  if (!queued) GiveBack(message, util::NowUnixMillis());
}

providers::SendOutcome Dispatcher::SendBlocking(const store::StoredMessage& message,
                                                providers::Provider* provider) {
  try {
    return SendBlockingUnguarded(message, provider);
  } catch (const std::exception& e) {
    return ProviderFault(message.id, e.what());
  } catch (...) {
    return ProviderFault(message.id, "not a std::exception");
  }
}

providers::SendOutcome Dispatcher::SendBlockingUnguarded(const store::StoredMessage& message,
                                                         providers::Provider* provider) {
  if (!message.message.header) return provider->Send(message.id, message.message);
  // Claims leave media bytes in the store; read them only now, for the send that needs them.
  auto bytes = store_.MediaBytes(message.id);
  if (!bytes) {
    providers::SendOutcome failed;
    failed.kind = providers::SendOutcome::Kind::kRetryLater;
    failed.error_code = "storage";
    failed.error_message = "the media header could not be read from storage";
    spdlog::error("dispatch: reading the media of {}: {}", message.id, bytes.error().detail);
    return failed;
  }
  core::TemplateMessage with_media = message.message;
  with_media.header->bytes = std::move(*bytes);
  return provider->Send(message.id, with_media);
}

bool Dispatcher::Stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void Dispatcher::GiveBack(const MessagePtr& message, std::int64_t due_at_ms) {
  store::AttemptEnd end;
  end.kind = store::AttemptEnd::Kind::kGivenBack;
  end.id = message->id;
  end.owner = owner_;
  end.next_attempt_at_ms = due_at_ms;
  end.now_ms = util::NowUnixMillis();
  Record(message, std::move(end), std::nullopt);
}

void Dispatcher::Record(const MessagePtr& message, store::AttemptEnd end,
                        std::optional<AttemptResult> result) {
  const bool due_later = end.kind == store::AttemptEnd::Kind::kRescheduled ||
                         end.kind == store::AttemptEnd::Kind::kGivenBack;
  store_.RecordAttemptAsync(std::move(end), [this, message, due_later, result = std::move(result)](
                                                core::Result<void> recorded) mutable {
    if (!recorded) {
      // The outcome is not durable, so nobody may be told it: the lease expires and the
      // message is attempted again (the duplicate window documented in
      // docs/reliability.md).
      spdlog::error("dispatch: recording the outcome of {} failed: {}", message->id,
                    recorded.error().detail);
      if (result) *result = AttemptResult{"queued", "", "", "the outcome could not be stored yet"};
    }
    if (result) {
      spdlog::info("dispatch: message {} to {} attempt {}: {}{}{}", message->id,
                   obs::MaskPhone(message->message.customer_phone), message->attempts,
                   result->status, result->error_message.empty() ? "" : ": ",
                   result->error_message);
      Tell(message->id, *result);
    }
    EndInFlight(message->id, due_later);
  });
}

void Dispatcher::EndInFlight(const std::string& id, bool wake_for_due) {
  Drop(id);
  bool drained = false;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    --in_flight_;
    drained = in_flight_ == 0;
    // A message due again later may be due before the pump's planned wake-up.
    if (wake_for_due) {
      ++notifications_;
      wake = true;
    }
    if (pump_wants_room_ && in_flight_ == settings_.max_in_flight - RefillAt()) wake = true;
  }
  if (wake) wake_.notify_all();
  if (drained) drained_.notify_all();
}

std::int64_t Dispatcher::BackoffMillis(int attempts,
                                       std::optional<std::chrono::milliseconds> retry_after) {
  // Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(attempts-1))].
  const int shift = std::clamp(attempts - 1, 0, 30);
  const std::int64_t ceiling = std::min<std::int64_t>(settings_.max_backoff.count(),
                                                      settings_.base_backoff.count() << shift);
  std::int64_t delay = 0;
  {
    std::lock_guard lock(rng_mutex_);
    delay =
        std::uniform_int_distribution<std::int64_t>(0, std::max<std::int64_t>(ceiling, 0))(rng_);
  }
  if (retry_after) delay = std::max<std::int64_t>(delay, retry_after->count());
  return delay;
}

int Dispatcher::MaxAttempts(const std::string& domain) const {
  const config::Domain* d = config_.FindDomain(domain);
  return d != nullptr && d->max_attempts > 0 ? d->max_attempts : settings_.max_attempts;
}

std::chrono::milliseconds Dispatcher::MaxAge(const std::string& domain) const {
  const config::Domain* d = config_.FindDomain(domain);
  return d != nullptr && d->max_age.count() > 0 ? d->max_age : settings_.max_age;
}

namespace {

// "3 s", "5 min", "24 h": how long a message was tried, for the give-up sentence.
std::string HumanDuration(std::int64_t ms) {
  if (ms < 120'000) return std::to_string((ms + 500) / 1000) + " s";
  if (ms < 7'200'000) return std::to_string((ms + 30'000) / 60'000) + " min";
  return std::to_string((ms + 1'800'000) / 3'600'000) + " h";
}

}  // namespace

void Dispatcher::Complete(const MessagePtr& message, providers::SendOutcome outcome, bool sent) {
  if (sent) flow_.Report(message->message.service_phone, outcome, FlowControl::Clock::now());
  const std::int64_t now = util::NowUnixMillis();
  store::AttemptEnd end;
  end.id = message->id;
  end.owner = owner_;
  end.now_ms = now;
  AttemptResult result;
  switch (outcome.kind) {
    case providers::SendOutcome::Kind::kAccepted:
      end.kind = store::AttemptEnd::Kind::kAccepted;
      end.provider_message_id = outcome.provider_message_id;
      end.wa_id = outcome.wa_id;
      result.status = "accepted";
      result.provider_message_id = outcome.provider_message_id;
      break;
    case providers::SendOutcome::Kind::kRejected:
      end.kind = store::AttemptEnd::Kind::kFailed;
      result.status = "failed";
      break;
    case providers::SendOutcome::Kind::kRetryLater: {
      const std::int64_t next = now + BackoffMillis(message->attempts, outcome.retry_after);
      const std::int64_t age_at_next = next - message->created_at_ms;
      if (message->attempts >= MaxAttempts(message->domain) ||
          age_at_next > MaxAge(message->domain).count()) {
        outcome.error_message = "gave up after " + std::to_string(message->attempts) +
                                (message->attempts == 1 ? " attempt" : " attempts") + " over " +
                                HumanDuration(now - message->created_at_ms) +
                                ": last error: " + outcome.error_message;
        end.kind = store::AttemptEnd::Kind::kFailed;
        result.status = "failed";
      } else {
        end.kind = store::AttemptEnd::Kind::kRescheduled;
        end.next_attempt_at_ms = next;
        result.status = "queued";
      }
      break;
    }
  }
  if (end.kind != store::AttemptEnd::Kind::kAccepted) {
    end.error_code = outcome.error_code;
    end.error_message = outcome.error_message;
  }
  result.error_code = std::move(outcome.error_code);
  result.error_message = std::move(outcome.error_message);
  Record(message, std::move(end), std::move(result));
}

}  // namespace socialgate::dispatch
