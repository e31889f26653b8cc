#include "providers/registry.hpp"

#include <array>
#include <memory>
#include <string>

#include "providers/meta/meta_provider.hpp"
#include "providers/sandbox/sandbox_provider.hpp"
#include "util/start_limit.hpp"

namespace socialgate::providers {
namespace {

ProviderPtr MakeSandbox(const config::BusinessNumber& number, const ProviderServices& services) {
  return MakeSandboxProvider(number.sandbox, services.statuses, services.timers);
}

ProviderPtr MakeMeta(const config::BusinessNumber& number, const ProviderServices& services) {
  // The number's rate, held once more as its posts leave the HTTP client: the same count over
  // the same window as the dispatcher's pacing (util::StartLimit::ForRate).
  auto message_starts =
      std::make_shared<util::StartLimit>(util::StartLimit::ForRate(number.messages_per_second));
  return MakeMetaProvider(number.meta, services.http, std::move(message_starts));
}

constexpr std::array kRegistry{
    ProviderEntry{config::ProviderKind::kSandbox, &MakeSandbox},
    ProviderEntry{config::ProviderKind::kMeta, &MakeMeta},
};

}  // namespace

std::span<const ProviderEntry> ProviderRegistry() { return kRegistry; }

core::Result<ProviderPtr> MakeProvider(const config::BusinessNumber& number,
                                       const ProviderServices& services) {
  for (const auto& entry : kRegistry) {
    if (entry.kind == number.provider) return entry.make(number, services);
  }
  return core::MakeError(core::ErrorCode::kInvalidArgument,
                         "business number " + number.phone + ": no provider is named \"" +
                             std::string(config::ProviderKindName(number.provider)) + "\"");
}

}  // namespace socialgate::providers
