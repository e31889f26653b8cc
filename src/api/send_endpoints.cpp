#include "api/send_endpoints.hpp"

#include <string>

#include "api/chat_text_codec.hpp"
#include "api/media_codec.hpp"
#include "api/template_codec.hpp"
#include "api/text_codec.hpp"

namespace socialgate::api {

std::vector<Endpoint> SendEndpoints::Endpoints() {
  std::vector<Endpoint> out;
  out.push_back(SendRoute("sendExternalTemplateMessageToCtlivesocial", &template_kind_));
  out.push_back(SendRoute("sendExternalMessageToCtlivesocial", &text_kind_));
  out.push_back(SendRoute("sendExternalMultimediaMessageToCtlivesocial", &media_kind_));
  out.push_back(SendRoute("sendExternalTextMessageToActiveChat", &chat_text_kind_));
  return out;
}

Endpoint SendEndpoints::SendRoute(const char* path, const SendPipeline::Kind* kind) {
  return Endpoint{"POST",
                  std::string("/livechat/{domain?}/") + path,
                  Access::kUser,
                  deps_.config->Current().server.max_body_bytes,
                  "Content-Type: must be application/json",
                  [this, kind](Call call, http::HttpRequest&& request, http::Responder respond) {
                    pipeline_.Send(*kind, *call.domain, *call.principal, std::move(request),
                                   std::move(respond));
                  }};
}

core::Result<core::OutboundMessage> SendEndpoints::DecodeTemplate(
    std::string body, const core::ValidationContext& rules) {
  SG_ASSIGN_OR_RETURN(auto decoded, DecodeTemplateRequest(std::move(body)));
  return core::ValidateTemplateRequest(std::move(decoded), rules);
}

core::Result<core::OutboundMessage> SendEndpoints::DecodeChatText(
    std::string body, const core::ValidationContext& rules) {
  SG_ASSIGN_OR_RETURN(auto decoded, DecodeChatTextRequest(std::move(body)));
  return core::ValidateChatTextRequest(std::move(decoded), rules);
}

core::Result<core::OutboundMessage> SendEndpoints::DecodeText(
    std::string body, const core::ValidationContext& rules) {
  SG_ASSIGN_OR_RETURN(auto decoded, DecodeTextRequest(std::move(body)));
  return core::ValidateTextRequest(std::move(decoded), rules);
}

core::Result<core::OutboundMessage> SendEndpoints::DecodeMedia(
    std::string body, const core::ValidationContext& rules) {
  SG_ASSIGN_OR_RETURN(auto decoded, DecodeMediaRequest(std::move(body)));
  return core::ValidateMediaRequest(decoded, rules);
}

}  // namespace socialgate::api
