#include "core/phone_number.hpp"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "core/text.hpp"

namespace socialgate::core {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

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

  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  // The '+' makes libphonenumber read the leading digits as the country code; region "ZZ"
  // (unknown) means no national interpretation is ever applied.
  const auto parse_result = util.Parse("+" + digits, "ZZ", &number);
  if (parse_result != PhoneNumberUtil::NO_PARSING_ERROR || !util.IsValidNumber(number)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(field) + ": " + QuoteForMessage(input) +
                         " is not a valid phone number for any country",
                     "libphonenumber parse result " + std::to_string(parse_result));
  }
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  if (e164.size() < 2 || e164.front() != '+') {
    return MakeError(ErrorCode::kInternal,
                     std::string(field) + ": could not be normalised; please report this",
                     "unexpected E.164 formatting result");
  }
  return e164.substr(1);
}

}  // namespace socialgate::core
