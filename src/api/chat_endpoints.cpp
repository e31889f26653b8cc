#include "api/chat_endpoints.hpp"

#include <array>
#include <memory>
#include <utility>

#include "api/envelope.hpp"
#include "api/json_body.hpp"
#include "core/text.hpp"
#include "core/validate.hpp"
#include "util/ids.hpp"

namespace socialgate::api {
namespace {

constexpr std::size_t kMaxBodyBytes = 16 * 1024;

tl::unexpected<core::Error> Invalid(std::string message) {
  return core::MakeError(core::ErrorCode::kInvalidArgument, std::move(message));
}

// The body's chatID and reason, checked.
core::Result<store::ChatEnd> DecodeEnd(std::string body) {
  store::ChatEnd end;
  const std::array<StringField, 2> fields{{{"chatID", &end.chat_id}, {"reason", &end.reason}}};
  SG_RETURN_IF_ERROR(DecodeStringFields(std::move(body), fields));
  SG_RETURN_IF_ERROR(core::ValidateChatId("chatID", end.chat_id));
  if (end.reason.size() > store::kMaxChatEndReasonBytes) {
    return Invalid("reason: is " + std::to_string(end.reason.size()) + " bytes long; at most " +
                   std::to_string(store::kMaxChatEndReasonBytes));
  }
  return end;
}

}  // namespace

std::vector<Endpoint> ChatEndpoints::Endpoints() {
  std::vector<Endpoint> out;
  if (deps_.conversations == nullptr) return out;
  out.push_back(Endpoint{"POST", "/livechat/{domain?}/endContactByChatID", Access::kUser,
                         kMaxBodyBytes, "Content-Type: must be application/json",
                         [this](Call call, http::HttpRequest&& request, http::Responder respond) {
                           auto body = std::make_shared<std::string>(std::move(request.body));
                           OnWorker(deps_, std::move(respond),
                                    [this, call = std::move(call), body](const http::Responder& r) {
                                      EndContact(*call.domain, *call.principal, std::move(*body),
                                                 r);
                                    });
                         }});
  return out;
}

void ChatEndpoints::EndContact(const config::Domain& domain, const auth::Principal& principal,
                               std::string body, const http::Responder& respond) {
  auto end = DecodeEnd(std::move(body));
  if (!end) return respond(ErrorResponse(end.error()));
  end->domain = domain.name;
  end->now_ms = util::NowUnixMillis();
  const std::string quoted = core::QuoteForMessage(end->chat_id, 80);
  auto chat = deps_.conversations->FindChat(domain.name, end->chat_id, end->now_ms);
  if (!chat) return respond(ErrorResponse(chat.error()));
  if (!*chat)
    return respond(http::JsonError(404, "chatID: there is no chat " + quoted + " in this domain"));
  if (!principal.MaySendFrom((*chat)->service_phone)) {
    return respond(http::JsonError(403, "chatID: user " + core::QuoteForMessage(principal.user) +
                                            " may not send from " + (*chat)->service_phone +
                                            ", the business number of chat " + quoted));
  }
  auto ended = deps_.conversations->EndChat(*end);
  if (!ended) return respond(ErrorResponse(ended.error()));
  if (*ended != store::ChatEndOutcome::kEnded) {
    // Ended meanwhile (by another request, or by idleness): as it is now.
    auto now = deps_.conversations->FindChat(domain.name, end->chat_id, util::NowUnixMillis());
    std::string when;
    if (now && *now) {
      when = " at " + util::FormatUtcMillis((*now)->ended_at_ms) + " (" +
             ((*now)->end_reason.empty() ? std::string("no reason given")
                                         : core::QuoteForMessage((*now)->end_reason, 80)) +
             ")";
    }
    return respond(http::JsonError(409, "chatID: chat " + quoted + " had already ended" + when +
                                            "; a new message to the customer opens a new chat"));
  }
  nlohmann::ordered_json answer = {{"result", true},
                                   {"error", nullptr},
                                   {"chatId", end->chat_id},
                                   {"endedAt", util::FormatUtcMillis(end->now_ms)},
                                   {"reason", end->reason}};
  respond(JsonAnswer(200, answer));
}

}  // namespace socialgate::api
