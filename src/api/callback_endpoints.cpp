#include "api/callback_endpoints.hpp"

#include <charconv>
#include <optional>

#include "api/envelope.hpp"
#include "api/query.hpp"
#include "core/text.hpp"
#include "util/ids.hpp"

namespace socialgate::api {
namespace {

constexpr int kMaxLimit = 1000;

tl::unexpected<core::Error> CallbackRefusal(std::string message) {
  return core::MakeError(core::ErrorCode::kMalformed, std::move(message));
}

// A positive decimal integer of at most 18 digits.
std::optional<std::int64_t> Positive(std::string_view text) {
  std::int64_t value = 0;
  if (text.empty() || text.size() > 18) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

core::Result<store::CallbackQuery> ParseQuery(std::string_view query) {
  store::CallbackQuery q;
  bool seen_status = false, seen_limit = false, seen_cursor = false;
  for (const auto& [name, value] : QueryParameters(query)) {
    bool* seen = name == "status"   ? &seen_status
                 : name == "limit"  ? &seen_limit
                 : name == "cursor" ? &seen_cursor
                                    : nullptr;
    if (seen == nullptr) {
      return CallbackRefusal("query: unknown parameter " + core::QuoteForMessage(name) +
                             "; the parameters are status, limit, cursor");
    }
    if (*seen) return CallbackRefusal(name + ": must be given once");
    *seen = true;
    if (name == "status") {
      if (value != "pending" && value != "delivered" && value != "failed") {
        return CallbackRefusal("status: must be pending, delivered or failed, got " +
                               core::QuoteForMessage(value));
      }
      q.state = value;
    } else if (name == "limit") {
      const auto limit = Positive(value);
      if (!limit || *limit > kMaxLimit) {
        return CallbackRefusal("limit: must be an integer from 1 to " + std::to_string(kMaxLimit) +
                               ", got " + core::QuoteForMessage(value));
      }
      q.limit = static_cast<int>(*limit);
    } else {
      const auto seq = Positive(value);
      if (!seq)
        return CallbackRefusal("cursor: is not a cursor this list gave, got " +
                               core::QuoteForMessage(value));
      q.before_seq = *seq;
    }
  }
  return q;
}

}  // namespace

std::vector<Endpoint> CallbackEndpoints::Endpoints() {
  std::vector<Endpoint> out;
  if (deps_.callbacks == nullptr) return out;
  out.push_back(Endpoint{"GET", "/livechat/{domain}/callbacks", Access::kUser, 0, std::nullopt,
                         [this](Call call, http::HttpRequest&& request, http::Responder respond) {
                           OnWorker(deps_, std::move(respond),
                                    [this, call = std::move(call),
                                     query = std::move(request.query)](const http::Responder& r) {
                                      List(*call.domain, *call.principal, query, r);
                                    });
                         }});
  return out;
}

void CallbackEndpoints::List(const config::Domain& domain, const auth::Principal& principal,
                             const std::string& query, const http::Responder& respond) {
  if (!principal.numbers.empty()) {
    return respond(http::JsonError(
        403, "user " + core::QuoteForMessage(principal.user) +
                 " may send from some numbers only, and callbacks are the whole domain's"));
  }
  auto q = ParseQuery(query);
  if (!q) return respond(ErrorResponse(q.error()));
  q->domain = domain.name;
  const int limit = q->limit;
  q->limit = limit + 1;  // one more: whether there is a next page
  auto listed = deps_.callbacks->ListCallbacks(*q);
  if (!listed) return respond(ErrorResponse(listed.error()));
  using Json = nlohmann::ordered_json;
  Json callbacks = Json::array();
  Json next = nullptr;
  for (std::size_t i = 0; i < listed->size(); ++i) {
    const store::CallbackRecord& c = (*listed)[i];
    if (static_cast<int>(i) == limit) {
      next = std::to_string((*listed)[i - 1].seq);
      break;
    }
    callbacks.push_back(
        {{"id", c.id},
         {"messageId", c.message_id},
         {"type", c.received ? "message.received" : "message.status.updated"},
         {"status", c.received ? Json(nullptr) : Json(core::MessageStatusName(c.status))},
         {"at", util::FormatUtcMillis(c.at_ms)},
         {"state", c.state},
         {"attempts", c.attempts},
         {"lastError", c.last_error.empty() ? Json(nullptr) : Json(c.last_error)},
         {"createdAt", util::FormatUtcMillis(c.created_at_ms)},
         {"finishedAt",
          c.finished_at_ms > 0 ? Json(util::FormatUtcMillis(c.finished_at_ms)) : Json(nullptr)}});
  }
  Json body = {{"result", true}, {"error", nullptr}};
  body["callbacks"] = std::move(callbacks);
  body["next"] = std::move(next);
  respond(JsonAnswer(200, body));
}

}  // namespace socialgate::api
