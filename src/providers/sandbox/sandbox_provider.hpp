// File: providers/sandbox/sandbox_provider.hpp
//
// The embedded provider: accepts every well-formed message, answers with a provider id
// ("sandbox.<uuid>") and then reports sent -> delivered -> read after the configured delays, so
// the whole flow can be watched without a WhatsApp account. Nothing leaves the machine. Its
// reports are status webhook events in Meta's shape (source "sandbox", phone_number_id the
// business number itself), handed to the StatusSink: they take the path Meta's callbacks take.
#pragma once

#include <string>

#include "config/config.hpp"
#include "providers/provider.hpp"
#include "util/timer_queue.hpp"

namespace socialgate::providers {

// The sandbox's source name in status events and routes.
inline constexpr std::string_view kSandboxSource = "sandbox";

// `sink` and `timers` must outlive the provider.
ProviderPtr MakeSandboxProvider(std::string phone, const config::SandboxSettings& settings,
                                StatusSink& sink, util::TimerQueue& timers);

}  // namespace socialgate::providers
