#include "providers/sandbox/sandbox_provider.hpp"

#include <string>

#include "util/ids.hpp"

namespace socialgate::providers {
namespace {

class SandboxProvider final : public Provider {
 public:
  SandboxProvider(const config::SandboxSettings& settings, StatusSink& sink,
                  util::TimerQueue& timers)
      : settings_(settings), sink_(sink), timers_(timers) {}

  // Provider implementation
  std::string_view Name() const override { return "sandbox"; }

  // Every kind is accepted alike: the sandbox sends nothing.
  SendOutcome Send(std::string_view /*message_id*/, const core::OutboundMessage& message) override {
    std::string provider_id = "sandbox." + util::NewMessageId();
    ResumeTracking(provider_id, core::MessageStatus::kAccepted);
    return SendOutcome::Accepted(std::move(provider_id), message.customer_phone);
  }

  // Send only schedules timers: it never blocks, so the dispatcher may call it on its own thread.
  bool SendsAsync(const core::OutboundMessage& /*message*/) const override { return true; }

  // The progression lives in memory only, so a restart resumes it from the stored status.
  void ResumeTracking(std::string_view provider_message_id, core::MessageStatus status) override {
    using core::MessageStatus;
    const std::string id(provider_message_id);
    const bool accepted = status == MessageStatus::kAccepted;
    const bool sent = accepted || status == MessageStatus::kSent;
    const bool delivered = sent || status == MessageStatus::kDelivered;
    if (accepted) Report(id, MessageStatus::kSent, settings_.sent_after);
    if (sent) Report(id, MessageStatus::kDelivered, settings_.delivered_after);
    if (delivered) Report(id, MessageStatus::kRead, settings_.read_after);
  }

 private:
  void Report(const std::string& provider_id, core::MessageStatus status,
              std::chrono::milliseconds delay) {
    timers_.Schedule(delay, [this, provider_id, status] {
      sink_.OnStatus(provider_id, status, util::NowUnixMillis(), "");
    });
  }

  config::SandboxSettings settings_;
  StatusSink& sink_;
  util::TimerQueue& timers_;
};

}  // namespace

ProviderPtr MakeSandboxProvider(const config::SandboxSettings& settings, StatusSink& sink,
                                util::TimerQueue& timers) {
  return std::make_unique<SandboxProvider>(settings, sink, timers);
}

}  // namespace socialgate::providers
