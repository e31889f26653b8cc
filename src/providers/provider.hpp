// File: providers/provider.hpp
//
// A WhatsApp provider: something that takes a validated outbound message (any kind, see
// core::MessageContent) for one business number and answers, for this attempt, accepted /
// rejected for good / try again later. A kind the provider cannot send is rejected for good
// (SendOutcome::Unsupported), never a crash: its visit over the content names every kind.
// Delivery statuses that arrive later (sent, delivered, read, failed) come as webhook events:
// Meta's from outside, the sandbox's through the StatusSink given at construction.
//
// Thread safety: Send and SendAsync may be called from several threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/message.hpp"
#include "core/message_status.hpp"

namespace socialgate::providers {

struct SendOutcome {
  enum class Kind {
    kAccepted,    // the provider took the message; provider_message_id is set
    kRejected,    // refused for good: never retried
    kRetryLater,  // a passing failure (throttling, outage, timeout)
  };
  Kind kind = Kind::kRetryLater;
  std::string provider_message_id;
  std::string wa_id;
  std::string error_code;     // the provider's code, e.g. "132001"
  std::string error_message;  // one sentence for the caller
  std::optional<std::chrono::milliseconds> retry_after;
  // Only with kRetryLater: the failure says the provider itself is unwell (an outage, a server
  // error, no answer), not that this message is at fault or that a rate limit was reached
  // (throttling is the provider working as designed). Set by the provider, which alone knows
  // what its answers mean; dispatch counts such outcomes against the number's circuit breaker.
  bool provider_unwell = false;

  static SendOutcome Accepted(std::string id, std::string wa_id) {
    SendOutcome o;
    o.kind = Kind::kAccepted;
    o.provider_message_id = std::move(id);
    o.wa_id = std::move(wa_id);
    return o;
  }

  // Rejected for good: `provider` cannot send messages of this kind (core::MessageKindName).
  static SendOutcome Unsupported(std::string_view provider, std::string_view kind) {
    SendOutcome o;
    o.kind = Kind::kRejected;
    o.error_code = "unsupported_kind";
    o.error_message =
        "the " + std::string(provider) + " provider cannot send " + std::string(kind) + " messages";
    return o;
  }
};

// Where a provider that reports delivery statuses itself (the sandbox) hands each report: as a
// webhook event in Meta's shape (webhooks/status_notification.hpp) of its own source, so that
// it takes the path Meta's callbacks take (webhooks/intake.hpp). Providers whose statuses come
// as webhooks from outside (Meta) do not use it. Implementations must be thread-safe and must
// not block.
class StatusSink {
 public:
  virtual ~StatusSink() = default;
  virtual void OnStatusEvent(std::string_view source, std::string body) = 0;
};

// A message whose delivery a provider tracks itself, resumed after a restart.
struct TrackedMessage {
  std::string provider_message_id;
  std::string message_id;                                       // the gateway's
  core::MessageStatus status = core::MessageStatus::kAccepted;  // accepted, sent or delivered
};

class Provider {
 public:
  virtual ~Provider() = default;
  Provider() = default;
  Provider(const Provider&) = delete;
  Provider& operator=(const Provider&) = delete;
  Provider(Provider&&) = delete;
  Provider& operator=(Provider&&) = delete;

  // "sandbox", "meta", ...
  virtual std::string_view Name() const = 0;

  // One delivery attempt. Never throws; every failure is an outcome. May block (the dispatcher
  // calls it on one of its worker threads).
  virtual SendOutcome Send(std::string_view message_id, const core::OutboundMessage& message) = 0;

  // Whether SendAsync can take `message` without blocking its caller. When false the dispatcher
  // calls Send on a worker thread instead. SendAsync gets the message's media (core::MediaOf)
  // without its bytes (they stay in the store until a send needs them): a provider that uses
  // them answers false for such a message, and Send gets them.
  virtual bool SendsAsync(const core::OutboundMessage& /*message*/) const { return false; }

  // One delivery attempt that does not block: `done` is called exactly once with the outcome,
  // from any thread (an HTTP provider's from its client's event loop), and must not block.
  // `message` need not outlive the call. Only called when SendsAsync(message).
  using SendDone = std::function<void(SendOutcome)>;
  virtual void SendAsync(std::string_view message_id, const core::OutboundMessage& message,
                         SendDone done) {
    done(Send(message_id, message));
  }

  // Called at start for each message this provider accepted before a restart and whose
  // delivery is not final. Providers whose statuses arrive from outside (webhooks) need do
  // nothing.
  virtual void ResumeTracking(const TrackedMessage& /*message*/) {}
};

using ProviderPtr = std::unique_ptr<Provider>;

}  // namespace socialgate::providers
