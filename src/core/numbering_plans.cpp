#include "core/numbering_plans.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <list>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

#include <phonenumbers/phonemetadata.pb.h>
#include <re2/re2.h>

// Declared in libphonenumber's metadata.h, which Debian does not install; libphonenumber.so
// exports both, and its own PhoneNumberUtil parses the same blob at start-up.
namespace i18n::phonenumbers {
int metadata_size();
const void* metadata_get();
}  // namespace i18n::phonenumbers

namespace socialgate::core {
// Named, not anonymous: NumberingPlans::Data holds these types, and a unity build would warn
// of a field whose type is in an anonymous namespace.
namespace numbering_plans_internal {

using i18n::phonenumbers::PhoneNumberDesc;

// libphonenumber's bounds on a national significant number (kMinLengthForNsn,
// kMaxLengthForNsn in phonenumberutil.cc).
constexpr std::size_t kMinNsnDigits = 2;
constexpr std::size_t kMaxNsnDigits = 17;

// One PhoneNumberDesc of the metadata.
struct Desc {
  std::string pattern;             // empty: matches nothing
  std::vector<int> lengths;        // possible_length; none: not checked
  std::vector<int> local_lengths;  // possible_length_local_only
  std::unique_ptr<RE2> regex;      // compiled with its region; null when `pattern` is empty
};

// One region's numbering plan (or a non-geographical calling code's).
struct Region {
  Desc general;
  // The types GetNumberTypeHelper tries: premium rate, toll free, shared cost, VoIP, personal,
  // pager, UAN, voicemail and fixed line; then mobile, unless its pattern is fixed line's.
  std::array<Desc, 9> types;
  Desc mobile;
  bool same_mobile_and_fixed_line = false;
  bool has_leading_digits = false;
  Desc leading_digits;         // only its pattern is used
  Desc national_prefix;        // national_prefix_for_parsing; only its pattern is used
  std::string transform_rule;  // national_prefix_transform_rule

  std::once_flag compile_once;
  bool usable = false;  // every pattern compiled (set once, under compile_once)
};

struct CallingCode {
  std::vector<Region*> regions;  // in libphonenumber's order: the main country first
};

static Desc CopyDesc(const PhoneNumberDesc& desc) {
  Desc copy;
  copy.pattern = desc.national_number_pattern();
  copy.lengths.assign(desc.possible_length().begin(), desc.possible_length().end());
  copy.local_lengths.assign(desc.possible_length_local_only().begin(),
                            desc.possible_length_local_only().end());
  return copy;
}

static bool Compile(Desc& desc) {
  if (desc.pattern.empty()) return true;
  RE2::Options options;
  options.set_log_errors(false);
  desc.regex = std::make_unique<RE2>(desc.pattern, options);
  return desc.regex->ok();
}

// Compiles the region's patterns the first time; whether all compiled.
static bool Ready(Region& region) {
  std::call_once(region.compile_once, [&region] {
    bool ok = Compile(region.general) && Compile(region.mobile) && Compile(region.leading_digits) &&
              Compile(region.national_prefix) && !region.general.lengths.empty();
    for (Desc& type : region.types) ok = ok && Compile(type);
    region.usable = ok;
  });
  return region.usable;
}

// libphonenumber's IsMatch: the whole number matches the pattern (no length check).
static bool PatternMatches(const Desc& desc, std::string_view number) {
  return desc.regex != nullptr && RE2::FullMatch(number, *desc.regex);
}

// IsNumberMatchingDesc: one of the desc's lengths, if it lists any, and its pattern.
static bool MatchesDesc(const Desc& desc, std::string_view number) {
  if (!desc.lengths.empty() && std::find(desc.lengths.begin(), desc.lengths.end(),
                                         static_cast<int>(number.size())) == desc.lengths.end()) {
    return false;
  }
  return PatternMatches(desc, number);
}

// GetNumberTypeHelper(...) != UNKNOWN.
static bool HasKnownType(const Region& region, std::string_view nsn) {
  if (!MatchesDesc(region.general, nsn)) return false;
  for (const Desc& type : region.types) {
    if (MatchesDesc(type, nsn)) return true;
  }
  return !region.same_mobile_and_fixed_line && MatchesDesc(region.mobile, nsn);
}

// TestNumberLength(number, metadata) with type UNKNOWN: whether Parse may keep the number
// with its national prefix stripped (not TOO_SHORT, IS_POSSIBLE_LOCAL_ONLY or INVALID_LENGTH).
static bool LengthKeepsStripped(const Region& region, std::size_t length) {
  const std::vector<int>& lengths = region.general.lengths;  // non-empty: see Ready
  const int actual = static_cast<int>(length);
  if (lengths.front() == -1) return false;
  const auto& local = region.general.local_lengths;
  if (std::find(local.begin(), local.end(), actual) != local.end()) return false;
  if (lengths.front() == actual) return true;
  if (lengths.front() > actual) return false;
  if (lengths.back() < actual) return true;  // TOO_LONG
  return std::find(lengths.begin() + 1, lengths.end(), actual) != lengths.end();
}

enum class Strip { kKept, kStripped, kUndecidable };

// MaybeStripNationalPrefixAndCarrierCode: national_prefix_for_parsing matched at the start
// (ICU's lookingAt, RE2's ANCHOR_START: both leftmost-first) is removed, or replaced by the
// transform rule with its groups when the rule exists and the prefix's captured part is not
// empty; unless the number matched the general pattern before and would not after.
static Strip StripNationalPrefix(const Region& region, std::string& number) {
  if (number.empty() || region.national_prefix.regex == nullptr) return Strip::kKept;
  const RE2& prefix = *region.national_prefix.regex;
  const int groups = prefix.NumberOfCapturingGroups();
  if (groups < 0 || groups > 9) return Strip::kUndecidable;
  std::array<re2::StringPiece, 10> found;
  if (!prefix.Match(number, 0, number.size(), RE2::ANCHOR_START, found.data(), groups + 1)) {
    return Strip::kKept;
  }
  // Consume with two strings wants two groups and keeps the second; with one, the first.
  const re2::StringPiece captured = groups >= 2 ? found[2] : groups == 1 ? found[1] : "";
  const std::string rest = number.substr(found[0].size());
  std::string changed;
  if (!region.transform_rule.empty() && !captured.empty()) {
    // ICU's replaceFirst: "$n" is group n; anything else of its syntax is not expected here.
    const std::string& rule = region.transform_rule;
    for (std::size_t i = 0; i < rule.size(); ++i) {
      const char c = rule[i];
      if (c == '\\') return Strip::kUndecidable;
      if (c != '$') {
        changed.push_back(c);
        continue;
      }
      if (i + 1 >= rule.size() || rule[i + 1] < '0' || rule[i + 1] > '9') {
        return Strip::kUndecidable;
      }
      if (i + 2 < rule.size() && rule[i + 2] >= '0' && rule[i + 2] <= '9') {
        return Strip::kUndecidable;
      }
      const int group = rule[i + 1] - '0';
      if (group > groups) return Strip::kUndecidable;
      changed.append(found[group].data(), found[group].size());
      ++i;
    }
    changed += rest;
  } else {
    changed = rest;
  }
  if (PatternMatches(region.general, number) && !PatternMatches(region.general, changed)) {
    return Strip::kKept;
  }
  number = std::move(changed);
  return Strip::kStripped;
}

struct Plans {
  std::deque<Region> regions;  // addresses stay put
  std::unordered_map<int, CallingCode> codes;
  std::set<int> calling_codes;  // every one the metadata has, checkable here or not
};

std::optional<std::string> CheckDigits(const Plans& plans, std::string_view digits);

}  // namespace numbering_plans_internal

struct NumberingPlans::Data : numbering_plans_internal::Plans {};

NumberingPlans::NumberingPlans(std::unique_ptr<Data> data) : data_(std::move(data)) {}
NumberingPlans::~NumberingPlans() = default;

const NumberingPlans* NumberingPlans::Get() {
  using i18n::phonenumbers::PhoneMetadata;
  using i18n::phonenumbers::PhoneMetadataCollection;
  using numbering_plans_internal::CallingCode;
  using numbering_plans_internal::CopyDesc;
  using numbering_plans_internal::Region;
  static const NumberingPlans* const instance = []() -> const NumberingPlans* {
    PhoneMetadataCollection collection;
    if (!collection.ParseFromArray(i18n::phonenumbers::metadata_get(),
                                   i18n::phonenumbers::metadata_size())) {
      return nullptr;
    }
    // As PhoneNumberUtil's constructor: the first entry of an id wins; "ZZ" is skipped;
    // "001" entries are the non-geographical codes, one per calling code. A calling code's
    // regions: in the metadata's order, but its main country (main_country_for_code) first;
    // "001" stands for a non-geographical code. Read here rather than asked of PhoneNumberUtil,
    // whose instance (ICU matchers, every region parsed again) costs about 3 MB of memory that
    // a gateway whose numbers this check finds valid never needs.
    std::map<std::string, const PhoneMetadata*> by_region;
    std::map<int, const PhoneMetadata*> non_geographical;
    std::map<int, std::list<std::string>> regions_of_code;
    for (const PhoneMetadata& metadata : collection.metadata()) {
      if (metadata.id() == "ZZ") continue;
      if (metadata.id() == "001") {
        non_geographical.emplace(metadata.country_code(), &metadata);
      } else {
        by_region.emplace(metadata.id(), &metadata);
      }
      auto [listed, first] = regions_of_code.try_emplace(metadata.country_code());
      if (!first && metadata.main_country_for_code()) {
        listed->second.push_front(metadata.id());
      } else {
        listed->second.push_back(metadata.id());
      }
    }
    auto data = std::make_unique<Data>();
    for (const auto& [code, ids] : regions_of_code) {
      data->calling_codes.insert(code);
      CallingCode plans;
      for (const std::string& id : ids) {
        const PhoneMetadata* metadata = nullptr;
        if (id == "001") {
          if (auto it = non_geographical.find(code); it != non_geographical.end()) {
            metadata = it->second;
          }
        } else if (auto it = by_region.find(id); it != by_region.end()) {
          metadata = it->second;
        }
        if (metadata == nullptr) {
          plans.regions.clear();  // not as libphonenumber sees it: leave the code to it
          break;
        }
        Region& region = data->regions.emplace_back();
        region.general = CopyDesc(metadata->general_desc());
        region.types = {CopyDesc(metadata->premium_rate()),
                        CopyDesc(metadata->toll_free()),
                        CopyDesc(metadata->shared_cost()),
                        CopyDesc(metadata->voip()),
                        CopyDesc(metadata->personal_number()),
                        CopyDesc(metadata->pager()),
                        CopyDesc(metadata->uan()),
                        CopyDesc(metadata->voicemail()),
                        CopyDesc(metadata->fixed_line())};
        region.mobile = CopyDesc(metadata->mobile());
        region.same_mobile_and_fixed_line = metadata->same_mobile_and_fixed_line_pattern();
        region.has_leading_digits = metadata->has_leading_digits();
        region.leading_digits.pattern = metadata->leading_digits();
        region.national_prefix.pattern = metadata->national_prefix_for_parsing();
        region.transform_rule = metadata->national_prefix_transform_rule();
        plans.regions.push_back(&region);
      }
      if (!plans.regions.empty()) data->codes.emplace(code, std::move(plans));
    }
    return new NumberingPlans(std::move(data));  // lives as long as the process
  }();
  return instance;
}

std::optional<std::string> NumberingPlans::ValidE164(std::string_view digits) const {
  return numbering_plans_internal::CheckDigits(*data_, digits);
}

const std::set<int>& NumberingPlans::CallingCodes() const { return data_->calling_codes; }

namespace numbering_plans_internal {

std::optional<std::string> CheckDigits(const Plans& data, std::string_view digits) {
  // MaybeExtractCountryCode: two digits or fewer after the '+' are too short; a calling code
  // never starts with 0.
  if (digits.size() <= kMinNsnDigits || digits.front() < '1' || digits.front() > '9') {
    return std::nullopt;
  }
  // ExtractCountryCode: the first one, two or three digits that are a known calling code.
  int code = 0;
  std::size_t code_digits = 0;
  const CallingCode* plans = nullptr;
  for (std::size_t n = 1; n <= 3; ++n) {
    const char c = digits[n - 1];
    if (c < '0' || c > '9') return std::nullopt;
    code = code * 10 + (c - '0');
    if (auto it = data.codes.find(code); it != data.codes.end()) {
      plans = &it->second;
      code_digits = n;
      break;
    }
  }
  if (plans == nullptr) return std::nullopt;
  std::string national(digits.substr(code_digits));
  if (national.size() < kMinNsnDigits) return std::nullopt;
  for (char c : national) {
    if (c < '0' || c > '9') return std::nullopt;
  }

  // ParseHelper: the national prefix is stripped by the rules of the code's main country, and
  // the stripped number kept unless its length could not be a whole number there.
  Region& main = *plans->regions.front();
  if (!Ready(main)) return std::nullopt;
  std::string stripped = national;
  const Strip strip = StripNationalPrefix(main, stripped);
  if (strip == Strip::kUndecidable) return std::nullopt;
  if (strip == Strip::kStripped && LengthKeepsStripped(main, stripped.size())) {
    national = std::move(stripped);
  }
  if (national.size() < kMinNsnDigits || national.size() > kMaxNsnDigits) return std::nullopt;

  // IsValidNumber: GetRegionCodeForNumber, then IsValidNumberForRegion. Where regions share
  // the code, the first whose leading digits start the number, or (without leading digits)
  // whose types know it.
  const Region* region = nullptr;
  if (plans->regions.size() == 1) {
    region = &main;
  } else {
    for (Region* candidate : plans->regions) {
      if (!Ready(*candidate)) return std::nullopt;
      if (candidate->has_leading_digits) {
        // An empty pattern matches, as ICU's lookingAt does.
        if (candidate->leading_digits.regex == nullptr ||
            candidate->leading_digits.regex->Match(national, 0, national.size(), RE2::ANCHOR_START,
                                                   nullptr, 0)) {
          region = candidate;
          break;
        }
      } else if (HasKnownType(*candidate, national)) {
        region = candidate;
        break;
      }
    }
  }
  if (region == nullptr || !HasKnownType(*region, national)) return std::nullopt;
  return "+" + std::to_string(code) + national;
}

}  // namespace numbering_plans_internal
}  // namespace socialgate::core
