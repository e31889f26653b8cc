#include "api/sandbox_endpoints.hpp"

#include <utility>

#include "api/envelope.hpp"
#include "api/send_pipeline.hpp"
#include "api/text_codec.hpp"
#include "core/validate.hpp"
#include "util/ids.hpp"
#include "webhooks/inbound_notification.hpp"

namespace socialgate::api {
namespace {

// The body is a free-text send's: a few hundred bytes, at most 4,096 characters of text.
constexpr std::size_t kMaxBodyBytes = 64 * 1024;
// The intake's source of the sandbox's own events (providers/sandbox/sandbox_provider.hpp).
constexpr std::string_view kSandboxSource = "sandbox";

}  // namespace

std::vector<Endpoint> SandboxEndpoints::Endpoints() {
  std::vector<Endpoint> out;
  if (deps_.webhook_intake == nullptr) return out;
  out.push_back(Endpoint{"POST", "/livechat/{domain?}/sandbox/inboundMessage", Access::kUser,
                         kMaxBodyBytes, "Content-Type: must be application/json",
                         [this](Call call, http::HttpRequest&& request, http::Responder respond) {
                           PostInbound(call, std::move(request), respond);
                         }});
  return out;
}

void SandboxEndpoints::PostInbound(const Call& call, http::HttpRequest&& request,
                                   const http::Responder& respond) {
  auto decoded = DecodeTextRequest(std::move(request.body));
  if (!decoded) return respond(ErrorResponse(decoded.error()));
  core::ValidationContext rules;
  rules.languages = deps_.languages;
  auto message = core::ValidateTextRequest(std::move(*decoded), rules);
  if (!message) return respond(ErrorResponse(message.error()));
  const config::Domain& domain = *call.domain;
  if (auto refused = SendPipeline::Validate(deps_.config->Current(), domain, *message)) {
    return respond(std::move(*refused));
  }
  if (auto refused = SendPipeline::Authorize(*call.principal, *message)) {
    return respond(std::move(*refused));
  }
  const config::BusinessNumber* number = domain.FindNumber(message->service_phone);
  if (number == nullptr || number->provider != config::ProviderKind::kSandbox) {
    return respond(http::JsonError(
        422, "servicePhoneNumber: " + message->service_phone +
                 " is not a sandbox number: only a sandbox number's customers are simulated"));
  }
  webhooks::InboundNotice notice;
  notice.waba_id = "sandbox";
  notice.phone_number_id = message->service_phone;
  notice.display_phone_number = message->service_phone;
  notice.message_id = "sandbox.in." + util::NewMessageId();
  notice.from = message->customer_phone;
  notice.at_unix_seconds = util::NowUnixMillis() / 1000;
  notice.text = std::get<core::TextContent>(message->content).text;
  // Answered once applied: the window is open and the chat joined when the caller hears back.
  // (An application the store refused is made later by a recovery: answered 202 all the same.)
  deps_.webhook_intake->ReceiveAndApply(
      std::string(kSandboxSource), webhooks::BuildInboundNotification(notice),
      [respond](core::Result<void> stored) {
        if (!stored) respond(ErrorResponse(stored.error()));
      },
      [respond, id = notice.message_id](bool /*applied*/) {
        nlohmann::ordered_json body = {{"result", true}, {"error", nullptr}, {"messageId", id}};
        respond(JsonAnswer(202, body));
      });
}

}  // namespace socialgate::api
