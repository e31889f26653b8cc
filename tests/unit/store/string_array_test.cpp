#include "store/string_array.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace socialgate::store {
namespace {

using Strings = std::vector<std::string>;

TEST(StringArrayTest, WritesWhatNlohmannWrites) {
  const std::vector<Strings> cases = {
      {},
      {""},
      {"Griffin"},
      {"5", "contact-highway/"},
      {"quote \" backslash \\ slash /", "unicode \xC3\xA9 \xF0\x9F\x98\x80"},
      {std::string("tab\t newline\n return\r bell\x07 nul\0 unit\x1f del\x7f", 43)},
      {"\b\f"},
  };
  for (const auto& values : cases) {
    const std::string encoded = EncodeStringArray(values);
    EXPECT_EQ(encoded, nlohmann::json(values).dump());
    EXPECT_EQ(DecodeStringArray(encoded), values) << encoded;
  }
}

TEST(StringArrayTest, ReadsOtherWritersJson) {
  EXPECT_EQ(DecodeStringArray(R"([ "a" , "b" ])"), (Strings{"a", "b"}));
  EXPECT_EQ(DecodeStringArray(R"(["caf\u00e9", "\ud83d\ude00"])"),
            (Strings{"caf\xC3\xA9", "\xF0\x9F\x98\x80"}));
  EXPECT_EQ(DecodeStringArray(R"(["a", 5, null, "b"])"), (Strings{"a", "b"}));
}

TEST(StringArrayTest, AnythingButAnArrayGivesNothing) {
  for (const char* bad : {"", "[", "[\"a\"", "[\"a\",]", "{\"a\":1}", "\"a\"", "[\"a\"] x"}) {
    EXPECT_TRUE(DecodeStringArray(bad).empty()) << bad;
  }
}

}  // namespace
}  // namespace socialgate::store
