#include "core/phone_number.hpp"

#include <set>
#include <unordered_map>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "core/numbering_plans.hpp"
#include "core/text.hpp"

namespace socialgate::core {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// What libphonenumber said of one string of digits.
struct Verdict {
  PhoneNumberUtil::ErrorType parse_result = PhoneNumberUtil::NO_PARSING_ERROR;
  bool valid = false;
  std::string e164;  // with its '+', when valid
};

// A number is checked against libphonenumber's numbering plans with RE2 (NumberingPlans, a
// microsecond or two); one that check does not find valid goes to libphonenumber itself, whose
// ICU regular expressions take tens of microseconds. The same numbers come back on request
// after request (a business number on every one): each thread keeps its last few thousand
// verdicts.
const Verdict& Judge(const std::string& digits) {
  constexpr std::size_t kMaxRemembered = 4096;
  thread_local std::unordered_map<std::string, Verdict> remembered;
  if (auto it = remembered.find(digits); it != remembered.end()) return it->second;
  if (remembered.size() >= kMaxRemembered) remembered.clear();

  Verdict verdict;
  if (const NumberingPlans* plans = NumberingPlans::Get()) {
    if (auto e164 = plans->ValidE164(digits)) {
      verdict.valid = true;
      verdict.e164 = std::move(*e164);
      return remembered.emplace(digits, std::move(verdict)).first->second;
    }
  }
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  // The '+' makes libphonenumber read the leading digits as the country code; region "ZZ"
  // (unknown) means no national interpretation is ever applied.
  verdict.parse_result = util.Parse("+" + digits, "ZZ", &number);
  verdict.valid =
      verdict.parse_result == PhoneNumberUtil::NO_PARSING_ERROR && util.IsValidNumber(number);
  if (verdict.valid) util.Format(number, PhoneNumberUtil::E164, &verdict.e164);
  return remembered.emplace(digits, std::move(verdict)).first->second;
}

bool IsSeparator(char c) { return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')'; }

Error FormatError(std::string_view field) {
  return Error{ErrorCode::kInvalidArgument,
               std::string(field) +
                   ": must be an international number, country code first, digits only (a "
                   "leading '+', spaces, dashes, dots and parentheses are allowed)",
               {}};
}

}  // namespace

Result<std::string> NormalizePhoneNumber(std::string_view field, std::string_view input) {
  if (input.size() > kMaxPhoneNumberInputChars) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(field) + ": is too long for a phone number (at most " +
                         std::to_string(kMaxPhoneNumberInputChars) + " characters)");
  }
  std::string digits;
  bool seen_plus = false;
  for (const char c : input) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c == '+' && !seen_plus && digits.empty()) {
      // "+39 ..." and "(+39) ..." are both common ways to write the country code.
      seen_plus = true;
    } else if (!IsSeparator(c)) {
      return tl::unexpected(FormatError(field));
    }
  }
  if (digits.empty()) {
    return tl::unexpected(FormatError(field));
  }

  const Verdict& verdict = Judge(digits);
  if (!verdict.valid) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(field) + ": " + QuoteForMessage(input) +
                         " is not a valid phone number for any country",
                     "libphonenumber parse result " + std::to_string(verdict.parse_result));
  }
  const std::string& e164 = verdict.e164;
  if (e164.size() < 2 || e164.front() != '+') {
    return MakeError(ErrorCode::kInternal,
                     std::string(field) + ": could not be normalised; please report this",
                     "unexpected E.164 formatting result");
  }
  // E.164 allows 15 digits at most; libphonenumber calls some longer numbers valid (a trunk '0'
  // written after the country code, "+49 0212...", makes one digit too many for Meta).
  if (e164.size() - 1 > kMaxE164Digits) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(field) + ": " + QuoteForMessage(input) + " has " +
                         std::to_string(e164.size() - 1) +
                         " digits as an international number, more than E.164's " +
                         std::to_string(kMaxE164Digits));
  }
  return e164.substr(1);
}

std::size_t CountryCodeLength(std::string_view digits) {
  // From the number plans when they could be read: asking PhoneNumberUtil would build its
  // instance (about 3 MB) for the first phone number the log masks.
  static const std::set<int> kCodes = [] {
    if (const NumberingPlans* plans = NumberingPlans::Get()) return plans->CallingCodes();
    std::set<int> codes;
    PhoneNumberUtil::GetInstance()->GetSupportedCallingCodes(&codes);
    return codes;
  }();
  int code = 0;
  for (std::size_t n = 1; n <= 3 && n <= digits.size(); ++n) {
    const char c = digits[n - 1];
    if (c < '0' || c > '9') return 0;
    code = code * 10 + (c - '0');
    if (kCodes.count(code) != 0) return n;
  }
  return 0;
}

}  // namespace socialgate::core
