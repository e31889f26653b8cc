#include "providers/sandbox/sandbox_provider.hpp"

#include <string>

#include "util/ids.hpp"
#include "webhooks/status_notification.hpp"

namespace socialgate::providers {
namespace {

class SandboxProvider final : public Provider {
 public:
  SandboxProvider(std::string phone, const config::SandboxSettings& settings, StatusSink& sink,
                  util::TimerQueue& timers)
      : phone_(std::move(phone)), settings_(settings), sink_(sink), timers_(timers) {}

  // Provider implementation
  std::string_view Name() const override { return "sandbox"; }

  // Every kind is accepted alike: the sandbox sends nothing.
  SendOutcome Send(std::string_view message_id, const core::OutboundMessage& message) override {
    std::string provider_id = "sandbox." + util::NewMessageId();
    Track(TrackedMessage{provider_id, std::string(message_id), core::MessageStatus::kAccepted},
          message.customer_phone);
    return SendOutcome::Accepted(std::move(provider_id), message.customer_phone);
  }

  // Send only schedules timers: it never blocks, so the dispatcher may call it on its own thread.
  bool SendsAsync(const core::OutboundMessage& /*message*/) const override { return true; }

  // The progression lives in memory only, so a restart resumes it from the stored status.
  void ResumeTracking(const TrackedMessage& message) override { Track(message, ""); }

 private:
  void Track(const TrackedMessage& m, const std::string& recipient) {
    using core::MessageStatus;
    const bool accepted = m.status == MessageStatus::kAccepted;
    const bool sent = accepted || m.status == MessageStatus::kSent;
    const bool delivered = sent || m.status == MessageStatus::kDelivered;
    if (accepted) Report(m, recipient, MessageStatus::kSent, settings_.sent_after);
    if (sent) Report(m, recipient, MessageStatus::kDelivered, settings_.delivered_after);
    if (delivered) Report(m, recipient, MessageStatus::kRead, settings_.read_after);
  }

  void Report(const TrackedMessage& m, const std::string& recipient, core::MessageStatus status,
              std::chrono::milliseconds delay) {
    webhooks::StatusNotice notice;
    notice.waba_id = "sandbox";
    notice.phone_number_id = phone_;
    notice.display_phone_number = phone_;
    notice.provider_message_id = m.provider_message_id;
    notice.status = status;
    notice.recipient_id = recipient;
    notice.message_id = m.message_id;
    if (status != core::MessageStatus::kRead) {
      // As Meta bills a template: a utility message, per message.
      notice.pricing = store::Pricing{true, "utility", "PMP", "regular"};
    }
    timers_.Schedule(delay, [this, notice = std::move(notice)]() mutable {
      notice.at_unix_seconds = util::NowUnixMillis() / 1000;
      sink_.OnStatusEvent(kSandboxSource, webhooks::BuildStatusNotification(notice));
    });
  }

  std::string phone_;
  config::SandboxSettings settings_;
  StatusSink& sink_;
  util::TimerQueue& timers_;
};

}  // namespace

ProviderPtr MakeSandboxProvider(std::string phone, const config::SandboxSettings& settings,
                                StatusSink& sink, util::TimerQueue& timers) {
  return std::make_unique<SandboxProvider>(std::move(phone), settings, sink, timers);
}

}  // namespace socialgate::providers
