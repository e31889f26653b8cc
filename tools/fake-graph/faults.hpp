// File: fake-graph/faults.hpp
//
// Fault injection: an ordered list of rules, set by the tests through POST /_fake/faults, that
// turn a request which would succeed into an error, a bare HTTP failure, a throttle, a slow
// answer or a dropped connection, or make an accepted send fail afterwards (status_failed: the
// send is answered as usual, its status webhooks say sent, then failed). Rules are tried in order;
// the first rule that matches the request, still has applications left (`count`) and wins its
// random draw (`rate`) applies. A rule with `skip` N first passes over the first N requests it
// matches (they go on to the later rules, as when its count is spent), so a test can let a
// sync's first page through and fail its second.
//
// The draws come from a PRNG seeded with --seed and re-seeded whenever the rules are replaced,
// so a test that sends the same requests in the same order sees the same faults on every run.
//
// Thread safety: none; FakeGraph serialises calls under its mutex.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "http/message.hpp"

namespace socialgate::fake_graph {

// What a Graph request asked for: a send, an upload, the template listing
// (GET /{version}/{waba-id}/message_templates), a media's URL (GET /{version}/{media-id}), the
// media's bytes (GET of that URL, /_fake/media-download/{media-id}), or none of these.
enum class PathKind { kMessages, kMedia, kTemplates, kMediaInfo, kMediaDownload, kOther };

// "messages", "media", "templates", "media_info", "media_download", "other"
std::string_view PathKindName(PathKind kind);

enum class FaultAction { kError, kHttp, kThrottle, kSlow, kDrop, kStatusFailed };

std::string_view FaultActionName(FaultAction action);  // "error", "http", ...

// A piece of a generated answer body: `text` `repeat` times over, so a test can ask for a
// 10 MB body or 100,000 levels of nesting without sending them through the control API.
struct BodyPart {
  std::string text;
  std::uint64_t repeat = 1;
};

// The longest body `body_parts` may make.
inline constexpr std::uint64_t kMaxGeneratedBodyBytes = 64ULL * 1024 * 1024;

struct FaultRule {
  // nullopt: "any", which is messages and media only: a template listing or a media fetch is
  // faulted by a rule that names its path ("templates", "media_info", "media_download"), so the
  // gateway's background syncs and downloads do not use up the rules a test wrote for its sends.
  std::optional<PathKind> path;
  std::optional<std::string> match_template;  // messages only: template.name equals this
  std::optional<std::string> match_to;        // messages only: same digits as `to`
  double rate = 1.0;                          // probability of applying when it matches
  std::optional<std::uint64_t> count;         // apply at most this many times
  std::uint64_t skip = 0;  // pass over the first `skip` matching requests, then apply
  FaultAction action = FaultAction::kError;
  int code = 0;               // error, throttle and status_failed: the Meta error code
  unsigned http_status = 0;   // 0: the default of the action and code
  std::string message;        // error title (status_failed: errors[].message); "" = default
  std::string title;          // status_failed: errors[].title; "" = the code's default title
  std::string details;        // error_data.details
  int retry_after_s = 1;      // throttle: Retry-After; < 0 sends none
  std::int64_t delay_ms = 0;  // any action: answer (or drop) this much later
  std::string body;           // http: the body; "" = a small HTML page
  // http: the body, concatenated (instead of `body`); present and empty: an empty body.
  std::optional<std::vector<BodyPart>> body_parts;
  // http: the Content-Type; "" = text/html for the HTML page, text/plain for a given body.
  std::string content_type;
  // drop, http and slow: count the message as accepted (as Meta would have sent it) although
  // the client never learns, to test that the gateway does not send it twice. Always true for
  // slow and status_failed.
  bool accept = false;
};

// Parses {"rules":[...]}. The error is one sentence naming the rule and the field.
tl::expected<std::vector<FaultRule>, std::string> ParseFaultRules(const nlohmann::json& body);

nlohmann::ordered_json FaultRuleToJson(const FaultRule& rule);

// What the rules may look at.
struct FaultSubject {
  PathKind kind = PathKind::kOther;
  std::string_view template_name;  // "" but for messages
  std::string_view to_digits;      // "" but for messages
};

struct FaultDecision {
  FaultRule rule;
  std::size_t index = 0;  // the rule's position in the list
};

class FaultEngine {
 public:
  explicit FaultEngine(std::uint64_t seed);

  // Replaces the rules, resets their counts and re-seeds the PRNG.
  void Replace(std::vector<FaultRule> rules);
  void Clear() { Replace({}); }

  // The rule to apply to this request, if any; counts it as applied. A matching rule still
  // skipping (skip) counts the request as skipped and passes it on, drawing nothing.
  std::optional<FaultDecision> Pick(const FaultSubject& subject);

  // {"seed":N,"rules":[{...rule..., "applied": n}, ...]}, and "skipped": n for rules with skip
  nlohmann::ordered_json ToJson() const;

 private:
  struct Entry {
    FaultRule rule;
    std::uint64_t applied = 0;
    std::uint64_t skipped = 0;  // matching requests passed over, at most rule.skip
  };

  std::uint64_t seed_;
  std::mt19937_64 rng_;
  std::vector<Entry> rules_;
};

// The answer of an error, http or throttle rule; for drop, a response with drop_connection; for
// slow and status_failed, the `normal` answer. Delays are the caller's business.
http::HttpResponse FaultResponse(const FaultRule& rule, std::string_view fbtrace_id,
                                 http::HttpResponse normal);

}  // namespace socialgate::fake_graph
