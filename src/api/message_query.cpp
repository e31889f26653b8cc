#include "api/message_query.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "api/query.hpp"
#include "core/message_status.hpp"
#include "core/phone_number.hpp"
#include "core/template_rules.hpp"
#include "core/text.hpp"
#include "util/sha256.hpp"

namespace socialgate::api {
namespace {

using core::Result;

// The parameters, in the order their values are checked.
enum Parameter { kStatus, kService, kCustomer, kTemplate, kFrom, kTo, kLimit, kCursor, kCount };
constexpr std::array<std::string_view, kCount> kNames = {
    "status", "servicePhoneNumber", "customerPhoneNumber", "templateName", "from", "to", "limit",
    "cursor"};
constexpr std::string_view kKnownNames =
    "status, servicePhoneNumber, customerPhoneNumber, templateName, from, to, limit, cursor";
constexpr std::size_t kMaxNamesShown = 5;

tl::unexpected<core::Error> QueryRefusal(std::string message) {
  return core::MakeError(core::ErrorCode::kMalformed, std::move(message));
}

std::string Got(std::string_view value) { return ", got " + core::QuoteForMessage(value); }

// Each parameter's value, if given; refuses unknown names and repeats.
Result<std::array<std::optional<std::string>, kCount>> Split(std::string_view query) {
  std::array<std::optional<std::string>, kCount> values;
  std::vector<std::string> unknown;
  std::optional<Parameter> repeated;
  for (auto& [name, value] : QueryParameters(query)) {
    std::size_t i = 0;
    while (i < kCount && kNames[i] != name) ++i;
    if (i == kCount) {
      unknown.push_back(name);
      continue;
    }
    if (values[i] && (!repeated || i < static_cast<std::size_t>(*repeated))) {
      repeated = static_cast<Parameter>(i);
    }
    values[i] = std::move(value);
  }
  if (!unknown.empty()) {
    std::string names;
    for (std::size_t i = 0; i < unknown.size() && i < kMaxNamesShown; ++i) {
      names += (i == 0 ? "" : ", ") + core::QuoteForMessage(unknown[i]);
    }
    if (unknown.size() > kMaxNamesShown)
      names += " and " + std::to_string(unknown.size() - kMaxNamesShown) + " more";
    return QueryRefusal(
        (unknown.size() == 1 ? "unknown query parameter " : "unknown query parameters ") + names +
        ": the parameters of this endpoint are " + std::string(kKnownNames));
  }
  if (repeated) {
    return QueryRefusal(
        std::string(kNames[*repeated]) +
        ": must be given at most once, got it more than once (several statuses go in "
        "one comma-separated list)");
  }
  return values;
}

Result<std::vector<core::MessageStatus>> ParseStatuses(std::string_view value) {
  std::vector<core::MessageStatus> statuses;
  std::string_view rest = value;
  for (;;) {
    const auto comma = rest.find(',');
    auto status = core::ParseMessageStatus(rest.substr(0, comma));
    if (!status) {
      return QueryRefusal(
          "status: must be a message status (queued, sending, accepted, sent, delivered, read, "
          "failed) or a comma-separated list of them" +
          Got(value));
    }
    statuses.push_back(*status);
    if (comma == std::string_view::npos) return statuses;
    rest.remove_prefix(comma + 1);
  }
}

Result<std::string> ParsePhone(std::string_view name, std::string_view value) {
  auto phone = core::NormalizePhoneNumber(name, value);
  if (!phone) {
    return QueryRefusal(std::string(name) +
                        ": must be a valid international phone number, country code first (e.g. "
                        "393403603062 or +39 340 360 3062)" +
                        Got(value));
  }
  return std::move(*phone);
}

Result<std::int64_t> ParseTime(std::string_view name, std::string_view value) {
  auto ms = ParseUtcMillis(value);
  if (!ms) {
    return QueryRefusal(std::string(name) +
                        ": must be a UTC time in RFC 3339 form, e.g. 2026-12-06T09:00:00Z or "
                        "2026-12-06T09:00:00.123Z" +
                        Got(value));
  }
  return *ms;
}

Result<int> ParseLimit(std::string_view value) {
  int limit = 0;
  const char* end = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(value.data(), end, limit);
  const bool digits_only = !value.empty() && value.front() != '-';
  if (!digits_only || ec != std::errc() || ptr != end || limit < 1 ||
      limit > store::kMaxMessageListLimit) {
    return QueryRefusal("limit: must be an integer from 1 to " +
                        std::to_string(store::kMaxMessageListLimit) + Got(value));
  }
  return limit;
}

// Exactly `n` decimal digits at `s`.
std::optional<int> Digits(std::string_view s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

// ---- Cursor: base64url without padding ---------------------------------------------------

constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::size_t kMaxCursorChars = 512;
constexpr std::size_t kMaxCursorIdBytes = 128;

std::string Base64Url(std::string_view bytes) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : bytes) {
    buffer = (buffer << 8U) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kBase64Url[(buffer >> static_cast<unsigned>(bits)) & 0x3FU];
    }
  }
  if (bits > 0) out += kBase64Url[(buffer << static_cast<unsigned>(6 - bits)) & 0x3FU];
  return out;
}

std::optional<std::string> FromBase64Url(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const auto index = kBase64Url.find(c);
    if (index == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 6U) | static_cast<unsigned>(index);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU);
    }
  }
  // What is left must be padding bits, all zero: one text per byte string.
  if (bits >= 6 || (buffer & ((1U << static_cast<unsigned>(bits)) - 1U)) != 0) return std::nullopt;
  return out;
}

std::string Check(std::string_view payload) {
  return util::Sha256Hex("socialgate message list cursor " + std::string(payload)).substr(0, 8);
}

}  // namespace

std::optional<std::int64_t> ParseUtcMillis(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.f{1,3}]Z
  const auto year = Digits(s, 0, 4);
  const auto month = Digits(s, 5, 2);
  const auto day = Digits(s, 8, 2);
  const auto hour = Digits(s, 11, 2);
  const auto minute = Digits(s, 14, 2);
  const auto second = Digits(s, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  std::size_t at = 19;
  int millis = 0;
  if (at < s.size() && s[at] == '.') {
    std::size_t n = 0;
    while (at + 1 + n < s.size() && s[at + 1 + n] >= '0' && s[at + 1 + n] <= '9') ++n;
    if (n < 1 || n > 3) return std::nullopt;
    millis = *Digits(s, at + 1, n);
    for (std::size_t i = n; i < 3; ++i) millis *= 10;
    at += 1 + n;
  }
  if (at + 1 != s.size() || (s[at] != 'Z' && s[at] != 'z')) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{*year},
                                         std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 59) return std::nullopt;
  const std::int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  return ((days * 24 + *hour) * 60 + *minute) * 60'000LL + *second * 1000LL + millis;
}

std::string EncodeCursor(const store::ListPosition& position) {
  const std::string payload = "1." + std::to_string(position.created_at_ms) + "." + position.id;
  return Base64Url(payload + "." + Check(payload));
}

Result<store::ListPosition> DecodeCursor(std::string_view cursor) {
  const auto refuse = [&](std::string_view why) {
    return QueryRefusal("cursor: must be the 'next' of an earlier page, unchanged, got " +
                        core::QuoteForMessage(cursor) + ", which " + std::string(why));
  };
  if (cursor.size() > kMaxCursorChars) return refuse("is too long");
  const auto bytes = FromBase64Url(cursor);
  if (!bytes) return refuse("is not base64url");
  // "1.<created_at_ms>.<id>.<check>"; the id may hold dots, the others do not.
  const std::string_view text = *bytes;
  const auto first = text.find('.');
  const auto second = first == std::string_view::npos ? first : text.find('.', first + 1);
  const auto last = text.rfind('.');
  if (second == std::string_view::npos || last <= second + 1 || text.substr(0, first) != "1") {
    return refuse("is not a cursor");
  }
  const std::string_view payload = text.substr(0, last);
  if (text.substr(last + 1) != Check(payload)) return refuse("was altered");
  const std::string_view ms = text.substr(first + 1, second - first - 1);
  const std::string_view id = text.substr(second + 1, last - second - 1);
  store::ListPosition position;
  const auto [ptr, ec] = std::from_chars(ms.data(), ms.data() + ms.size(), position.created_at_ms);
  if (ms.empty() || ms.front() == '-' || ec != std::errc() || ptr != ms.data() + ms.size() ||
      id.size() > kMaxCursorIdBytes) {
    return refuse("is not a cursor");
  }
  position.id = std::string(id);
  return position;
}

Result<store::MessageQuery> ParseMessageQuery(std::string_view query) {
  SG_ASSIGN_OR_RETURN(const auto values, Split(query));
  store::MessageQuery out;
  out.limit = kDefaultMessageListLimit;
  if (values[kStatus]) {
    SG_ASSIGN_OR_RETURN(out.statuses, ParseStatuses(*values[kStatus]));
  }
  if (values[kService]) {
    SG_ASSIGN_OR_RETURN(out.service_phone, ParsePhone(kNames[kService], *values[kService]));
  }
  if (values[kCustomer]) {
    SG_ASSIGN_OR_RETURN(out.customer_phone, ParsePhone(kNames[kCustomer], *values[kCustomer]));
  }
  if (values[kTemplate]) {
    auto valid = core::ValidateTemplateName(*values[kTemplate]);
    if (!valid) return QueryRefusal(std::move(valid.error().message));
    out.template_name = *values[kTemplate];
  }
  if (values[kFrom]) {
    SG_ASSIGN_OR_RETURN(out.from_ms, ParseTime(kNames[kFrom], *values[kFrom]));
  }
  if (values[kTo]) {
    SG_ASSIGN_OR_RETURN(out.to_ms, ParseTime(kNames[kTo], *values[kTo]));
  }
  if (out.from_ms && out.to_ms && *out.from_ms >= *out.to_ms) {
    return QueryRefusal("to: must be later than from, got from " +
                        core::QuoteForMessage(*values[kFrom]) + " and to " +
                        core::QuoteForMessage(*values[kTo]));
  }
  if (values[kLimit]) {
    SG_ASSIGN_OR_RETURN(out.limit, ParseLimit(*values[kLimit]));
  }
  if (values[kCursor]) {
    SG_ASSIGN_OR_RETURN(out.after, DecodeCursor(*values[kCursor]));
  }
  return out;
}

}  // namespace socialgate::api
