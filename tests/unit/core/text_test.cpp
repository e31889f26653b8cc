#include "core/text.hpp"

#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace socialgate::core {
namespace {

struct Utf8Case {
  std::string input;
  std::optional<std::size_t> length;
};

class Utf8LengthTest : public ::testing::TestWithParam<Utf8Case> {};

TEST_P(Utf8LengthTest, CountsCodePointsOrRejects) {
  EXPECT_EQ(Utf8Length(GetParam().input), GetParam().length);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Utf8LengthTest,
    ::testing::Values(Utf8Case{"", 0}, Utf8Case{"abc", 3}, Utf8Case{"caf\xC3\xA9", 4},
                      Utf8Case{"\xE2\x82\xAC", 1},                 // euro sign
                      Utf8Case{"\xF0\x9F\x98\x80", 1},             // emoji, 4 bytes
                      Utf8Case{"\xC3", std::nullopt},              // truncated
                      Utf8Case{"\x80", std::nullopt},              // lone continuation byte
                      Utf8Case{"\xC0\xAF", std::nullopt},          // overlong '/'
                      Utf8Case{"\xED\xA0\x80", std::nullopt},      // surrogate
                      Utf8Case{"\xF4\x90\x80\x80", std::nullopt},  // above U+10FFFF
                      Utf8Case{"\xFF", std::nullopt}));

TEST(QuoteForMessageTest, QuotesAndNeutralisesControlCharacters) {
  EXPECT_EQ(QuoteForMessage("audio"), "'audio'");
  EXPECT_EQ(QuoteForMessage("a\nb\x7F"), "'a?b?'");
}

TEST(QuoteForMessageTest, CutsLongValuesAtACharacterBoundary) {
  EXPECT_EQ(QuoteForMessage(std::string(50, 'x'), 10), "'xxxxxxxxxx...'");
  // "é" is two bytes; a cut at byte 2 would split it, so it is left out whole.
  const std::string quoted = QuoteForMessage("a\xC3\xA9zz", 2);
  EXPECT_EQ(quoted, "'a...'");
  EXPECT_TRUE(Utf8Length(quoted).has_value());
}

TEST(AsciiLowerTest, LowersAsciiOnly) { EXPECT_EQ(AsciiLower("ImAGE-\xC3\x89"), "image-\xC3\x89"); }

}  // namespace
}  // namespace socialgate::core
