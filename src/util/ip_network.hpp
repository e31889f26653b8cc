// File: util/ip_network.hpp
//
// IP addresses and networks ("10.0.0.0/8", "::1", "192.168.1.7") for the trusted-proxy list,
// and the client address behind trusted reverse proxies from X-Forwarded-For. IPv4 is held as
// an IPv4-mapped IPv6 address, so "::ffff:10.1.2.3" and "10.1.2.3" are the same client.
//
// Thread safety: immutable values; share freely.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace socialgate::util {

using IpBytes = std::array<std::uint8_t, 16>;

// "1.2.3.4" or an IPv6 address (no zone, no brackets); nullopt when it is neither.
std::optional<IpBytes> ParseIpAddress(std::string_view text);

// The canonical text of an address: dotted IPv4 for IPv4 (also when mapped), RFC 5952 IPv6.
std::string FormatIpAddress(const IpBytes& address);

struct IpNetwork {
  IpBytes base{};
  int prefix_bits = 128;  // over the 128-bit (mapped) form

  bool Contains(const IpBytes& address) const;
};

// "10.0.0.0/8", "fd00::/8" or a single address. kInvalidArgument names the problem; host bits
// set beyond the prefix ("10.1.0.0/8") are refused as a likely typo.
core::Result<IpNetwork> ParseIpNetwork(std::string_view text);

// Which peers may say, in X-Forwarded-For, whom they forward for.
class TrustedProxies {
 public:
  TrustedProxies() = default;
  // Every entry must parse; the error names the entry's index and text.
  static core::Result<TrustedProxies> Parse(const std::vector<std::string>& entries);

  bool empty() const { return networks_.empty(); }
  bool Trusts(const IpBytes& address) const;

  // The address to account a request to. The peer itself unless it is a trusted proxy; then
  // X-Forwarded-For ("client, proxy1, proxy2", several headers joined by commas) is read from
  // the right, skipping trusted proxies, and the first address that is not one is the client.
  // A malformed entry ends the walk: the hop that wrote it (the last trusted one) is used, so
  // a forged or garbled header never names an arbitrary client. Returns canonical text.
  std::string ClientAddress(std::string_view peer, std::string_view forwarded_for) const;

 private:
  std::vector<IpNetwork> networks_;
};

}  // namespace socialgate::util
