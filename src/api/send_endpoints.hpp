// File: api/send_endpoints.hpp
//
// POST /livechat/{domain?}/sendExternalTemplateMessageToCtlivesocial: a template message, by a
// user of the domain, JSON body up to server.max_body_bytes (media headers are base64 in it).
// Its own part is the decoder (api/template_codec.hpp, then core::ValidateTemplateRequest);
// everything else is the SendPipeline's, which the text and media endpoints will share.
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

 private:
  ApiDependencies deps_;
  SendPipeline pipeline_;
  const SendPipeline::Decoder template_decoder_ = &SendEndpoints::DecodeTemplate;
};

}  // namespace socialgate::api
