#include "util/ids.hpp"

#include <regex>
#include <set>

#include <gtest/gtest.h>

namespace socialgate::util {
namespace {

TEST(IdsTest, MessageIdsAreUuidV7AndUnique) {
  const std::regex uuid7("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewMessageId();
    EXPECT_TRUE(std::regex_match(id, uuid7)) << id;
    EXPECT_TRUE(seen.insert(id).second) << id;
  }
}

TEST(IdsTest, MessageIdsSortByCreationTime) {
  const std::string a = NewMessageId();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const std::string b = NewMessageId();
  EXPECT_LT(a.substr(0, 13), b.substr(0, 13));
}

TEST(IdsTest, FormatsUtcMilliseconds) {
  EXPECT_EQ(FormatUtcMillis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatUtcMillis(1795607820087), "2026-11-25T11:57:00.087Z");
}

}  // namespace
}  // namespace socialgate::util
