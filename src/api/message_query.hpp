// File: api/message_query.hpp
//
// The query string of GET /livechat/{domain}/messages (docs/api.md, "List messages"), read into
// a store::MessageQuery, and the list's cursor.
//
// Parameters, each optional and given at most once (percent- and form-decoded):
//   status               a status name (core/message_status.hpp) or a comma-separated list
//   servicePhoneNumber   international numbers, normalised as the send endpoint does
//   customerPhoneNumber  (core/phone_number.hpp: "+39 340 360 3062" is 393403603062)
//   templateName         as the send endpoint's rule (core/template_rules.hpp)
//   from, to             RFC 3339 UTC times, "2026-12-06T09:00:00Z" or with 1 to 3 digits of
//                        a second, "2026-12-06T09:00:00.123Z"; from inclusive, to exclusive,
//                        over the creation time; from before to
//   limit                an integer from 1 to store::kMaxMessageListLimit; 100 when absent
//   cursor               the `next` of an earlier page, unchanged
// and `ctlivetoken`, the session token, which authentication reads (api/auth_guard.hpp). Any
// other name is refused, so that a misspelt filter never lists everything.
//
// Every refusal is kMalformed (HTTP 400) with one sentence naming the parameter, its rule and
// what was wrong, e.g. "limit: must be an integer from 1 to 1000, got '5000'". Mistakes are
// reported in a fixed order (unknown names, repeats, then the values in the order above), so a
// request with several always gets the same sentence.
//
// The cursor is opaque to callers: base64url (no padding) of "1.<created_at_ms>.<id>.<check>",
// the check being 8 hex digits of a SHA-256 over the rest. The check finds a cursor that was
// cut or edited; it is no secret (any position a caller could forge lists only what the
// caller may see anyway: the domain and number filters apply to every page).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "store/records.hpp"

namespace socialgate::api {

inline constexpr int kDefaultMessageListLimit = 100;

// The query's filters, limit and position; `domain` and `service_phones_allowed` are left for
// the caller (the path's domain, the principal's numbers).
core::Result<store::MessageQuery> ParseMessageQuery(std::string_view query);

// The cursor of a page that ends at `position`.
std::string EncodeCursor(const store::ListPosition& position);

// The position of a cursor EncodeCursor made; kMalformed naming `cursor` for anything else.
core::Result<store::ListPosition> DecodeCursor(std::string_view cursor);

// "2026-12-06T09:00:00Z" or "2026-12-06T09:00:00.123Z" (1 to 3 digits of a second; 'T' and 'Z'
// in either case) as Unix milliseconds; nullopt for anything else, or a date that does not exist.
std::optional<std::int64_t> ParseUtcMillis(std::string_view text);

}  // namespace socialgate::api
