#include "api/chat_text_codec.hpp"

#include <array>
#include <utility>

#include "api/json_body.hpp"

namespace socialgate::api {

core::Result<core::ChatTextRequest> DecodeChatTextRequest(std::string body) {
  core::ChatTextRequest request;
  // In the contract's order: a body missing several reports the first.
  const std::array<StringField, 4> fields{{{"userid", &request.userid},
                                           {"serviceid", &request.serviceid},
                                           {"text", &request.text},
                                           {"chatid", &request.chatid}}};
  SG_RETURN_IF_ERROR(DecodeStringFields(std::move(body), fields));
  return request;
}

}  // namespace socialgate::api
