#include "api/envelope.hpp"

namespace socialgate::api {

unsigned HttpStatusFor(core::ErrorCode code) {
  using core::ErrorCode;
  switch (code) {
    case ErrorCode::kMalformed:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kMethodNotAllowed:
      return 405;
    case ErrorCode::kAlreadyExists:
      return 409;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kUnsupportedMediaType:
      return 415;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kProviderRejected:
      return 422;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kDeadlineExceeded:
      return 504;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

http::HttpResponse JsonAnswer(unsigned status, const nlohmann::ordered_json& body) {
  return JsonAnswer(status,
                    body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

http::HttpResponse JsonAnswer(unsigned status, std::string body) {
  http::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

http::HttpResponse ErrorResponse(const core::Error& error) {
  return http::JsonError(HttpStatusFor(error.code), error.message);
}

}  // namespace socialgate::api
