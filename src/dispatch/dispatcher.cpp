#include "dispatch/dispatcher.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>

#include <spdlog/spdlog.h>

#include "core/text.hpp"
#include "obs/log.hpp"
#include "util/ids.hpp"

namespace socialgate::dispatch {
namespace {

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

// Every business number of the configuration, sorted.
std::vector<std::string> ConfiguredNumbers(const config::Config& config) {
  std::vector<std::string> numbers;
  for (const auto& domain : config.domains) {
    for (const auto& n : domain.numbers) numbers.push_back(n.phone);
  }
  std::sort(numbers.begin(), numbers.end());
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  return numbers;
}

// How long a number given up stays free of any holder: its longest rate window, in which the
// sends its last holder started still count, and a second for the renewal that gave it up to
// answer (sends may start until it has).
std::chrono::milliseconds Handover(FlowControl& flow, const std::vector<std::string>& numbers) {
  FlowControl::Clock::duration window = std::chrono::seconds(1);
  for (const auto& number : numbers) window = std::max(window, flow.RateWindow(number));
  return std::chrono::ceil<std::chrono::milliseconds>(window) + std::chrono::seconds(1);
}

// How long before an outcome the store refused is written again: 100 ms, doubling to 5 s (short
// enough that a stopping dispatcher, which waits for its sends, is not held long).
std::chrono::milliseconds RecordRetryDelay(int tries) {
  return std::min<std::chrono::milliseconds>(std::chrono::milliseconds(100 << std::min(tries, 6)),
                                             std::chrono::seconds(5));
}

}  // namespace

Dispatcher::Dispatcher(store::Outbox& store, store::NumberLeases& number_leases,
                       ProviderLookup providers, const config::Config& config)
    : store_(store),
      providers_(std::move(providers)),
      settings_(config.dispatch),
      clock_(util::SystemClock()),
      flow_(config),
      owner_(util::NewInstanceName()),
      retry_(config, RandomJitter()),
      listeners_(clock_),
      leases_(store, owner_, settings_.lease),
      numbers_(number_leases, owner_, ConfiguredNumbers(config), settings_.number_lease,
               Handover(flow_, ConfiguredNumbers(config)), clock_, [this] { pump_.Notify(); }),
      pacer_(flow_, clock_),
      pump_(store, flow_, clock_, settings_, owner_,
            Pump::Hooks{
                .hold = [this](const std::vector<store::StoredMessage>& m) { leases_.Hold(m); },
                .begin = [this](MessagePtr m) { Begin(std::move(m)); },
                .give_back = [this](MessagePtr m) { GiveBack(m, util::NowUnixMillis()); },
                .send_due =
                    [this] {
                      return pacer_.SendDue(
                          [this](const MessagePtr& m, providers::Provider* p) { Send(m, p); },
                          [this](const MessagePtr& m) { GiveBack(m, util::NowUnixMillis()); });
                    },
                .give_back_kept =
                    [this] {
                      for (const auto& m : pacer_.TakeKept()) GiveBack(m, util::NowUnixMillis());
                    },
                .not_held = [this] { return numbers_.NotHeld(); },
            }),
      circuit_metrics_(metrics_.WatchCircuits(config, [this](const std::string& phone) {
        return flow_.CircuitOpen(phone, clock_.Now());
      })) {}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Reconfigure(const config::Config& config) {
  retry_.SetConfig(config);
  flow_.SetNumbers(config);
  const std::vector<std::string> numbers = ConfiguredNumbers(config);
  numbers_.SetNumbers(numbers, Handover(flow_, numbers));
  circuit_metrics_ = metrics_.WatchCircuits(
      config, [this](const std::string& phone) { return flow_.CircuitOpen(phone, clock_.Now()); });
  pump_.Notify();
}

void Dispatcher::Start() {
  std::lock_guard lock(lifecycle_mutex_);
  if (started_) return;
  started_ = true;
  blocking_ =
      std::make_unique<util::WorkPool>(static_cast<std::size_t>(settings_.workers), "sg-send");
  numbers_.Start();
  pump_.Start();
  leases_.Start();
  watching_ = true;
  timers_.Schedule(kAckWatchEvery, [this] { WatchFirstAttemptsElsewhere(); });
}

void Dispatcher::Stop() {
  {
    std::lock_guard lock(lifecycle_mutex_);
    if (!started_) return;
    started_ = false;
  }
  watching_ = false;
  pump_.RequestStop();
  pump_.Join();
  // The leases of sends still in flight are renewed until they end: a send that outlived its
  // lease could be claimed by another instance and sent twice.
  pump_.WaitDrained();
  blocking_->Shutdown();
  leases_.Stop();
  // No send is in flight: the numbers may go to the other instances (after the hand-over).
  numbers_.Stop();
  numbers_.Release();
  // Nobody is waiting for an answer any more; drop the listeners while whatever they answer
  // through is still alive.
  listeners_.Clear();
  auto released = store_.ReleaseLeases(owner_, util::NowUnixMillis());
  if (!released) {
    spdlog::error("dispatch: releasing leases failed: {}", released.error().detail);
  } else if (*released > 0) {
    spdlog::info("dispatch: returned {} claimed messages to the queue", *released);
  }
}

void Dispatcher::Notify() { pump_.Notify(); }

void Dispatcher::Notify(const std::string& number) {
  // A message of a number another instance sends for, or of one booked ahead already (more
  // messages than its rate: a campaign): a claim now would not take it, and would read past
  // that number's whole due backlog to find so. Its holder claims it at its next poll, or
  // when the number has room again (the pump wakes for that by itself).
  if (numbers_.Owns(number) && !flow_.Throttled(number, clock_.Now(), Pacer::kHorizon / 2)) {
    pump_.Notify();
  }
}

std::chrono::milliseconds Dispatcher::ReservePairSlot(const std::string& message_id,
                                                      const std::string& number,
                                                      const std::string& customer) {
  // Only the instance that sends for the number keeps its pair limit: a slot reserved here
  // would be charged again there, and the message given back once more.
  if (!numbers_.Owns(number)) return std::chrono::milliseconds(0);
  const auto wait = flow_.ReservePair(message_id, number, customer, clock_.Now());
  return std::chrono::ceil<std::chrono::milliseconds>(wait);
}

void Dispatcher::ReleasePairSlot(const std::string& message_id, const std::string& number,
                                 const std::string& customer) {
  flow_.ReleasePair(message_id, number, customer, clock_.Now());
}

void Dispatcher::Listen(const std::string& message_id, const std::string& number,
                        Listener listener) {
  listeners_.Listen(message_id, number, std::move(listener));
}

void Dispatcher::WatchFirstAttemptsElsewhere() {
  if (!watching_) return;
  const auto ids = listeners_.Overdue(
      clock_.Now() - kAckWatchEvery,
      [this](const std::string& number) { return !numbers_.Owns(number); }, kAckWatchBatch);
  if (!ids.empty()) {
    auto states = store_.AttemptStates(ids);
    if (!states) {
      spdlog::warn("dispatch: reading the first attempts of {} messages failed: {}", ids.size(),
                   states.error().detail);
    } else {
      for (const auto& state : *states) {
        if (auto result = FirstAttemptResult(state)) listeners_.Tell(state.id, *result);
      }
    }
  }
  timers_.Schedule(kAckWatchEvery, [this] { WatchFirstAttemptsElsewhere(); });
}

void Dispatcher::Forget(const std::string& message_id) { listeners_.Forget(message_id); }

void Dispatcher::Begin(MessagePtr message) {
  providers::Provider* provider = providers_(message->message.service_phone);
  if (provider == nullptr) {
    providers::SendOutcome outcome;
    outcome.kind = providers::SendOutcome::Kind::kRejected;
    outcome.error_code = "no_provider";
    outcome.error_message =
        "servicePhoneNumber: no provider is configured for this business number any more";
    Complete(message, std::move(outcome), false);
    return;
  }
  // Another instance sends for this number now (this one took the message over from a lease
  // that ended, or lost the number since the claim): back to the queue, for it.
  if (!numbers_.Owns(message->message.service_phone)) {
    return GiveBack(message, util::NowUnixMillis());
  }
  const Pacer::Verdict verdict = pacer_.Admit(message, provider);
  if (verdict.give_back) {
    const auto wait_ms = std::chrono::ceil<std::chrono::milliseconds>(*verdict.give_back);
    return GiveBack(message, util::NowUnixMillis() + wait_ms.count());
  }
  if (verdict.send_now) Send(message, provider);
}

void Dispatcher::Send(const MessagePtr& message, providers::Provider* provider) {
  // Stopping: a send that has not started is given back, not started. (Not under the pump's mutex:
  // a record refused at once runs EndInFlight, which takes it.)
  if (pump_.Stopping()) return GiveBack(message, util::NowUnixMillis());
  // Kept for a slot that came after this instance lost the number: not sent by two instances.
  if (!numbers_.Owns(message->message.service_phone)) {
    return GiveBack(message, util::NowUnixMillis());
  }
  // Set by whichever answers first: the provider's completion, or the catch below.
  auto answered = std::make_shared<std::atomic<bool>>(false);
  const auto started = std::chrono::steady_clock::now();
  const auto fault = [&](std::string_view what) {
    providers::SendOutcome outcome = ProviderFault(message->id, what);  // logged even if answered
    if (!answered->exchange(true)) Answered(message, provider, std::move(outcome), started);
  };
  try {
    if (provider->SendsAsync(message->message)) {
      provider->SendAsync(
          message->id, message->message,
          [this, message, provider, answered, started](providers::SendOutcome outcome) {
            if (answered->exchange(true)) {
              spdlog::error("dispatch: the provider answered message {} twice", message->id);
              return;
            }
            Answered(message, provider, std::move(outcome), started);
          });
      return;
    }
  } catch (const std::exception& e) {
    return fault(e.what());
  } catch (...) {
    return fault("not a std::exception");
  }
  const bool queued = blocking_->Submit([this, message, provider] {
    if (pump_.Stopping()) return GiveBack(message, util::NowUnixMillis());
    const auto began = std::chrono::steady_clock::now();
    Answered(message, provider, SendBlocking(*message, provider), began);
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
  if (core::MediaOf(message.message) == nullptr) return provider->Send(message.id, message.message);
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
  core::OutboundMessage with_media = message.message;
  core::MediaOf(with_media)->bytes = std::move(*bytes);
  return provider->Send(message.id, with_media);
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
                        std::optional<AttemptResult> result, int tries) {
  const bool due_later = end.kind == store::AttemptEnd::Kind::kRescheduled ||
                         end.kind == store::AttemptEnd::Kind::kGivenBack;
  store::AttemptEnd write = end;
  store_.RecordAttemptAsync(
      std::move(write), [this, message, due_later, end = std::move(end), result = std::move(result),
                         tries](core::Result<void> recorded) mutable {
        if (!recorded && recorded.error().code != core::ErrorCode::kNotFound && !pump_.Stopping()) {
          // The store refused (a database that is down, a full disk): the outcome is known, so
          // it is written again until it is stored, and the message stays in flight with its
          // lease meanwhile. Nobody may be told the outcome before it is durable.
          if (tries == 0) {
            spdlog::error("dispatch: recording the outcome of {} failed, writing it again: {}",
                          message->id, recorded.error().detail);
          }
          if (result) {
            listeners_.Tell(message->id, AttemptResult{core::MessageStatus::kQueued, "", "",
                                                       "the outcome could not be stored yet"});
          }
          timers_.Schedule(RecordRetryDelay(tries),
                           [this, message, end = std::move(end), tries]() mutable {
                             Record(message, std::move(end), std::nullopt, tries + 1);
                           });
          return;
        }
        if (!recorded) {
          // The lease was lost (another worker owns the message now), or this instance is
          // stopping: the lease expires and the message is attempted again (the duplicate
          // window documented in docs/reliability.md).
          spdlog::error("dispatch: recording the outcome of {} failed: {}", message->id,
                        recorded.error().detail);
          if (result)
            *result = AttemptResult{core::MessageStatus::kQueued, "", "",
                                    "the outcome could not be stored yet"};
        } else if (tries > 0) {
          spdlog::info("dispatch: the outcome of {} is recorded after {} more tries", message->id,
                       tries);
        }
        if (result) {
          spdlog::info("dispatch: message {} to {} attempt {}: {}{}{}", message->id,
                       obs::MaskPhone(message->message.customer_phone), message->attempts,
                       core::MessageStatusName(result->status),
                       result->error_message.empty() ? "" : ": ", result->error_message);
          listeners_.Tell(message->id, *result);
        }
        leases_.Drop(message->id);
        pump_.EndInFlight(due_later);
      });
}

void Dispatcher::Answered(const MessagePtr& message, providers::Provider* provider,
                          providers::SendOutcome outcome,
                          std::chrono::steady_clock::time_point started) {
  metrics_.ProviderAnswered(provider->Name(), outcome, std::chrono::steady_clock::now() - started);
  Complete(message, std::move(outcome), true, provider->Name());
}

void Dispatcher::Complete(const MessagePtr& message, providers::SendOutcome outcome, bool sent,
                          std::string_view provider_name) {
  if (sent) flow_.Report(message->message.service_phone, outcome, clock_.Now());
  AttemptDecision decision =
      retry_.Decide(*message, std::move(outcome), owner_, util::NowUnixMillis());
  const std::string_view provider = provider_name.empty() ? "none" : provider_name;
  if (decision.end.kind == store::AttemptEnd::Kind::kRescheduled) metrics_.Retried(provider);
  metrics_.Recorded(provider, decision.result.status);
  Record(message, std::move(decision.end), std::move(decision.result));
}

}  // namespace socialgate::dispatch
