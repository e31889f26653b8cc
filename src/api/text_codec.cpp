#include "api/text_codec.hpp"

#include <array>
#include <utility>

#include "api/json_body.hpp"

namespace socialgate::api {

core::Result<core::TextRequest> DecodeTextRequest(std::string body) {
  core::TextRequest request;
  // In the contract's order: a body missing several reports the first.
  const std::array<StringField, 3> fields{{{"customerPhoneNumber", &request.customer_phone_number},
                                           {"servicePhoneNumber", &request.service_phone_number},
                                           {"text", &request.text}}};
  SG_RETURN_IF_ERROR(DecodeStringFields(std::move(body), fields));
  return request;
}

}  // namespace socialgate::api
