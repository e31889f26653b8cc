#include "api/send_endpoints.hpp"

#include "api/template_codec.hpp"

namespace socialgate::api {

std::vector<Endpoint> SendEndpoints::Endpoints() {
  std::vector<Endpoint> out;
  out.push_back(Endpoint{"POST", "/livechat/{domain?}/sendExternalTemplateMessageToCtlivesocial",
                         Access::kUser, deps_.config->server.max_body_bytes,
                         "Content-Type: must be application/json",
                         [this](Call call, http::HttpRequest&& request, http::Responder respond) {
                           pipeline_.Send(template_decoder_, *call.domain, *call.principal,
                                          std::move(request), std::move(respond));
                         }});
  return out;
}

core::Result<core::OutboundMessage> SendEndpoints::DecodeTemplate(
    std::string body, const core::ValidationContext& rules) {
  SG_ASSIGN_OR_RETURN(auto decoded, DecodeTemplateRequest(std::move(body)));
  return core::ValidateTemplateRequest(std::move(decoded), rules);
}

}  // namespace socialgate::api
