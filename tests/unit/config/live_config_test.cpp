// LiveConfig (config/live_config.hpp): a reload puts a whole configuration in force, and what an
// earlier one handed out stays valid.
#include "config/live_config.hpp"

#include <gtest/gtest.h>

namespace socialgate::config {
namespace {

Config Named(const std::string& domain) {
  Config config;
  Domain d;
  d.name = domain;
  config.domains.push_back(d);
  return config;
}

TEST(LiveConfigTest, ReplaceIsSeenByLaterReadersAndEarlierReferencesStayValid) {
  LiveConfig live(Named("first"));
  const Domain* found = live.Current().FindDomain("first");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(live.generations(), 1u);

  const Config& next = live.Replace(Named("second"));
  EXPECT_EQ(&live.Current(), &next);
  EXPECT_EQ(live.Current().FindDomain("first"), nullptr);
  EXPECT_NE(live.Current().FindDomain("second"), nullptr);
  EXPECT_EQ(live.generations(), 2u);
  EXPECT_EQ(found->name, "first");  // a request admitted before the reload finishes with it
}

}  // namespace
}  // namespace socialgate::config
