#include "core/phone_number.hpp"

#include <string>

#include <gtest/gtest.h>

namespace socialgate::core {
namespace {

struct GoodNumber {
  std::string input;
  std::string e164_digits;
};

class PhoneNumberAcceptedTest : public ::testing::TestWithParam<GoodNumber> {};

TEST_P(PhoneNumberAcceptedTest, NormalisesToE164Digits) {
  const auto result = NormalizePhoneNumber("customerPhoneNumber", GetParam().input);
  ASSERT_TRUE(result.has_value()) << GetParam().input << ": " << result.error().message;
  EXPECT_EQ(*result, GetParam().e164_digits);
}

INSTANTIATE_TEST_SUITE_P(Cases, PhoneNumberAcceptedTest,
                         ::testing::Values(
                             // The seed's own numbers: an Italian mobile and a Milan fixed line.
                             GoodNumber{"393403603062", "393403603062"},
                             GoodNumber{"3902124122690", "3902124122690"},
                             // Tolerated punctuation.
                             GoodNumber{"+393403603062", "393403603062"},
                             GoodNumber{"+39 340 360 3062", "393403603062"},
                             GoodNumber{"(39) 340-360.3062", "393403603062"},
                             GoodNumber{"(+39) 340 3603062", "393403603062"},
                             GoodNumber{"+39 02 1241 22690", "3902124122690"},
                             // Other countries.
                             GoodNumber{"+1 (650) 253-0000", "16502530000"},
                             GoodNumber{"+44 7911 123456", "447911123456"},
                             GoodNumber{"55 11 96123-4567", "5511961234567"},
                             GoodNumber{"+49 30 901820", "4930901820"}));

struct BadNumber {
  std::string input;
  std::string message_part;
};

class PhoneNumberRejectedTest : public ::testing::TestWithParam<BadNumber> {};

TEST_P(PhoneNumberRejectedTest, IsInvalidArgumentNamingTheField) {
  const auto result = NormalizePhoneNumber("customerPhoneNumber", GetParam().input);
  ASSERT_FALSE(result.has_value()) << GetParam().input << " -> " << *result;
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(result.error().message.rfind("customerPhoneNumber: ", 0), 0u) << result.error().message;
  EXPECT_NE(result.error().message.find(GetParam().message_part), std::string::npos)
      << result.error().message;
}

constexpr const char* kFormat = "must be an international number, country code first";
constexpr const char* kNotValid = "is not a valid phone number for any country";

INSTANTIATE_TEST_SUITE_P(
    Format, PhoneNumberRejectedTest,
    ::testing::Values(BadNumber{"", kFormat}, BadNumber{"   ", kFormat}, BadNumber{"+", kFormat},
                      BadNumber{"+39 340 ABC 3062", kFormat},
                      BadNumber{"tel:393403603062", kFormat}, BadNumber{"39340360306x", kFormat},
                      BadNumber{"39/3403603062", kFormat}, BadNumber{"393403603062#1", kFormat},
                      BadNumber{"39 340+3603062", kFormat}, BadNumber{"++393403603062", kFormat},
                      BadNumber{"393403603062+", kFormat}, BadNumber{"39\t3403603062", kFormat},
                      BadNumber{"39\n3403603062", kFormat},
                      BadNumber{"\xEF\xBC\x93\xEF\xBC\x99", kFormat}));  // full-width digits

INSTANTIATE_TEST_SUITE_P(
    Invalid, PhoneNumberRejectedTest,
    ::testing::Values(BadNumber{"+39 12", "'+39 12' is not a valid phone number for any country"},
                      BadNumber{"1", kNotValid}, BadNumber{"1800", kNotValid},
                      BadNumber{"999123456789", kNotValid},      // no country code 999
                      BadNumber{"0393403603062", kNotValid},     // national trunk prefix
                      BadNumber{"4477009001234", kNotValid},     // too long for the UK
                      BadNumber{"3934036030621234", kNotValid},  // over 15 digits
                      // Valid for libphonenumber, but 16 digits once normalised (found by the
                      // message_request fuzzer).
                      BadNumber{"49021212267122679", "more than E.164's 15"}));

TEST(PhoneNumberTest, OverlongInputIsRejectedBeforeParsing) {
  const std::string input(kMaxPhoneNumberInputChars + 1, '1');
  const auto result = NormalizePhoneNumber("servicePhoneNumber", input);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("servicePhoneNumber: is too long"), std::string::npos);
}

TEST(PhoneNumberTest, InputAtTheLengthLimitIsParsed) {
  // 32 characters, mostly separators around a valid number.
  std::string input = "+39 340 360 3062";
  input.insert(0, kMaxPhoneNumberInputChars - input.size(), ' ');
  ASSERT_EQ(input.size(), kMaxPhoneNumberInputChars);
  // Leading blanks are separators, so the '+' is still before the first digit.
  const auto result = NormalizePhoneNumber("customerPhoneNumber", input);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(*result, "393403603062");
}

TEST(PhoneNumberTest, MessageQuotesInputSafely) {
  const auto result = NormalizePhoneNumber("customerPhoneNumber", "+39 12");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message,
            "customerPhoneNumber: '+39 12' is not a valid phone number for any country");
}

}  // namespace
}  // namespace socialgate::core
