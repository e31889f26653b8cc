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
  return MakeSandboxProvider(number.phone, number.sandbox, services.statuses, services.timers);
}

ProviderPtr MakeMeta(const config::BusinessNumber& number, const ProviderServices& services) {
  // The number's rate, held once more as its posts leave the HTTP client: the same count over
  // the same window as the dispatcher's pacing (util::StartLimit::ForRate).
  auto message_starts =
      std::make_shared<util::StartLimit>(util::StartLimit::ForRate(number.messages_per_second));
  return MakeMetaProvider(number.meta, services.http, std::move(message_starts), services.catalogs);
}

// The sandbox's status events name the number by itself.
StatusSource SandboxSource(const config::BusinessNumber& number) {
  return {std::string(kSandboxSource), number.phone};
}

// Meta's callbacks name the number by Meta's id of it.
StatusSource MetaSource(const config::BusinessNumber& number) {
  return {"meta", number.meta.phone_number_id};
}

constexpr std::array kRegistry{
    ProviderEntry{config::ProviderKind::kSandbox, &MakeSandbox, &SandboxSource},
    ProviderEntry{config::ProviderKind::kMeta, &MakeMeta, &MetaSource},
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

std::optional<StatusSource> StatusSourceOf(const config::BusinessNumber& number) {
  for (const auto& entry : kRegistry) {
    if (entry.kind == number.provider) return entry.status_source(number);
  }
  return std::nullopt;
}

}  // namespace socialgate::providers
