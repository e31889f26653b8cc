// File: config/provider_kind.hpp
//
// The providers a business number may name (`provider = "..."` in the configuration), and
// their names. The configuration reader parses the name once; everything after it holds a
// ProviderKind. One maker per kind in providers/registry.cpp (a unit test holds the two lists
// equal).
//
// Thread safety: constants and pure functions.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace socialgate::config {

enum class ProviderKind {
  kSandbox,  // simulated in memory: accepts everything, reports sent/delivered/read later
  kMeta,     // Meta's WhatsApp Cloud API
};

struct ProviderName {
  ProviderKind kind;
  std::string_view name;  // as the configuration spells it
};

inline constexpr std::array<ProviderName, 2> kProviderNames{{
    {ProviderKind::kSandbox, "sandbox"},
    {ProviderKind::kMeta, "meta"},
}};

// "sandbox", "meta"; "unknown" for a value that is no enumerator.
constexpr std::string_view ProviderKindName(ProviderKind kind) {
  for (const auto& p : kProviderNames) {
    if (p.kind == kind) return p.name;
  }
  return "unknown";
}

// The kind named `name` exactly; nullopt for any other string.
constexpr std::optional<ProviderKind> ParseProviderKind(std::string_view name) {
  for (const auto& p : kProviderNames) {
    if (p.name == name) return p.kind;
  }
  return std::nullopt;
}

}  // namespace socialgate::config
