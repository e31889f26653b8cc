// File: core/numbering_plans.hpp
//
// NumberingPlans: libphonenumber's own metadata (every country's numbering plan: its lengths,
// national prefix and number patterns) matched with RE2 instead of the ICU regular expressions
// libphonenumber runs. libphonenumber checks a number it has not seen in 25-33 us, nearly all
// of it building ICU matchers; this check of the same number against the same patterns takes a
// microsecond or two.
//
// It answers one question exactly as libphonenumber 8.12 does for a string of ASCII digits d:
// PhoneNumberUtil::Parse("+" d, "ZZ"), then IsValidNumber, then Format(E164): the country
// code, the national prefix stripped as Parse strips it (with its transform rule), the region
// chosen among those sharing the code as GetRegionCodeForNumber chooses, and the number types
// tried as GetNumberTypeHelper tries them. The steps, and where each comes from, are in the
// .cpp; tests/unit/core/numbering_plans_test.cpp compares every answer with libphonenumber's
// over every region's example numbers, their one-digit variants and random numbers.
//
// It is a shortcut, not the authority: a number it does not find valid goes to libphonenumber
// (core/phone_number.cpp), so a rare case decided differently here can only cost time.
//
// The metadata is the compiled-in blob libphonenumber itself parses at start-up
// (i18n::phonenumbers::metadata_get, exported by libphonenumber.so but not declared in an
// installed header). If it cannot be read, Get() returns null and every number goes to
// libphonenumber.
//
// Memory: the plans take about 0.5 MB once read; a region's patterns are compiled the first
// time a number of its calling code is checked, about 100 kB each, 4.9 MB if every region is
// (a bound, whatever numbers callers send). The plans are read from the metadata alone, never
// through PhoneNumberUtil, whose instance (about 3 MB, ICU's matchers among it) is then built
// only when a number this check does not find valid goes to libphonenumber.
//
// Thread safety: Get() and ValidE164 may be called from any thread.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace socialgate::core {

class NumberingPlans {
 public:
  // The process's one instance, built on first use; null when the metadata could not be read.
  static const NumberingPlans* Get();

  // `digits`: ASCII digits only, the country code first (no '+'). The E.164 form with its '+'
  // when the number is valid; nullopt when it is not, or when this check cannot decide (a
  // pattern RE2 did not compile, a transform rule of an unknown form): ask libphonenumber.
  std::optional<std::string> ValidE164(std::string_view digits) const;

  // Every country calling code of the metadata, geographical or not (PhoneNumberUtil's
  // GetSupportedCallingCodes).
  const std::set<int>& CallingCodes() const;

  ~NumberingPlans();
  NumberingPlans(const NumberingPlans&) = delete;
  NumberingPlans& operator=(const NumberingPlans&) = delete;

  struct Data;  // the plans (numbering_plans.cpp)

 private:
  explicit NumberingPlans(std::unique_ptr<Data> data);
  std::unique_ptr<Data> data_;
};

}  // namespace socialgate::core
