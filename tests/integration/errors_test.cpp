// Every class of bad request, against the real binary: each gets its HTTP status and a
// `{"result": false, "error": "..."}` answer whose sentence names the field at fault.
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/sample_media.hpp"
#include "gateway_process.hpp"
#include "http_client.hpp"

namespace socialgate::testing {
namespace {

using core::testing::Base64;
using core::testing::TinyJpeg;
using core::testing::TinyPdf;

const Credentials kDemo{"demo", std::string(kTestPassword)};
const Credentials kOther{"other", std::string(kTestPassword)};
constexpr std::string_view kDefaultNumber = "3902124122690";
constexpr std::string_view kOtherNumber = "3902124122691";

// One gateway per test suite (the three suites below share the fixture code): none of the
// tests stores anything another one reads.
class ErrorsTestBase {
 protected:
  static void StartGateway() {
    if (!gateway_) {
      gateway_ = std::make_unique<GatewayProcess>(TestConfig({
          {.name = "default", .user = "demo", .number = std::string(kDefaultNumber)},
          {.name = "other", .user = "other", .number = std::string(kOtherNumber)},
      }));
      ASSERT_TRUE(gateway_->Start());
    }
  }
  static void StopGateway() { gateway_.reset(); }
  static std::string Base() { return gateway_ ? gateway_->base_url() : std::string(); }

  HttpResponse Post(const nlohmann::json& body, std::string_view domain = "default",
                    const Credentials& credentials = kDemo) {
    return client_.PostJson(SendUrl(Base(), domain), body.dump(), credentials);
  }

  static inline std::unique_ptr<GatewayProcess> gateway_;
  HttpClient client_;
};

class ErrorsTest : public ErrorsTestBase, public ::testing::Test {
 protected:
  static void SetUpTestSuite() { StartGateway(); }
  static void TearDownTestSuite() { StopGateway(); }
  void SetUp() override { ASSERT_TRUE(gateway_ && gateway_->running()); }

  HttpResponse PostRaw(std::string body, std::vector<std::pair<std::string, std::string>> headers,
                       std::optional<Credentials> credentials = kDemo) {
    HttpRequest request;
    request.method = "POST";
    request.url = SendUrl(Base(), "default");
    request.headers = std::move(headers);
    request.body = std::move(body);
    request.basic = std::move(credentials);
    return client_.Send(request);
  }
};

// ---- 400 / 415: not the JSON the endpoint takes ----------------------------------------------

TEST_F(ErrorsTest, BodyThatIsNotJsonIs400) {
  EXPECT_TRUE(IsError(PostRaw("{\"customerPhoneNumber\": ", {{"Content-Type", "application/json"}}),
                      400, "body"));
}

TEST_F(ErrorsTest, JsonArrayInsteadOfObjectIs400) {
  const std::string array = nlohmann::json::array({SeedRequest()}).dump();
  EXPECT_TRUE(IsError(PostRaw(array, {{"Content-Type", "application/json"}}), 400, "body"));
}

TEST_F(ErrorsTest, TextPlainContentTypeIs415) {
  EXPECT_TRUE(IsError(PostRaw(SeedRequest().dump(), {{"Content-Type", "text/plain"}}), 415,
                      "Content-Type"));
}

TEST_F(ErrorsTest, MissingContentTypeIs415) {
  EXPECT_TRUE(IsError(PostRaw(SeedRequest().dump(), {{"Content-Type", ""}}), 415, "Content-Type"));
}

TEST_F(ErrorsTest, JsonContentTypeWithCharsetIsAccepted) {
  const HttpResponse r =
      PostRaw(SeedRequest().dump(), {{"Content-Type", "Application/JSON; charset=utf-8"}});
  EXPECT_EQ(r.status, 200) << r.Describe();
}

class MissingFieldTest : public ErrorsTestBase, public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() { StartGateway(); }
  static void TearDownTestSuite() { StopGateway(); }
};

TEST_P(MissingFieldTest, Is400NamingTheField) {
  nlohmann::json body = SeedRequest();
  ASSERT_EQ(body.erase(GetParam()), 1u);
  const HttpResponse r = Post(body);
  EXPECT_TRUE(IsError(r, 400, GetParam()));
  EXPECT_NE(r.Json().value("error", "").find("required"), std::string::npos) << r.Describe();
}

INSTANTIATE_TEST_SUITE_P(EveryField, MissingFieldTest,
                         ::testing::Values("customerPhoneNumber", "servicePhoneNumber",
                                           "templateName", "language", "header", "headerData",
                                           "bodyData", "dynamicUrl"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

struct WrongType {
  std::string name;
  std::function<void(nlohmann::json&)> mutate;
  std::string field;  // expected in the error sentence
};

void PrintTo(const WrongType& wrong, std::ostream* os) { *os << wrong.name; }

class WrongTypeTest : public ErrorsTestBase, public ::testing::TestWithParam<WrongType> {
 protected:
  static void SetUpTestSuite() { StartGateway(); }
  static void TearDownTestSuite() { StopGateway(); }
};

TEST_P(WrongTypeTest, Is400NamingTheField) {
  nlohmann::json body = SeedRequest();
  GetParam().mutate(body);
  EXPECT_TRUE(IsError(Post(body), 400, GetParam().field));
}

INSTANTIATE_TEST_SUITE_P(
    Fields, WrongTypeTest,
    ::testing::Values(
        WrongType{"CustomerPhoneNumberAsNumber",
                  [](nlohmann::json& b) { b["customerPhoneNumber"] = 393403603062; },
                  "customerPhoneNumber"},
        WrongType{"BodyDataAsString", [](nlohmann::json& b) { b["bodyData"] = "5"; }, "bodyData"},
        WrongType{"NumberInsideBodyData",
                  [](nlohmann::json& b) {
                    b["bodyData"] = {"5", 6};
                  },
                  "bodyData[1]"},
        WrongType{"HeaderAsString", [](nlohmann::json& b) { b["header"] = "image"; }, "header"},
        WrongType{"HeaderWithoutData",
                  [](nlohmann::json& b) {
                    b["header"] = {
                        {"type", "document"}, {"documentType", "pdf"}, {"fileName", "invoice.pdf"}};
                    b["headerData"] = nlohmann::json::array();
                  },
                  "header.data"},
        WrongType{"TemplateNameAsNull", [](nlohmann::json& b) { b["templateName"] = nullptr; },
                  "templateName"},
        WrongType{"DynamicUrlAsObject",
                  [](nlohmann::json& b) {
                    b["dynamicUrl"] = {{"a", "b"}};
                  },
                  "dynamicUrl"}),
    [](const ::testing::TestParamInfo<WrongType>& param_info) { return param_info.param.name; });

// ---- 422: well-formed, but against a rule ----------------------------------------------------

nlohmann::json WithHeader(std::string type, std::string data, std::string document_type,
                          std::string file_name) {
  nlohmann::json body = SeedRequest();
  body["header"] = {{"type", std::move(type)},
                    {"data", std::move(data)},
                    {"documentType", std::move(document_type)},
                    {"fileName", std::move(file_name)}};
  body["headerData"] = nlohmann::json::array();
  return body;
}

TEST_F(ErrorsTest, BadBase64InHeaderDataIs422) {
  EXPECT_TRUE(IsError(Post(WithHeader("document", "JVBERi0x*!not base64", "pdf", "a.pdf")), 422,
                      "header.data"));
}

TEST_F(ErrorsTest, ImageHeaderHoldingPdfBytesIs422) {
  const HttpResponse r = Post(WithHeader("image", Base64(TinyPdf()), "png", "photo.png"));
  EXPECT_TRUE(IsError(r, 422, "header.data"));
  EXPECT_NE(r.Json().value("error", "").find("application/pdf"), std::string::npos) << r.Describe();
}

TEST_F(ErrorsTest, OversizedImageHeaderIs422) {
  // 5.5 MB whose first bytes are a real JPEG: over WhatsApp's 5 MB image limit.
  std::string bytes = TinyJpeg();
  bytes.resize(5'500'000, '\x5A');
  const HttpResponse r = Post(WithHeader("image", Base64(bytes), "jpg", "photo.jpg"));
  EXPECT_TRUE(IsError(r, 422, "header.data"));
  EXPECT_NE(r.Json().value("error", "").find("limit"), std::string::npos) << r.Describe();
}

TEST_F(ErrorsTest, CustomerPhoneNumberWithLettersIs422) {
  nlohmann::json body = SeedRequest();
  body["customerPhoneNumber"] = "39340abcdefg";
  EXPECT_TRUE(IsError(Post(body), 422, "customerPhoneNumber"));
}

TEST_F(ErrorsTest, CustomerPhoneNumberTooShortIs422) {
  nlohmann::json body = SeedRequest();
  body["customerPhoneNumber"] = "3934";
  EXPECT_TRUE(IsError(Post(body), 422, "customerPhoneNumber"));
}

TEST_F(ErrorsTest, ServicePhoneNumberWithLettersIs422) {
  nlohmann::json body = SeedRequest();
  body["servicePhoneNumber"] = "business";
  EXPECT_TRUE(IsError(Post(body), 422, "servicePhoneNumber"));
}

TEST_F(ErrorsTest, UnknownLanguageIs422) {
  nlohmann::json body = SeedRequest();
  body["language"] = "xx_YY";
  EXPECT_TRUE(IsError(Post(body), 422, "language"));
}

TEST_F(ErrorsTest, TemplateNameWithUpperCaseIs422) {
  nlohmann::json body = SeedRequest();
  body["templateName"] = "Shipping_Confirmation";
  EXPECT_TRUE(IsError(Post(body), 422, "templateName"));
}

TEST_F(ErrorsTest, BodyDataWithNewlineIs422) {
  nlohmann::json body = SeedRequest();
  body["bodyData"] = {"five\nsix"};
  EXPECT_TRUE(IsError(Post(body), 422, "bodyData[0]"));
}

TEST_F(ErrorsTest, UnknownBusinessNumberIs422) {
  const HttpResponse r = Post(SeedRequest("3902124122699"));
  EXPECT_TRUE(IsError(r, 422, "servicePhoneNumber"));
  EXPECT_NE(r.Json().value("error", "").find("business number"), std::string::npos) << r.Describe();
}

// ---- 403 / 404: the domain ---------------------------------------------------------------------

TEST_F(ErrorsTest, BusinessNumberOfAnotherDomainIs403) {
  EXPECT_TRUE(IsError(Post(SeedRequest(kOtherNumber)), 403, "servicePhoneNumber"));
}

TEST_F(ErrorsTest, UnknownDomainIs404) {
  EXPECT_TRUE(IsError(Post(SeedRequest(), "nosuchdomain"), 404, "nosuchdomain"));
}

// ---- 401: credentials --------------------------------------------------------------------------

TEST_F(ErrorsTest, NoCredentialsIs401WithBasicChallenge) {
  const HttpResponse r =
      PostRaw(SeedRequest().dump(), {{"Content-Type", "application/json"}}, std::nullopt);
  EXPECT_TRUE(IsError(r, 401, ""));
  EXPECT_EQ(r.Header("www-authenticate").rfind("Basic", 0), 0u) << r.Header("www-authenticate");
}

TEST_F(ErrorsTest, WrongPasswordIs401) {
  const HttpResponse r = Post(SeedRequest(), "default", Credentials{"demo", "not-the-password"});
  EXPECT_TRUE(IsError(r, 401, ""));
  EXPECT_EQ(r.Header("www-authenticate").rfind("Basic", 0), 0u) << r.Header("www-authenticate");
}

TEST_F(ErrorsTest, UnknownUserIs401) {
  EXPECT_TRUE(IsError(Post(SeedRequest(), "default", Credentials{"nobody", "x"}), 401, ""));
}

TEST_F(ErrorsTest, UserOfAnotherDomainIs401) {
  // "other" is a valid user of domain "other", with the right password, but not of "default".
  EXPECT_TRUE(IsError(Post(SeedRequest(kOtherNumber), "default", kOther), 401, ""));
  // Its own domain takes it.
  const HttpResponse own = Post(SeedRequest(kOtherNumber), "other", kOther);
  EXPECT_EQ(own.status, 200) << own.Describe();
}

TEST_F(ErrorsTest, CredentialsAreCheckedBeforeTheBody) {
  // A malformed body from an unauthenticated caller tells it nothing about the body.
  EXPECT_TRUE(
      IsError(PostRaw("not json", {{"Content-Type", "application/json"}}, std::nullopt), 401, ""));
}

// ---- 404 / 405: paths and methods --------------------------------------------------------------

TEST_F(ErrorsTest, GetOnSendPathIs405WithAllow) {
  const HttpResponse r = client_.Get(SendUrl(Base(), "default"), kDemo);
  EXPECT_TRUE(IsError(r, 405, "POST"));
  EXPECT_NE(r.Header("allow").find("POST"), std::string::npos) << r.Describe();
}

TEST_F(ErrorsTest, PostOnMessagesPathIs405WithAllow) {
  const HttpResponse r =
      client_.PostJson(MessageUrl(Base(), "default", "some-id"), SeedRequest().dump(), kDemo);
  EXPECT_TRUE(IsError(r, 405, "GET"));
  EXPECT_NE(r.Header("allow").find("GET"), std::string::npos) << r.Describe();
}

TEST_F(ErrorsTest, UnknownPathIs404) {
  EXPECT_TRUE(IsError(
      client_.PostJson(Base() + "/livechat/default/sendSomethingElse", SeedRequest().dump(), kDemo),
      404, "/livechat/default/sendSomethingElse"));
  EXPECT_TRUE(IsError(client_.Get(Base() + "/nothing/here"), 404, "/nothing/here"));
  EXPECT_TRUE(IsError(client_.Get(Base() + "/"), 404, "no such endpoint"));
}

}  // namespace
}  // namespace socialgate::testing
