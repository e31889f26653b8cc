#include "api/envelope.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace socialgate::api {
namespace {

using core::ErrorCode;

TEST(EnvelopeTest, EveryCodeHasItsStatus) {
  EXPECT_EQ(HttpStatusFor(ErrorCode::kMalformed), 400u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnauthenticated), 401u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kPermissionDenied), 403u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kMethodNotAllowed), 405u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kPayloadTooLarge), 413u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnsupportedMediaType), 415u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInvalidArgument), 422u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kProviderRejected), 422u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kResourceExhausted), 429u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnavailable), 503u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInternal), 500u);
}

TEST(EnvelopeTest, ErrorResponseIsTheCtliveEnvelope) {
  const auto r = ErrorResponse(core::Error{ErrorCode::kInvalidArgument, "bodyData[1]: bad", "x"});
  EXPECT_EQ(r.status, 422u);
  EXPECT_EQ(r.content_type, "application/json");
  const auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j.at("result"), false);
  EXPECT_EQ(j.at("error"), "bodyData[1]: bad");
  EXPECT_EQ(r.body.find("\"x\""), std::string::npos);  // detail is never returned
}

TEST(EnvelopeTest, InvalidUtf8InAMessageDoesNotThrow) {
  const auto r = http::JsonError(400, "bad \xff byte");
  const auto j = nlohmann::json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.body;
  EXPECT_EQ(j.at("result"), false);
}

}  // namespace
}  // namespace socialgate::api
