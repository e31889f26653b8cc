// NumberingPlans against libphonenumber itself: for every number in a corpus built from
// libphonenumber's example numbers (every region, every type, the non-geographical codes),
// their one-digit variants, their national prefixes written after the country code, and random
// digit strings, the RE2 check must give exactly libphonenumber's answer to Parse("+" digits,
// "ZZ") + IsValidNumber + Format(E164). A valid answer that differs would accept or store a
// wrong number; an invalid one where libphonenumber finds the number valid would only cost
// time (phone_number.cpp asks libphonenumber then), but the corpus shows there are none.
#include "core/numbering_plans.hpp"

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

namespace socialgate::core {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// libphonenumber's answer: the E.164 form with '+', or "" when the number is not valid.
std::string LibraryAnswer(const std::string& digits) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util.Parse("+" + digits, "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) return "";
  if (!util.IsValidNumber(number)) return "";
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

std::string E164Digits(const PhoneNumber& number) {
  std::string e164;
  PhoneNumberUtil::GetInstance()->Format(number, PhoneNumberUtil::E164, &e164);
  return e164.substr(1);
}

// Every example number libphonenumber has, as E.164 digits, with its calling code's length.
struct Example {
  std::string digits;
  std::size_t code_digits = 0;
  std::string national_prefix;  // the region's, "" for none
};

std::vector<Example> Examples() {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  std::vector<Example> examples;
  std::set<std::string> regions;
  util.GetSupportedRegions(&regions);
  for (const std::string& region : regions) {
    std::string prefix;
    util.GetNddPrefixForRegion(region, true, &prefix);
    for (int type = 0; type <= static_cast<int>(PhoneNumberUtil::VOICEMAIL); ++type) {
      PhoneNumber number;
      if (!util.GetExampleNumberForType(region, static_cast<PhoneNumberUtil::PhoneNumberType>(type),
                                        &number)) {
        continue;
      }
      examples.push_back(
          {E164Digits(number), std::to_string(number.country_code()).size(), prefix});
    }
  }
  std::set<int> global_codes;
  util.GetSupportedGlobalNetworkCallingCodes(&global_codes);
  for (const int code : global_codes) {
    PhoneNumber number;
    if (util.GetExampleNumberForNonGeoEntity(code, &number)) {
      examples.push_back({E164Digits(number), std::to_string(code).size(), ""});
    }
  }
  return examples;
}

// The example, each digit after the calling code changed to every other digit, each dropped,
// a 0, 1 or 9 inserted at each place, one more digit at the end, and the national prefix
// written after the code.
std::vector<std::string> Variants(const Example& example) {
  std::vector<std::string> out{example.digits, example.digits + "0", example.digits + "5"};
  const std::string& d = example.digits;
  for (std::size_t i = example.code_digits; i < d.size(); ++i) {
    for (char c = '0'; c <= '9'; ++c) {
      if (c == d[i]) continue;
      std::string changed = d;
      changed[i] = c;
      out.push_back(changed);
    }
    out.push_back(d.substr(0, i) + d.substr(i + 1));
    for (const char c : {'0', '1', '9'}) out.push_back(d.substr(0, i) + c + d.substr(i));
  }
  if (!example.national_prefix.empty()) {
    out.push_back(d.substr(0, example.code_digits) + example.national_prefix +
                  d.substr(example.code_digits));
  }
  return out;
}

struct Comparison {
  std::size_t checked = 0;
  std::size_t valid = 0;            // by libphonenumber
  std::vector<std::string> wrong;   // valid here, and libphonenumber says otherwise
  std::vector<std::string> missed;  // libphonenumber finds valid, this check does not
};

void Compare(const NumberingPlans& plans, const std::string& digits, Comparison& result) {
  const std::string expected = LibraryAnswer(digits);
  const std::optional<std::string> answer = plans.ValidE164(digits);
  ++result.checked;
  if (!expected.empty()) ++result.valid;
  if (answer && *answer != expected) {
    result.wrong.push_back(digits + " -> " + *answer +
                           ", libphonenumber: " + (expected.empty() ? "invalid" : expected));
  } else if (!answer && !expected.empty()) {
    result.missed.push_back(digits + " (libphonenumber: " + expected + ")");
  }
}

std::string FirstFew(const std::vector<std::string>& list) {
  std::string out;
  for (std::size_t i = 0; i < list.size() && i < 20; ++i) out += "\n  " + list[i];
  return out;
}

TEST(NumberingPlansTest, LoadsLibphonenumbersMetadata) {
  ASSERT_NE(NumberingPlans::Get(), nullptr);
  EXPECT_EQ(NumberingPlans::Get(), NumberingPlans::Get());
}

// CountryCodeLength (log masking) reads the calling codes from here: the same set as
// libphonenumber's, geographical and not.
TEST(NumberingPlansTest, KnowsTheCallingCodesLibphonenumberKnows) {
  const NumberingPlans* plans = NumberingPlans::Get();
  ASSERT_NE(plans, nullptr);
  std::set<int> codes;
  PhoneNumberUtil::GetInstance()->GetSupportedCallingCodes(&codes);
  ASSERT_GT(codes.size(), 200u);
  EXPECT_EQ(plans->CallingCodes(), codes);
  EXPECT_EQ(plans->CallingCodes().count(39), 1u);
  EXPECT_EQ(plans->CallingCodes().count(800), 1u);  // international freephone, non-geographical
  EXPECT_EQ(plans->CallingCodes().count(0), 0u);
}

TEST(NumberingPlansTest, AnswersAsLibphonenumberForEveryExampleAndItsVariants) {
  const NumberingPlans* plans = NumberingPlans::Get();
  ASSERT_NE(plans, nullptr);
  Comparison result;
  const std::vector<Example> examples = Examples();
  ASSERT_GT(examples.size(), 1000u);  // about 245 regions, several types each
  for (const Example& example : examples) {
    for (const std::string& digits : Variants(example)) Compare(*plans, digits, result);
  }
  EXPECT_TRUE(result.wrong.empty())
      << result.wrong.size() << " of " << result.checked << " differ:" << FirstFew(result.wrong);
  EXPECT_TRUE(result.missed.empty()) << result.missed.size() << " of " << result.valid
                                     << " valid ones missed:" << FirstFew(result.missed);
  // The corpus is not all invalid or all valid.
  EXPECT_GT(result.valid, result.checked / 10);
  EXPECT_LT(result.valid, result.checked * 9 / 10);
}

TEST(NumberingPlansTest, AnswersAsLibphonenumberForRandomNumbers) {
  const NumberingPlans* plans = NumberingPlans::Get();
  ASSERT_NE(plans, nullptr);
  std::mt19937 random(20261207);
  std::uniform_int_distribution<int> length(1, 18);
  std::uniform_int_distribution<int> digit(0, 9);
  Comparison result;
  for (int i = 0; i < 20000; ++i) {
    std::string digits;
    const int n = length(random);
    for (int k = 0; k < n; ++k) digits.push_back(static_cast<char>('0' + digit(random)));
    Compare(*plans, digits, result);
  }
  EXPECT_TRUE(result.wrong.empty())
      << result.wrong.size() << " of " << result.checked << " differ:" << FirstFew(result.wrong);
  EXPECT_TRUE(result.missed.empty()) << result.missed.size() << " of " << result.valid
                                     << " valid ones missed:" << FirstFew(result.missed);
}

TEST(NumberingPlansTest, StripsANationalPrefixWrittenAfterTheCountryCodeAsLibphonenumberDoes) {
  const NumberingPlans* plans = NumberingPlans::Get();
  ASSERT_NE(plans, nullptr);
  // A British mobile with its trunk 0 after +44, an Italian one (whose 0 is part of the number
  // for fixed lines, not a prefix), a US number.
  for (const std::string digits : {"4407911123456", "447911123456", "393403603062", "390612345678",
                                   "12025550123", "5491123456789"}) {
    EXPECT_EQ(plans->ValidE164(digits).value_or(""), LibraryAnswer(digits)) << digits;
  }
  EXPECT_EQ(plans->ValidE164("4407911123456").value_or(""), "+447911123456");
}

TEST(NumberingPlansTest, LeavesWhatIsNotDigitsOrTooShortToLibphonenumber) {
  const NumberingPlans* plans = NumberingPlans::Get();
  ASSERT_NE(plans, nullptr);
  for (const std::string digits : {"", "3", "39", "0393403603062", "39340360306x", "+393403603062",
                                   "39340360306212345678901234567890"}) {
    EXPECT_FALSE(plans->ValidE164(digits).has_value()) << digits;
  }
}

}  // namespace
}  // namespace socialgate::core
