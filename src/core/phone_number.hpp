// File: core/phone_number.hpp
//
// NormalizePhoneNumber: checks a phone number given in international form (country code first)
// and returns it as E.164 digits without the '+', e.g. "+39 340 360 3062" -> "393403603062".
// Validity is libphonenumber's (the number must be valid for the country its code names), so
// typos such as a missing digit are refused here instead of failing later at Meta.
//
// Thread safety: safe to call from many threads at once (libphonenumber's PhoneNumberUtil is
// immutable after GetInstance()).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace socialgate::core {

// Longest input looked at; E.164 has at most 15 digits, so 32 leaves room for punctuation.
inline constexpr std::size_t kMaxPhoneNumberInputChars = 32;
inline constexpr std::size_t kMaxE164Digits = 15;

// `field` is the JSON name used in error messages ("customerPhoneNumber").
// Accepted: digits, one optional '+' before the first digit, and the separators space, '-', '.',
// '(' and ')', which are dropped. Anything else, or no digits at all, is kInvalidArgument, as is
// a number libphonenumber does not consider valid for any country, or one of more than 15 digits
// once normalised (E.164's limit).
Result<std::string> NormalizePhoneNumber(std::string_view field, std::string_view input);

// How many leading digits of `digits` (E.164, no '+') are a country calling code that
// libphonenumber knows (the codes are prefix-free: 1 to 3 digits); 0 when none is.
std::size_t CountryCodeLength(std::string_view digits);

}  // namespace socialgate::core
