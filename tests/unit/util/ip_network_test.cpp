#include "util/ip_network.hpp"

#include <gtest/gtest.h>

namespace socialgate::util {
namespace {

TrustedProxies Proxies(const std::vector<std::string>& entries) {
  auto p = TrustedProxies::Parse(entries);
  EXPECT_TRUE(p.has_value()) << p.error().message;
  return p.value_or(TrustedProxies{});
}

TEST(IpAddress, ParsesBothFamiliesAndFormatsCanonically) {
  ASSERT_TRUE(ParseIpAddress("10.1.2.3"));
  EXPECT_EQ(FormatIpAddress(*ParseIpAddress("10.1.2.3")), "10.1.2.3");
  EXPECT_EQ(FormatIpAddress(*ParseIpAddress("::ffff:10.1.2.3")), "10.1.2.3");
  EXPECT_EQ(FormatIpAddress(*ParseIpAddress("2001:DB8:0:0:0:0:0:1")), "2001:db8::1");
  EXPECT_FALSE(ParseIpAddress(""));
  EXPECT_FALSE(ParseIpAddress("10.1.2"));
  EXPECT_FALSE(ParseIpAddress("10.1.2.3:80"));
  EXPECT_FALSE(ParseIpAddress("unknown"));
  EXPECT_FALSE(ParseIpAddress(std::string(200, '1')));
}

TEST(IpNetwork, ContainsByPrefix) {
  auto n = ParseIpNetwork("10.0.0.0/8");
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_TRUE(n->Contains(*ParseIpAddress("10.255.1.2")));
  EXPECT_TRUE(n->Contains(*ParseIpAddress("::ffff:10.0.0.1")));
  EXPECT_FALSE(n->Contains(*ParseIpAddress("11.0.0.1")));
  EXPECT_FALSE(n->Contains(*ParseIpAddress("fd00::1")));

  auto v6 = ParseIpNetwork("fd00::/8");
  ASSERT_TRUE(v6) << v6.error().message;
  EXPECT_TRUE(v6->Contains(*ParseIpAddress("fd12::9")));
  EXPECT_FALSE(v6->Contains(*ParseIpAddress("fe80::1")));

  auto single = ParseIpNetwork("127.0.0.1");
  ASSERT_TRUE(single);
  EXPECT_TRUE(single->Contains(*ParseIpAddress("127.0.0.1")));
  EXPECT_FALSE(single->Contains(*ParseIpAddress("127.0.0.2")));

  auto odd = ParseIpNetwork("192.168.4.0/22");
  ASSERT_TRUE(odd) << odd.error().message;
  EXPECT_TRUE(odd->Contains(*ParseIpAddress("192.168.7.255")));
  EXPECT_FALSE(odd->Contains(*ParseIpAddress("192.168.8.0")));

  auto all = ParseIpNetwork("0.0.0.0/0");
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->Contains(*ParseIpAddress("8.8.8.8")));
}

TEST(IpNetwork, RefusesMalformedNetworksWithTheReason) {
  EXPECT_NE(ParseIpNetwork("10.0.0/8").error().message.find("not an IP address"),
            std::string::npos);
  EXPECT_NE(ParseIpNetwork("10.0.0.0/33").error().message.find("0 to 32"), std::string::npos);
  EXPECT_NE(ParseIpNetwork("fd00::/129").error().message.find("0 to 128"), std::string::npos);
  EXPECT_NE(ParseIpNetwork("10.0.0.0/x").error().message.find("prefix length"), std::string::npos);
  EXPECT_NE(ParseIpNetwork("10.1.0.0/8").error().message.find("beyond its prefix"),
            std::string::npos);
  auto list = TrustedProxies::Parse({"127.0.0.1", "nonsense"});
  ASSERT_FALSE(list);
  EXPECT_NE(list.error().message.find("[1]: 'nonsense'"), std::string::npos)
      << list.error().message;
}

TEST(TrustedProxies, AnUntrustedPeerIsTheClientWhateverItForwards) {
  const auto proxies = Proxies({"10.0.0.0/8"});
  EXPECT_EQ(proxies.ClientAddress("203.0.113.9", "1.1.1.1"), "203.0.113.9");
  EXPECT_EQ(Proxies({}).ClientAddress("127.0.0.1", "1.1.1.1"), "127.0.0.1");
}

TEST(TrustedProxies, ATrustedPeerNamesTheClient) {
  const auto proxies = Proxies({"10.0.0.0/8", "::1"});
  EXPECT_EQ(proxies.ClientAddress("10.0.0.5", "198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(proxies.ClientAddress("::1", " 198.51.100.7 "), "198.51.100.7");
  // Without the header the proxy itself is all we know.
  EXPECT_EQ(proxies.ClientAddress("10.0.0.5", ""), "10.0.0.5");
}

TEST(TrustedProxies, WalksFromTheRightPastTrustedHopsOnly) {
  const auto proxies = Proxies({"10.0.0.0/8"});
  // The client forged "6.6.6.6"; the first hop we trust (10.0.0.2) saw 198.51.100.7.
  EXPECT_EQ(proxies.ClientAddress("10.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.2"), "198.51.100.7");
  // Several headers arrive joined by commas, with empty entries skipped.
  EXPECT_EQ(proxies.ClientAddress("10.0.0.1", "198.51.100.7,,10.0.0.3"), "198.51.100.7");
  // Every hop trusted: the leftmost is the client.
  EXPECT_EQ(proxies.ClientAddress("10.0.0.1", "10.9.9.9, 10.0.0.2"), "10.9.9.9");
}

TEST(TrustedProxies, AGarbledEntryStopsAtTheHopThatWroteIt) {
  const auto proxies = Proxies({"10.0.0.0/8"});
  EXPECT_EQ(proxies.ClientAddress("10.0.0.1", "198.51.100.7, garbage"), "10.0.0.1");
  EXPECT_EQ(proxies.ClientAddress("10.0.0.1", "garbage, 10.0.0.2"), "10.0.0.2");
  EXPECT_EQ(proxies.ClientAddress("10.0.0.1", "198.51.100.7:5555"), "10.0.0.1");
}

}  // namespace
}  // namespace socialgate::util
