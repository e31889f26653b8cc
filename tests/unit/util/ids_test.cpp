#include "util/ids.hpp"

#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "util/sha256.hpp"

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
  // A millisecond apart, and across a carry in the 48-bit time field: ids sort as times do.
  const std::int64_t t = 1795607820087;
  EXPECT_LT(NewMessageIdAt(t), NewMessageIdAt(t + 1));
  EXPECT_LT(NewMessageIdAt(0xFFFFFF), NewMessageIdAt(0x1000000));
  // The time field is the first 48 bits: "0199b9d6-...": 8 hex digits, '-', 4 hex digits.
  EXPECT_EQ(NewMessageIdAt(0x0123456789AB).substr(0, 13), "01234567-89ab");
}

TEST(IdsTest, FormatsUtcMilliseconds) {
  EXPECT_EQ(FormatUtcMillis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatUtcMillis(1795607820087), "2026-11-25T11:57:00.087Z");
}

TEST(Sha256Test, KnownInputs) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace socialgate::util
