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

  SendOutcome Send(std::string_view /*message_id*/, const core::TemplateMessage& message) override {
    std::string provider_id = "sandbox." + util::NewMessageId();
    Report(provider_id, "sent", settings_.sent_after);
    Report(provider_id, "delivered", settings_.delivered_after);
    Report(provider_id, "read", settings_.read_after);
    return SendOutcome::Accepted(std::move(provider_id), message.customer_phone);
  }

 private:
  void Report(const std::string& provider_id, const char* status, std::chrono::milliseconds delay) {
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
