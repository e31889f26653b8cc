#include "util/ip_network.hpp"

#include <charconv>
#include <cstring>

#include <arpa/inet.h>

namespace socialgate::util {
namespace {

constexpr IpBytes kMappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0};
constexpr std::size_t kMaxAddressText = 64;

bool IsMappedV4(const IpBytes& a) { return std::memcmp(a.data(), kMappedPrefix.data(), 12) == 0; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<IpBytes> ParseIpAddress(std::string_view text) {
  if (text.empty() || text.size() >= kMaxAddressText) return std::nullopt;
  char buffer[kMaxAddressText];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  IpBytes out = kMappedPrefix;
  if (inet_pton(AF_INET, buffer, out.data() + 12) == 1) return out;
  if (inet_pton(AF_INET6, buffer, out.data()) == 1) return out;
  return std::nullopt;
}

std::string FormatIpAddress(const IpBytes& address) {
  char buffer[INET6_ADDRSTRLEN];
  const bool v4 = IsMappedV4(address);
  const char* s = v4 ? inet_ntop(AF_INET, address.data() + 12, buffer, sizeof buffer)
                     : inet_ntop(AF_INET6, address.data(), buffer, sizeof buffer);
  return s == nullptr ? std::string() : std::string(s);
}

bool IpNetwork::Contains(const IpBytes& address) const {
  int bits = prefix_bits;
  for (std::size_t i = 0; i < address.size() && bits > 0; ++i, bits -= 8) {
    const auto mask = static_cast<std::uint8_t>(bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff);
    if ((address[i] & mask) != (base[i] & mask)) return false;
  }
  return true;
}

core::Result<IpNetwork> ParseIpNetwork(std::string_view text) {
  const auto fail = [&](const std::string& why) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, "'" + std::string(text) + "' " + why);
  };
  const auto slash = text.find('/');
  const auto address = ParseIpAddress(text.substr(0, slash));
  if (!address) return fail("is not an IP address or network (like 10.0.0.0/8 or fd00::/8)");
  IpNetwork network{*address, 128};
  if (slash == std::string_view::npos) return network;

  const std::string_view bits_text = text.substr(slash + 1);
  int bits = -1;
  const auto [end, ec] =
      std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
  const bool v4 = IsMappedV4(*address) && text.find(':') == std::string_view::npos;
  const int max_bits = v4 ? 32 : 128;
  if (ec != std::errc() || end != bits_text.data() + bits_text.size() || bits < 0 ||
      bits > max_bits) {
    return fail("has a bad prefix length: it must be 0 to " + std::to_string(max_bits));
  }
  network.prefix_bits = v4 ? 96 + bits : bits;
  // Host bits beyond the prefix are most likely a typo ("10.1.0.0/8" meant "10.1.0.0/16").
  IpNetwork exact = network;
  for (int i = network.prefix_bits; i < 128; ++i) {
    exact.base[static_cast<std::size_t>(i / 8)] &= static_cast<std::uint8_t>(~(0x80 >> (i % 8)));
  }
  if (exact.base != network.base) return fail("has bits set beyond its prefix length");
  return network;
}

core::Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& entries) {
  TrustedProxies out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto network = ParseIpNetwork(entries[i]);
    if (!network) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             "[" + std::to_string(i) + "]: " + network.error().message);
    }
    out.networks_.push_back(*network);
  }
  return out;
}

bool TrustedProxies::Trusts(const IpBytes& address) const {
  for (const auto& n : networks_) {
    if (n.Contains(address)) return true;
  }
  return false;
}

std::string TrustedProxies::ClientAddress(std::string_view peer,
                                          std::string_view forwarded_for) const {
  auto current = ParseIpAddress(peer);
  if (!current) return std::string(peer);
  // Each step trusts the hop we stand on to have told the truth about the hop before it.
  while (Trusts(*current) && !forwarded_for.empty()) {
    const auto comma = forwarded_for.rfind(',');
    const std::string_view entry =
        Trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for =
        comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    if (entry.empty()) continue;
    const auto previous = ParseIpAddress(entry);
    if (!previous) break;
    current = previous;
  }
  return FormatIpAddress(*current);
}

}  // namespace socialgate::util
