#include "obs/log.hpp"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace socialgate::obs {
namespace {

// The line parsed; its message.
std::string MessageOf(const std::string& line) {
  EXPECT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  const auto j = nlohmann::json::parse(line, nullptr, false);
  EXPECT_TRUE(j.is_object()) << line;
  if (!j.is_object()) return {};
  EXPECT_EQ(j.value("time", ""), "2026-12-06T21:22:13.923Z");
  EXPECT_EQ(j.value("level", ""), "info");
  return j.value("message", "");
}

// Issue 20: a phone number in a log shows its country code and its last three digits only.
TEST(MaskPhoneTest, KeepsTheCountryCodeAndTheLastThreeDigits) {
  EXPECT_EQ(MaskPhone("393403603062"), "39*******062");  // Italy: 39
  EXPECT_EQ(MaskPhone("14155550123"), "1*******123");    // NANP: 1
  EXPECT_EQ(MaskPhone("3548001234"), "354****234");      // Iceland: 354
  EXPECT_EQ(MaskPhone("99912345678"), "********678");    // 999 is no calling code
  EXPECT_EQ(MaskPhone("391234"), "******");              // too short to hide three digits
  EXPECT_EQ(MaskPhone(""), "");
}

TEST(JsonLogLineTest, QuotesBackslashesAndControlCharactersAreEscaped) {
  const std::string line =
      JsonLogLine("2026-12-06T21:22:13.923Z", "info", "a \"quoted\" \\ path\nsecond\tline\x01\x7f");
  EXPECT_EQ(line,
            "{\"time\":\"2026-12-06T21:22:13.923Z\",\"level\":\"info\",\"message\":\"a "
            "\\\"quoted\\\" \\\\ path\\u000asecond\\u0009line\\u0001\\u007f\"}\n");
  EXPECT_EQ(MessageOf(line), "a \"quoted\" \\ path\nsecond\tline\x01\x7f");
}

TEST(JsonLogLineTest, UtfEightIsKeptAndWhatIsNotUtfEightIsReplaced) {
  EXPECT_EQ(
      MessageOf(JsonLogLine("2026-12-06T21:22:13.923Z", "info", "caf\xC3\xA9 \xF0\x9F\x93\xA6")),
      "caf\xC3\xA9 \xF0\x9F\x93\xA6");
  // A stray byte, an overlong '/', a surrogate, a sequence cut short, past U+10FFFF.
  const std::string bad = "x\xFFy\xC0\xAFz\xED\xA0\x80w\xE2\x82v\xF4\x90\x80\x80u";
  const std::string message = MessageOf(JsonLogLine("2026-12-06T21:22:13.923Z", "info", bad));
  EXPECT_EQ(message.find('\xFF'), std::string::npos);
  EXPECT_NE(message.find("x\xEF\xBF\xBDy"), std::string::npos) << message;
  EXPECT_EQ(message.substr(message.size() - 1), "u");
}

}  // namespace
}  // namespace socialgate::obs
