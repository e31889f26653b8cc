// File: providers/sandbox/sandbox_provider.hpp
//
// The embedded provider: accepts every well-formed message, answers with a provider id
// ("sandbox.<uuid>") and then reports sent -> delivered -> read after the configured delays,
// so the whole flow can be watched without a WhatsApp account. Nothing leaves the machine.
#pragma once

#include "config/config.hpp"
#include "providers/provider.hpp"
#include "util/timer_queue.hpp"

namespace socialgate::providers {

// `sink` and `timers` must outlive the provider.
ProviderPtr MakeSandboxProvider(const config::SandboxSettings& settings, StatusSink& sink,
                                util::TimerQueue& timers);

}  // namespace socialgate::providers
