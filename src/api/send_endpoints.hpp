// File: api/send_endpoints.hpp
//
// The send endpoints, each a message of one kind by a user of the domain, JSON body up to
// server.max_body_bytes (media are base64 in it), all also without {domain} ("default"):
//   POST /livechat/{domain?}/sendExternalTemplateMessageToCtlivesocial      a template
//   POST /livechat/{domain?}/sendExternalMessageToCtlivesocial              a free text
//   POST /livechat/{domain?}/sendExternalMultimediaMessageToCtlivesocial    an image or document
//   POST /livechat/{domain?}/sendExternalTextMessageToActiveChat             a text into a chat
// Each one's own part is its decoder (its codec, api/<kind>_codec.hpp, then its validator,
// core/validate.hpp); everything else (idempotency, the business number, the user's rights,
// durability, rate limits, the ack and its answer) is the SendPipeline's, the same for all.
#pragma once

#include <vector>

#include "api/endpoint.hpp"
#include "api/send_pipeline.hpp"

namespace socialgate::api {

class SendEndpoints {
 public:
  explicit SendEndpoints(const ApiDependencies& deps) : deps_(deps), pipeline_(deps) {}

  // Handlers hold `this`: it must outlive the routes.
  std::vector<Endpoint> Endpoints();

  // The template message's decoder: DecodeTemplateRequest, then its rules.
  static core::Result<core::OutboundMessage> DecodeTemplate(std::string body,
                                                            const core::ValidationContext& rules);
  // The free text's decoder: DecodeTextRequest, then ValidateTextRequest.
  static core::Result<core::OutboundMessage> DecodeText(std::string body,
                                                        const core::ValidationContext& rules);
  // The chat text's decoder: DecodeChatTextRequest, then ValidateChatTextRequest.
  static core::Result<core::OutboundMessage> DecodeChatText(std::string body,
                                                            const core::ValidationContext& rules);
  // The media message's decoder: DecodeMediaRequest, then ValidateMediaRequest.
  static core::Result<core::OutboundMessage> DecodeMedia(std::string body,
                                                         const core::ValidationContext& rules);

 private:
  // The row of one send endpoint: `path` under /livechat/{domain?}/, of `kind`.
  Endpoint SendRoute(const char* path, const SendPipeline::Kind* kind);

  ApiDependencies deps_;
  SendPipeline pipeline_;
  const SendPipeline::Kind template_kind_{&SendEndpoints::DecodeTemplate, false, {}};
  const SendPipeline::Kind text_kind_{&SendEndpoints::DecodeText, true, {}};
  const SendPipeline::Kind media_kind_{&SendEndpoints::DecodeMedia, true, {}};
  const SendPipeline::Kind chat_text_kind_{
      &SendEndpoints::DecodeChatText, true, {"userid", "serviceid"}};
};

}  // namespace socialgate::api
