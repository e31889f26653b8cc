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

TEST(OneLineTest, KeepsShortCleanTextAsItIs) {
  EXPECT_EQ(OneLine("(#131000) Something went wrong", 64), "(#131000) Something went wrong");
  EXPECT_EQ(OneLine("caf\xC3\xA9 \xE2\x82\xAC", 64), "caf\xC3\xA9 \xE2\x82\xAC");
  EXPECT_EQ(OneLine("", 0), "");
}

TEST(OneLineTest, ControlCharactersBecomeSpaces) {
  // C0 (newline, NUL, tab), DEL, C1 (U+0085) and the Unicode line and paragraph separators.
  EXPECT_EQ(OneLine(std::string("a\nb\0c\td\x7F"
                                "e\xC2\x85"
                                "f\xE2\x80\xA8g\xE2\x80\xA9h",
                                20),
                    64),
            "a b c d e f g h");
}

TEST(OneLineTest, IllFormedBytesBecomeReplacementCharacters) {
  const std::string line = OneLine("a\xFF\xC3(\xED\xA0\x80", 64);  // stray, truncated, surrogate
  EXPECT_EQ(line, "a\xEF\xBF\xBD\xEF\xBF\xBD(\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_TRUE(Utf8Length(line).has_value());
}

TEST(OneLineTest, CutsAtACharacterBoundaryWithinTheLimit) {
  EXPECT_EQ(OneLine(std::string(50, 'x'), 10), "xxxxxxx...");
  EXPECT_EQ(OneLine(std::string(10, 'x'), 10), std::string(10, 'x'));
  // "é" is two bytes: the cut leaves it out whole rather than split it.
  EXPECT_EQ(OneLine("aa\xC3\xA9\xC3\xA9zzzz", 7), "aa\xC3\xA9...");
  EXPECT_EQ(OneLine("a\xC3\xA9\xC3\xA9zzzz", 7), "a\xC3\xA9...");
  EXPECT_EQ(OneLine("abcdef", 2), "ab");
  for (std::size_t limit = 0; limit < 20; ++limit) {
    const std::string line =
        OneLine("\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\n\xFF\xE2\x82\xAC", limit);
    EXPECT_LE(line.size(), limit);
    EXPECT_TRUE(Utf8Length(line).has_value()) << limit;
  }
}

TEST(MessageTextTest, KeepsLinesAndCleansTheRest) {
  bool cut = true;
  EXPECT_EQ(MessageText("Ciao,\r\nsono Mario\tgrazie \xE2\x82\xAC", 4096, &cut),
            "Ciao,\nsono Mario\tgrazie \xE2\x82\xAC");
  EXPECT_FALSE(cut);
  EXPECT_EQ(MessageText(std::string("a\0b\x7F"
                                    "c\xC2\x85"
                                    "d\xE2\x80\xA8"
                                    "e",
                                    12),
                        4096),
            "a b c d\xE2\x80\xA8"
            "e");
  const std::string repaired = MessageText("a\xFF\xC3(\xED\xA0\x80", 4096);
  EXPECT_EQ(repaired, "a\xEF\xBF\xBD\xEF\xBF\xBD(\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(MessageText("", 0), "");
}

TEST(MessageTextTest, CutsAtACodePointCountWithNothingAdded) {
  bool cut = false;
  // Three euro signs are three code points, nine bytes.
  EXPECT_EQ(MessageText("\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC", 3, &cut),
            "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC");
  EXPECT_TRUE(cut);
  EXPECT_EQ(MessageText("abc", 3, &cut), "abc");
  EXPECT_FALSE(cut);
  EXPECT_EQ(MessageText("abc\r", 3, &cut), "abc") << "a dropped CR is no cut";
  EXPECT_FALSE(cut);
  EXPECT_EQ(MessageText("abc", 0, &cut), "");
  EXPECT_TRUE(cut);
}

TEST(AsciiLowerTest, LowersAsciiOnly) { EXPECT_EQ(AsciiLower("ImAGE-\xC3\x89"), "image-\xC3\x89"); }

TEST(AsciiCaseTest, ComparesIgnoringAsciiCaseOnly) {
  EXPECT_TRUE(EqualsIgnoringAsciiCase("Application/JSON", "application/json"));
  EXPECT_FALSE(EqualsIgnoringAsciiCase("\xC3\x89", "\xC3\xA9"));  // É and é: not ASCII
  EXPECT_FALSE(EqualsIgnoringAsciiCase("json", "jsonx"));
  EXPECT_TRUE(StartsWithIgnoringAsciiCase("BASIC dXNlcg==", "basic "));
  EXPECT_FALSE(StartsWithIgnoringAsciiCase("Bas", "basic "));
  EXPECT_FALSE(StartsWithIgnoringAsciiCase("Basic_", "basic "));
}

}  // namespace
}  // namespace socialgate::core
