#include "core/template_rules.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace socialgate::core {
namespace {

void ExpectInvalid(const Result<void>& result, const std::string& message_part) {
  ASSERT_FALSE(result.has_value()) << "expected an error containing: " << message_part;
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find(message_part), std::string::npos) << result.error().message;
}

std::string Repeat(std::string_view unit, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) {
    out += unit;
  }
  return out;
}

// --- templateName ---------------------------------------------------------------------------

class GoodTemplateNameTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoodTemplateNameTest, IsAccepted) {
  const auto result = ValidateTemplateName(GetParam());
  EXPECT_TRUE(result.has_value()) << result.error().message;
}

INSTANTIATE_TEST_SUITE_P(Cases, GoodTemplateNameTest,
                         ::testing::Values("shipping_confirmation", "a", "_", "2023_april_promo",
                                           "hello_world", std::string(512, 'x')));

struct BadName {
  std::string name;
  std::string message;
};

class BadTemplateNameTest : public ::testing::TestWithParam<BadName> {};

TEST_P(BadTemplateNameTest, IsRejected) {
  ExpectInvalid(ValidateTemplateName(GetParam().name), GetParam().message);
}

constexpr const char* kCharset =
    "templateName: must contain only lower-case letters, digits and underscores";

INSTANTIATE_TEST_SUITE_P(Cases, BadTemplateNameTest,
                         ::testing::Values(BadName{"", "templateName: must not be empty"},
                                           BadName{std::string(513, 'x'),
                                                   "templateName: must be at most 512 characters"},
                                           BadName{"Shipping_confirmation", kCharset},
                                           BadName{"shipping-confirmation", kCharset},
                                           BadName{"shipping confirmation", kCharset},
                                           BadName{"shipping.v2", kCharset},
                                           BadName{"caf\xC3\xA9", kCharset},
                                           BadName{"name\n", kCharset},
                                           BadName{"Hello", "(got 'Hello')"}));

// --- text parameters ------------------------------------------------------------------------

struct GoodParam {
  std::string value;
  TextParameterKind kind;
};

class GoodTextParameterTest : public ::testing::TestWithParam<GoodParam> {};

TEST_P(GoodTextParameterTest, IsAccepted) {
  const auto result = ValidateTextParameter("bodyData[0]", GetParam().value, GetParam().kind);
  EXPECT_TRUE(result.has_value()) << result.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, GoodTextParameterTest,
    ::testing::Values(GoodParam{"5", TextParameterKind::kBody},
                      GoodParam{"Griffin", TextParameterKind::kHeader},
                      GoodParam{"contact-highway/", TextParameterKind::kUrlSuffix},
                      GoodParam{"a    b", TextParameterKind::kBody},  // exactly 4 spaces
                      GoodParam{" leading and trailing ", TextParameterKind::kBody},
                      GoodParam{"\xE2\x82\xAC 12,50 \xF0\x9F\x98\x80", TextParameterKind::kBody},
                      GoodParam{std::string(1024, 'b'), TextParameterKind::kBody},
                      GoodParam{Repeat("\xC3\xA9", 1024),
                                TextParameterKind::kBody},  // 1024 chars, 2048 bytes
                      GoodParam{std::string(60, 'h'), TextParameterKind::kHeader},
                      GoodParam{std::string(2000, 'u'), TextParameterKind::kUrlSuffix}));

struct BadParam {
  std::string value;
  TextParameterKind kind;
  std::string message;
};

class BadTextParameterTest : public ::testing::TestWithParam<BadParam> {};

TEST_P(BadTextParameterTest, IsRejectedNamingTheField) {
  ExpectInvalid(ValidateTextParameter("bodyData[1]", GetParam().value, GetParam().kind),
                "bodyData[1]: " + GetParam().message);
}

constexpr const char* kControl =
    "must not contain a newline, carriage return, tab or other control character";

INSTANTIATE_TEST_SUITE_P(
    Cases, BadTextParameterTest,
    ::testing::Values(BadParam{"", TextParameterKind::kBody, "must not be empty"},
                      BadParam{"line\nbreak", TextParameterKind::kBody, kControl},
                      BadParam{"carriage\rreturn", TextParameterKind::kBody, kControl},
                      BadParam{"tab\there", TextParameterKind::kBody, kControl},
                      BadParam{std::string("nul\0byte", 8), TextParameterKind::kBody, kControl},
                      BadParam{"bell\a", TextParameterKind::kHeader, kControl},
                      BadParam{"a     b", TextParameterKind::kBody,
                               "must not contain more than 4 consecutive spaces"},
                      BadParam{"     ", TextParameterKind::kBody,
                               "must not contain more than 4 consecutive spaces"},
                      BadParam{"bad \xC3", TextParameterKind::kBody, "must be valid UTF-8"},
                      BadParam{std::string(1025, 'b'), TextParameterKind::kBody,
                               "is 1025 characters long; a body parameter may have at most 1024"},
                      BadParam{Repeat("\xC3\xA9", 1025), TextParameterKind::kBody,
                               "is 1025 characters long"},
                      BadParam{std::string(61, 'h'), TextParameterKind::kHeader,
                               "is 61 characters long; a header parameter may have at most 60"},
                      BadParam{std::string(2001, 'u'), TextParameterKind::kUrlSuffix,
                               "is 2001 characters long; a URL suffix may have at most 2000"}));

// --- lists ----------------------------------------------------------------------------------

TEST(HeaderDataTest, EmptyOrOneEntryIsAccepted) {
  EXPECT_TRUE(ValidateHeaderData({}, false));
  EXPECT_TRUE(ValidateHeaderData({}, true));
  EXPECT_TRUE(ValidateHeaderData({"Griffin"}, false));
}

TEST(HeaderDataTest, AtMostOneEntry) {
  ExpectInvalid(ValidateHeaderData({"a", "b"}, false),
                "headerData: has 2 entries; at most 1 are allowed");
}

TEST(HeaderDataTest, NotWithAMediaHeader) {
  ExpectInvalid(ValidateHeaderData({"Griffin"}, true),
                "headerData: must be empty when header is a media header");
}

TEST(HeaderDataTest, EntriesAreHeaderParameters) {
  ExpectInvalid(ValidateHeaderData({""}, false), "headerData[0]: must not be empty");
  ExpectInvalid(ValidateHeaderData({std::string(61, 'h')}, false),
                "headerData[0]: is 61 characters long");
}

TEST(BodyDataTest, EntriesAreCheckedInOrderWithTheirIndex) {
  EXPECT_TRUE(ValidateBodyData({}));
  EXPECT_TRUE(ValidateBodyData({"5", "Priya"}));
  ExpectInvalid(ValidateBodyData({"ok", "", "bad\n"}), "bodyData[1]: must not be empty");
  ExpectInvalid(ValidateBodyData({"ok", "fine", "bad\n"}), "bodyData[2]: must not contain");
}

TEST(BodyDataTest, AtMostOneHundredEntries) {
  EXPECT_TRUE(ValidateBodyData(std::vector<std::string>(100, "x")));
  ExpectInvalid(ValidateBodyData(std::vector<std::string>(101, "x")),
                "bodyData: has 101 entries; at most 100 are allowed");
}

TEST(DynamicUrlTest, AtMostTwoUrlButtons) {
  EXPECT_TRUE(ValidateDynamicUrl({}));
  EXPECT_TRUE(ValidateDynamicUrl({"contact-highway/", "track/ORD-9931"}));
  ExpectInvalid(ValidateDynamicUrl({"a", "b", "c"}),
                "dynamicUrl: has 3 entries; at most 2 are allowed (a WhatsApp template has at "
                "most 2 URL buttons)");
}

TEST(DynamicUrlTest, EntriesAreUrlSuffixes) {
  ExpectInvalid(ValidateDynamicUrl({"ok", "a\tb"}), "dynamicUrl[1]: must not contain");
  ExpectInvalid(ValidateDynamicUrl({std::string(2001, 'u')}),
                "dynamicUrl[0]: is 2001 characters long");
}

}  // namespace
}  // namespace socialgate::core
