// File: dispatch/dispatch_metrics.hpp
//
// What the dispatcher counts (obs::DefaultRegistry):
//   socialgate_provider_requests_total{provider,outcome,error_code}  each send's answer:
//       outcome accepted | rejected | retry_later; error_code the provider's code ("" when
//       accepted). The codes come from outside: the first kMaxErrorCodes distinct ones (each at
//       most 32 letters, digits or _) are labels, later ones "other".
//   socialgate_provider_request_duration_seconds{provider}  from the send's start to its answer
//   socialgate_message_retries_total{provider}               attempts that will be made again
//   socialgate_messages_total{provider,status}               attempt results recorded: accepted,
//       failed (for good), queued (given back or to retry)
//   socialgate_circuit_open{domain,number}                   1 while the number's circuit is
//       open (the provider is held off), else 0; read at each scrape. `number` is Meta's
//       phone_number_id, or "#N" (the domain's Nth number) for other providers: never the
//       phone number itself.
// Thread safety: any thread.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "core/message.hpp"
#include "obs/metrics.hpp"
#include "providers/provider.hpp"

namespace socialgate::dispatch {

class DispatchMetrics {
 public:
  static constexpr std::size_t kMaxErrorCodes = 64;

  explicit DispatchMetrics(obs::Registry& registry);

  void ProviderAnswered(std::string_view provider, const providers::SendOutcome& outcome,
                        std::chrono::steady_clock::duration took);
  void Retried(std::string_view provider);
  void Recorded(std::string_view provider, core::MessageStatus status);

  // Sets socialgate_circuit_open for every configured number at each scrape, from
  // `open(phone)`, while the handle lives.
  [[nodiscard]] obs::Registry::CollectorHandle WatchCircuits(
      const config::Config& config, std::function<bool(const std::string& phone)> open);
  // The `number` label of the domain's `index`th number (0-based).
  static std::string NumberLabel(const config::BusinessNumber& number, std::size_t index);

 private:
  std::string ErrorCodeLabel(std::string_view code);

  obs::CounterFamily& requests_;
  obs::HistogramFamily& durations_;
  obs::CounterFamily& retries_;
  obs::CounterFamily& messages_;
  obs::Registry& registry_;
  obs::GaugeFamily& circuits_;
  std::mutex codes_mutex_;
  std::set<std::string, std::less<>> codes_;
};

}  // namespace socialgate::dispatch
