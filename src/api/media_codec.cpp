#include "api/media_codec.hpp"

#include <array>
#include <utility>

#include "api/json_body.hpp"

namespace socialgate::api {

core::Result<core::MediaRequest> DecodeMediaRequest(std::string body) {
  core::MediaRequest request;
  // In the contract's order: a body missing several reports the first.
  const std::array<StringField, 5> fields{{{"customerPhoneNumber", &request.customer_phone_number},
                                           {"servicePhoneNumber", &request.service_phone_number},
                                           {"document", &request.document},
                                           {"messageType", &request.message_type},
                                           {"fileName", &request.file_name}}};
  SG_RETURN_IF_ERROR(DecodeStringFields(std::move(body), fields));
  return request;
}

}  // namespace socialgate::api
