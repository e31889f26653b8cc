#include "fake-graph/faults.hpp"

#include <utility>

#include "fake-graph/meta_error.hpp"
#include "fake-graph/text_util.hpp"

namespace socialgate::fake_graph {

namespace {

using Json = nlohmann::json;

constexpr int kThrottleCode = 130429;
constexpr int kUndeliverableCode = 131026;
constexpr unsigned kThrottleStatus = 429;
constexpr unsigned kDefaultHttpFaultStatus = 503;
constexpr std::int64_t kDefaultSlowDelayMs = 1000;
// A delayed answer holds a connection; ten minutes is far beyond any client timeout.
constexpr std::int64_t kMaxDelayMs = 600'000;

using RuleResult = tl::expected<FaultRule, std::string>;

tl::unexpected<std::string> RuleError(std::size_t index, std::string_view what) {
  return tl::make_unexpected("rule " + std::to_string(index) + ": " + std::string(what));
}

std::string_view ReasonPhrase(unsigned status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 408:
      return "Request Timeout";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Error";
  }
}

// 1 to 200 printable ASCII characters: nothing that could end the header line.
bool IsHeaderValue(std::string_view value) {
  if (value.empty() || value.size() > 200) return false;
  for (const char c : value) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

tl::expected<std::vector<BodyPart>, std::string> ParseBodyParts(const Json& j) {
  if (!j.is_array()) return tl::make_unexpected("body_parts must be an array");
  std::vector<BodyPart> parts;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const Json& p = j[i];
    const std::string where = "body_parts[" + std::to_string(i) + "]";
    if (!p.is_object()) return tl::make_unexpected(where + " must be an object");
    for (const auto& [key, value] : p.items()) {
      if (key != "text" && key != "repeat") {
        return tl::make_unexpected(where + ": unknown field '" + key + "'");
      }
    }
    if (!p.contains("text") || !p["text"].is_string() ||
        p["text"].get_ref<const std::string&>().empty()) {
      return tl::make_unexpected(where + ".text is required and must be a non-empty string");
    }
    BodyPart part{p["text"].get<std::string>(), 1};
    if (p.contains("repeat")) {
      if (!p["repeat"].is_number_unsigned() || p["repeat"].get<std::uint64_t>() < 1 ||
          p["repeat"].get<std::uint64_t>() > kMaxGeneratedBodyBytes) {
        return tl::make_unexpected(where + ".repeat must be an integer from 1 to " +
                                   std::to_string(kMaxGeneratedBodyBytes));
      }
      part.repeat = p["repeat"].get<std::uint64_t>();
    }
    // Both factors at most kMaxGeneratedBodyBytes (2^26): the product fits.
    if (part.text.size() > kMaxGeneratedBodyBytes ||
        (total += part.text.size() * part.repeat) > kMaxGeneratedBodyBytes) {
      return tl::make_unexpected("body_parts make more than " +
                                 std::to_string(kMaxGeneratedBodyBytes) + " bytes");
    }
    parts.push_back(std::move(part));
  }
  return parts;
}

RuleResult ParseRule(const Json& j, std::size_t index) {
  if (!j.is_object()) return RuleError(index, "must be an object");
  static const char* const kKnown[] = {
      "path",     "match_template", "match_to",   "rate",         "count",   "action",
      "code",     "http_status",    "message",    "title",        "details", "retry_after_s",
      "delay_ms", "body",           "body_parts", "content_type", "accept",  "skip"};
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const char* k : kKnown) known = known || key == k;
    // Unknown fields are refused: a typo ("delay" for "delay_ms") would otherwise pass silently.
    if (!known) return RuleError(index, "unknown field '" + key + "'");
  }
  FaultRule rule;
  const auto string_field = [&](const char* name, std::string& out) -> std::optional<std::string> {
    if (!j.contains(name)) return std::nullopt;
    if (!j[name].is_string()) return std::string(name) + " must be a string";
    out = j[name].get<std::string>();
    return std::nullopt;
  };
  const auto int_field = [&](const char* name, std::int64_t min, std::int64_t max,
                             std::int64_t& out) -> std::optional<std::string> {
    if (!j.contains(name)) return std::nullopt;
    if (!j[name].is_number_integer()) return std::string(name) + " must be an integer";
    const auto v = j[name].get<std::int64_t>();
    if (v < min || v > max) {
      return std::string(name) + " must be between " + std::to_string(min) + " and " +
             std::to_string(max);
    }
    out = v;
    return std::nullopt;
  };

  std::string path = "any";
  if (auto e = string_field("path", path)) return RuleError(index, *e);
  if (path == "messages") {
    rule.path = PathKind::kMessages;
  } else if (path == "media") {
    rule.path = PathKind::kMedia;
  } else if (path == "templates") {
    rule.path = PathKind::kTemplates;
  } else if (path == "media_info") {
    rule.path = PathKind::kMediaInfo;
  } else if (path == "media_download") {
    rule.path = PathKind::kMediaDownload;
  } else if (path != "any") {
    return RuleError(index,
                     "path must be \"messages\", \"media\", \"templates\", \"media_info\", "
                     "\"media_download\" or \"any\"");
  }
  if (j.contains("match_template")) {
    std::string name;
    if (auto e = string_field("match_template", name)) return RuleError(index, *e);
    rule.match_template = std::move(name);
  }
  if (j.contains("match_to")) {
    std::string to;
    if (auto e = string_field("match_to", to)) return RuleError(index, *e);
    rule.match_to = DigitsOf(to);
  }
  if (j.contains("rate")) {
    if (!j["rate"].is_number()) return RuleError(index, "rate must be a number");
    rule.rate = j["rate"].get<double>();
    if (!(rule.rate >= 0.0 && rule.rate <= 1.0)) {
      return RuleError(index, "rate must be between 0.0 and 1.0");
    }
  }
  if (j.contains("count")) {
    std::int64_t count = 0;
    if (auto e = int_field("count", 0, INT64_MAX, count)) return RuleError(index, *e);
    rule.count = static_cast<std::uint64_t>(count);
  }
  if (j.contains("skip")) {
    std::int64_t skip = 0;
    if (auto e = int_field("skip", 0, INT64_MAX, skip)) return RuleError(index, *e);
    rule.skip = static_cast<std::uint64_t>(skip);
  }

  std::string action;
  if (!j.contains("action")) return RuleError(index, "action is required");
  if (auto e = string_field("action", action)) return RuleError(index, *e);
  if (action == "error") {
    rule.action = FaultAction::kError;
  } else if (action == "http") {
    rule.action = FaultAction::kHttp;
  } else if (action == "throttle") {
    rule.action = FaultAction::kThrottle;
  } else if (action == "slow") {
    rule.action = FaultAction::kSlow;
  } else if (action == "drop") {
    rule.action = FaultAction::kDrop;
  } else if (action == "status_failed") {
    rule.action = FaultAction::kStatusFailed;
  } else {
    return RuleError(index,
                     "action must be one of \"error\", \"http\", \"throttle\", \"slow\", "
                     "\"drop\", \"status_failed\"");
  }
  if (rule.action == FaultAction::kStatusFailed) {
    // Only a send has statuses.
    if (rule.path && *rule.path != PathKind::kMessages) {
      return RuleError(index, "a \"status_failed\" rule applies to path \"messages\" only");
    }
    rule.path = PathKind::kMessages;
  }

  std::int64_t code = rule.action == FaultAction::kThrottle       ? kThrottleCode
                      : rule.action == FaultAction::kStatusFailed ? kUndeliverableCode
                                                                  : -1;
  if (auto e = int_field("code", 0, INT32_MAX, code)) return RuleError(index, *e);
  if (rule.action == FaultAction::kError && code < 0) {
    return RuleError(index, "an \"error\" rule needs a Meta error code (e.g. \"code\": 131000)");
  }
  rule.code = static_cast<int>(code < 0 ? 0 : code);
  std::int64_t status = 0;
  if (auto e = int_field("http_status", 100, 599, status)) return RuleError(index, *e);
  rule.http_status = static_cast<unsigned>(status);
  if (rule.http_status == 0) {
    if (rule.action == FaultAction::kError) rule.http_status = DefaultHttpStatus(rule.code);
    if (rule.action == FaultAction::kThrottle) rule.http_status = kThrottleStatus;
    if (rule.action == FaultAction::kHttp) rule.http_status = kDefaultHttpFaultStatus;
  }
  if (auto e = string_field("message", rule.message)) return RuleError(index, *e);
  if (j.contains("title") && rule.action != FaultAction::kStatusFailed) {
    return RuleError(index, "title applies to \"status_failed\" rules only (use message)");
  }
  if (auto e = string_field("title", rule.title)) return RuleError(index, *e);
  if (auto e = string_field("details", rule.details)) return RuleError(index, *e);
  if (auto e = string_field("body", rule.body)) return RuleError(index, *e);
  std::int64_t retry_after = rule.retry_after_s;
  if (auto e = int_field("retry_after_s", -1, 86'400, retry_after)) return RuleError(index, *e);
  rule.retry_after_s = static_cast<int>(retry_after);
  rule.delay_ms = rule.action == FaultAction::kSlow ? kDefaultSlowDelayMs : 0;
  if (auto e = int_field("delay_ms", 0, kMaxDelayMs, rule.delay_ms)) return RuleError(index, *e);
  if (j.contains("accept")) {
    if (!j["accept"].is_boolean()) return RuleError(index, "accept must be true or false");
    rule.accept = j["accept"].get<bool>();
    if (rule.accept &&
        (rule.action == FaultAction::kError || rule.action == FaultAction::kThrottle)) {
      return RuleError(index, "accept applies to \"drop\", \"http\" and \"slow\" rules only");
    }
  }
  // A slow answer is a success; a status_failed send is accepted, then fails.
  if (rule.action == FaultAction::kSlow || rule.action == FaultAction::kStatusFailed) {
    rule.accept = true;
  }
  if (j.contains("body_parts")) {
    if (rule.action != FaultAction::kHttp) {
      return RuleError(index, "body_parts applies to \"http\" rules only");
    }
    if (!rule.body.empty()) return RuleError(index, "give body or body_parts, not both");
    auto parts = ParseBodyParts(j["body_parts"]);
    if (!parts) return RuleError(index, parts.error());
    rule.body_parts = std::move(*parts);
  }
  if (j.contains("content_type")) {
    if (rule.action != FaultAction::kHttp) {
      return RuleError(index, "content_type applies to \"http\" rules only");
    }
    if (auto e = string_field("content_type", rule.content_type)) return RuleError(index, *e);
    if (!IsHeaderValue(rule.content_type)) {
      return RuleError(index, "content_type must be 1 to 200 printable ASCII characters");
    }
  }
  return rule;
}

}  // namespace

std::string_view PathKindName(PathKind kind) {
  switch (kind) {
    case PathKind::kMessages:
      return "messages";
    case PathKind::kMedia:
      return "media";
    case PathKind::kTemplates:
      return "templates";
    case PathKind::kMediaInfo:
      return "media_info";
    case PathKind::kMediaDownload:
      return "media_download";
    case PathKind::kOther:
      return "other";
  }
  return "other";
}

std::string_view FaultActionName(FaultAction action) {
  switch (action) {
    case FaultAction::kError:
      return "error";
    case FaultAction::kHttp:
      return "http";
    case FaultAction::kThrottle:
      return "throttle";
    case FaultAction::kSlow:
      return "slow";
    case FaultAction::kDrop:
      return "drop";
    case FaultAction::kStatusFailed:
      return "status_failed";
  }
  return "error";
}

tl::expected<std::vector<FaultRule>, std::string> ParseFaultRules(const nlohmann::json& body) {
  if (!body.is_object() || !body.contains("rules") || !body["rules"].is_array()) {
    return tl::make_unexpected("the body must be {\"rules\": [...]}");
  }
  std::vector<FaultRule> rules;
  for (std::size_t i = 0; i < body["rules"].size(); ++i) {
    auto rule = ParseRule(body["rules"][i], i);
    if (!rule) return tl::make_unexpected(rule.error());
    rules.push_back(std::move(*rule));
  }
  return rules;
}

nlohmann::ordered_json FaultRuleToJson(const FaultRule& rule) {
  nlohmann::ordered_json j;
  j["path"] = rule.path ? PathKindName(*rule.path) : "any";
  if (rule.match_template) j["match_template"] = *rule.match_template;
  if (rule.match_to) j["match_to"] = *rule.match_to;
  j["rate"] = rule.rate;
  if (rule.count) j["count"] = *rule.count;
  if (rule.skip > 0) j["skip"] = rule.skip;
  j["action"] = FaultActionName(rule.action);
  if (rule.action == FaultAction::kError || rule.action == FaultAction::kThrottle ||
      rule.action == FaultAction::kStatusFailed) {
    j["code"] = rule.code;
  }
  if (rule.http_status != 0) j["http_status"] = rule.http_status;
  if (!rule.message.empty()) j["message"] = rule.message;
  if (!rule.title.empty()) j["title"] = rule.title;
  if (!rule.details.empty()) j["details"] = rule.details;
  if (rule.action == FaultAction::kThrottle) j["retry_after_s"] = rule.retry_after_s;
  j["delay_ms"] = rule.delay_ms;
  if (!rule.body.empty()) j["body"] = rule.body;
  if (rule.body_parts) {
    nlohmann::ordered_json parts = nlohmann::ordered_json::array();
    for (const auto& part : *rule.body_parts) {
      parts.push_back({{"text", part.text}, {"repeat", part.repeat}});
    }
    j["body_parts"] = std::move(parts);
  }
  if (!rule.content_type.empty()) j["content_type"] = rule.content_type;
  j["accept"] = rule.accept;
  return j;
}

FaultEngine::FaultEngine(std::uint64_t seed) : seed_(seed), rng_(seed) {}

void FaultEngine::Replace(std::vector<FaultRule> rules) {
  rules_.clear();
  for (auto& rule : rules) rules_.push_back(Entry{std::move(rule), 0});
  rng_.seed(seed_);
}

std::optional<FaultDecision> FaultEngine::Pick(const FaultSubject& subject) {
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    auto& entry = rules_[i];
    const auto& rule = entry.rule;
    // "any" is sends and uploads only (see FaultRule::path).
    if (rule.path ? *rule.path != subject.kind
                  : subject.kind != PathKind::kMessages && subject.kind != PathKind::kMedia) {
      continue;
    }
    if (rule.match_template &&
        (subject.kind != PathKind::kMessages || *rule.match_template != subject.template_name)) {
      continue;
    }
    if (rule.match_to &&
        (subject.kind != PathKind::kMessages || *rule.match_to != subject.to_digits)) {
      continue;
    }
    if (entry.skipped < rule.skip) {
      ++entry.skipped;
      continue;
    }
    if (rule.count && entry.applied >= *rule.count) continue;
    // Draw only for a real probability, so rules of rate 0 or 1 leave the sequence untouched.
    if (rule.rate <= 0.0) continue;
    if (rule.rate < 1.0) {
      std::uniform_real_distribution<double> draw(0.0, 1.0);
      if (draw(rng_) >= rule.rate) continue;
    }
    ++entry.applied;
    return FaultDecision{rule, i};
  }
  return std::nullopt;
}

nlohmann::ordered_json FaultEngine::ToJson() const {
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (const auto& entry : rules_) {
    auto j = FaultRuleToJson(entry.rule);
    j["applied"] = entry.applied;
    if (entry.rule.skip > 0) j["skipped"] = entry.skipped;
    rules.push_back(std::move(j));
  }
  return {{"seed", seed_}, {"rules", std::move(rules)}};
}

http::HttpResponse FaultResponse(const FaultRule& rule, std::string_view fbtrace_id,
                                 http::HttpResponse normal) {
  switch (rule.action) {
    case FaultAction::kError:
      return MetaError(rule.code, rule.http_status, rule.message,
                       rule.details.empty() ? "injected by fake-graph" : rule.details, fbtrace_id);
    case FaultAction::kThrottle: {
      auto response = MetaError(rule.code, rule.http_status, rule.message,
                                rule.details.empty()
                                    ? "Message failed to send because there were too many messages "
                                      "sent from this phone number in a short period of time"
                                    : rule.details,
                                fbtrace_id);
      if (rule.retry_after_s >= 0) {
        response.headers.emplace_back("Retry-After", std::to_string(rule.retry_after_s));
      }
      return response;
    }
    case FaultAction::kHttp: {
      http::HttpResponse response;
      response.status = rule.http_status;
      if (rule.body_parts) {
        response.content_type = "text/plain";
        for (const auto& part : *rule.body_parts) {
          response.body.reserve(response.body.size() + part.text.size() * part.repeat);
          for (std::uint64_t i = 0; i < part.repeat; ++i) response.body += part.text;
        }
      } else if (rule.body.empty()) {
        // What a load balancer in front of the Graph API answers: HTML, not Meta's JSON.
        const std::string title =
            std::to_string(rule.http_status) + " " + std::string(ReasonPhrase(rule.http_status));
        response.content_type = "text/html";
        response.body = "<html><head><title>" + title + "</title></head><body><h1>" + title +
                        "</h1></body></html>\n";
      } else {
        response.content_type = "text/plain";
        response.body = rule.body;
      }
      if (!rule.content_type.empty()) response.content_type = rule.content_type;
      return response;
    }
    case FaultAction::kDrop: {
      http::HttpResponse response;
      response.drop_connection = true;
      return response;
    }
    case FaultAction::kSlow:
    case FaultAction::kStatusFailed:
      return normal;
  }
  return normal;
}

}  // namespace socialgate::fake_graph
