// File: bench/number_check_bench.cpp
//
// The phone number check's own cost, timed in a loop (bench/numbers_part.py, the `numbers` part
// of bench/run.py). Every request's customer and business numbers go through
// core::NormalizePhoneNumber; a number a thread has not seen lately is checked against the
// numbering plans with RE2 (core/numbering_plans.hpp) and, only when that check does not find it
// valid, by libphonenumber. For each region below it builds NUMBERS distinct mobile numbers that
// libphonenumber finds valid (the region's example mobile number with its last digits drawn at
// random) and times, in ns per number:
//
//   new_ns        core::NormalizePhoneNumber on numbers the thread has not seen (more of them
//                 than its memory of the last 4,096 holds, taken in turn): a new customer
//   library_ns    libphonenumber's Parse("+" digits, "ZZ") + IsValidNumber + Format(E164) on
//                 the same numbers: what the check cost before the numbering plans
//   remembered_ns core::NormalizePhoneNumber on one number again and again: a business number,
//                 or a customer who writes again
//
// Each figure is the best (lowest) of ROUNDS rounds of about 0.2 s (bench/loop_timing.hpp); the
// median round is given beside it (`_median`). One JSON object on stdout.
//
//   number_check_bench [--numbers N] [--rounds N]
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "core/numbering_plans.hpp"
#include "core/phone_number.hpp"
#include "loop_timing.hpp"

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;
using socialgate::bench::Time;
using socialgate::bench::Timing;

// libphonenumber's answer, as core/phone_number.cpp asks it: the E.164 form, or "" when not
// valid.
std::string LibraryE164(const PhoneNumberUtil& util, const std::string& digits) {
  PhoneNumber number;
  if (util.Parse("+" + digits, "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR ||
      !util.IsValidNumber(number)) {
    return "";
  }
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

// Up to `count` distinct valid mobile numbers of `region` (E.164 digits, no '+'): its example
// mobile number with the last five digits drawn at random, kept when libphonenumber finds it
// valid. Bounded in attempts.
std::vector<std::string> ValidNumbers(const PhoneNumberUtil& util, const std::string& region,
                                      std::size_t count, std::mt19937& random) {
  PhoneNumber example;
  if (!util.GetExampleNumberForType(region, PhoneNumberUtil::MOBILE, &example)) return {};
  std::string e164;
  util.Format(example, PhoneNumberUtil::E164, &e164);
  const std::string base = e164.substr(1);
  if (base.size() < 8) return {};
  std::uniform_int_distribution<int> digit(0, 9);
  std::set<std::string> seen;
  std::vector<std::string> out;
  for (std::size_t attempt = 0; out.size() < count && attempt < count * 20; ++attempt) {
    std::string digits = base;
    for (std::size_t i = digits.size() - 5; i < digits.size(); ++i) {
      digits[i] = static_cast<char>('0' + digit(random));
    }
    if (seen.insert(digits).second && LibraryE164(util, digits) == "+" + digits) {
      out.push_back(digits);
    }
  }
  return out;
}

std::string Field(const char* name, const Timing& t) {
  char buffer[160];
  std::snprintf(buffer, sizeof buffer, "\"%s\": %.1f, \"%s_median\": %.1f", name, t.best_ns, name,
                t.median_ns);
  return buffer;
}

int Usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s [--numbers N] [--rounds N]\n", argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  namespace sg = socialgate;
  std::size_t numbers = 20'000;  // per region: several times the 4,096 a thread remembers
  int rounds = 7;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return Usage(argv[0]);
    if (arg == "--numbers") {
      const long n = std::atol(argv[++i]);  // NOLINT(runtime/int)
      if (n < 5'000 || n > 1'000'000) return Usage(argv[0]);
      numbers = static_cast<std::size_t>(n);
    } else if (arg == "--rounds") {
      rounds = std::atoi(argv[++i]);
      if (rounds < 1 || rounds > 100) return Usage(argv[0]);
    } else {
      return Usage(argv[0]);
    }
  }

  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  const sg::core::NumberingPlans* plans = sg::core::NumberingPlans::Get();
  if (plans == nullptr) {
    std::fprintf(stderr, "number_check_bench: libphonenumber's metadata could not be read\n");
    return 1;
  }
  std::mt19937 random(20261207);
  // Italy (the seed's customers), then regions of other numbering shapes: a national prefix
  // (GB, DE), a shared calling code (US), long plans (BR, IN), Nigeria and Indonesia.
  const std::vector<std::string> regions = {"IT", "GB", "US", "DE", "BR", "IN", "NG", "ID"};
  std::string json = "{\"regions\": {";
  bool first = true;
  for (const std::string& region : regions) {
    const std::vector<std::string> list = ValidNumbers(util, region, numbers, random);
    if (list.size() < 5'000) {
      std::fprintf(stderr, "number_check_bench: only %zu valid %s numbers\n", list.size(),
                   region.c_str());
      return 1;
    }
    // Every number is accepted by the gateway's check as libphonenumber accepts it, and
    // decided by the numbering plans themselves: new_ns times that path, not libphonenumber's
    // (which NormalizePhoneNumber falls back to for a number the plans do not find valid).
    for (const std::string& digits : list) {
      auto checked = sg::core::NormalizePhoneNumber("customerPhoneNumber", digits);
      if (!checked || *checked != digits || plans->ValidE164(digits) != "+" + digits) {
        std::fprintf(stderr,
                     "number_check_bench: %s: the check answered otherwise than libphonenumber, "
                     "or left it to libphonenumber\n",
                     digits.c_str());
        return 1;
      }
    }
    std::size_t next = 0;
    const Timing fresh = Time(rounds, [&] {
      const std::string& digits = list[next];
      next = next + 1 == list.size() ? 0 : next + 1;
      return sg::core::NormalizePhoneNumber("customerPhoneNumber", digits)->size();
    });
    next = 0;
    const Timing library = Time(rounds, [&] {
      const std::string& digits = list[next];
      next = next + 1 == list.size() ? 0 : next + 1;
      return LibraryE164(util, digits).size();
    });
    const Timing remembered = Time(rounds, [&] {
      return sg::core::NormalizePhoneNumber("customerPhoneNumber", list.front())->size();
    });
    json += std::string(first ? "" : ", ") + "\"" + region +
            "\": {\"numbers\": " + std::to_string(list.size()) + ", \"example\": \"" +
            list.front() + "\", " + Field("new_ns", fresh) + ", " + Field("library_ns", library) +
            ", " + Field("remembered_ns", remembered) + "}";
    first = false;
  }
  json += "}, \"rounds\": " + std::to_string(rounds) + "}";
  std::printf("%s\n", json.c_str());
  return 0;
}
