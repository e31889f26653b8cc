// The small readers of a request the endpoints decide by: path segments, query parameters,
// JSON value counts, and the login body.
#include <string>

#include <gtest/gtest.h>

#include "api/json_token_count.hpp"
#include "api/login_codec.hpp"
#include "api/query.hpp"
#include "api/template_codec.hpp"

namespace socialgate::api {
namespace {

using Parts = std::vector<std::string_view>;

TEST(SplitPathTest, EmptySegmentsAreNoPathAtAll) {
  EXPECT_EQ(SplitPath("/livechat/acme/login"), (Parts{"livechat", "acme", "login"}));
  EXPECT_EQ(SplitPath("/livechat/acme/login/"), (Parts{"livechat", "acme", "login"}));
  EXPECT_EQ(SplitPath("/"), Parts{});
  EXPECT_EQ(SplitPath("/healthz"), Parts{"healthz"});
  EXPECT_FALSE(SplitPath("//livechat"));
  EXPECT_FALSE(SplitPath("/livechat//acme"));
  EXPECT_FALSE(SplitPath("/livechat/acme//"));
  EXPECT_FALSE(SplitPath("livechat/acme"));
  EXPECT_FALSE(SplitPath(""));
}

TEST(QueryParameterTest, DecodesPercentAndPlus) {
  EXPECT_EQ(QueryParameter("a=1&ctlivetoken=x%2By+z", "ctlivetoken"), "x+y z");
  EXPECT_EQ(QueryParameter("ctlivetoken=%zz%4", "ctlivetoken"), "%zz%4");
  EXPECT_EQ(QueryParameter("other=1", "ctlivetoken"), "");
  EXPECT_EQ(QueryParameter("ctlivetoken", "ctlivetoken"), "");
}

TEST(IsJsonContentTypeTest, AcceptsParametersAndCase) {
  EXPECT_TRUE(IsJsonContentType("application/json"));
  EXPECT_TRUE(IsJsonContentType("Application/JSON; charset=utf-8"));
  EXPECT_FALSE(IsJsonContentType("application/jsonx"));
  EXPECT_FALSE(IsJsonContentType("text/plain"));
  EXPECT_FALSE(IsJsonContentType(""));
}

TEST(JsonValueCountTest, CountsValuesOutsideStringsOnly) {
  EXPECT_FALSE(HasMoreJsonValuesThan(R"({"a":[1,2,3]})", 5));  // : [ , ,
  EXPECT_TRUE(HasMoreJsonValuesThan(R"({"a":[1,2,3,4,5]})", 5));
  // Separators inside strings, escaped quotes included, do not count.
  EXPECT_FALSE(HasMoreJsonValuesThan(R"({"a":"x,y:[{\",,,,,,"})", 2));
  EXPECT_FALSE(HasMoreJsonValuesThan(R"({"a":"ends in a backslash \\","b":1})", 4));
  EXPECT_TRUE(HasMoreJsonValuesThan(R"({"a":"\\\\","b":[1,1,1]})", 4));
  // A long string is one value; a long run of numbers is many.
  EXPECT_FALSE(HasMoreJsonValuesThan("{\"data\":\"" + std::string(1 << 20, 'A') + "\"}", 10));
  std::string zeros = "[0";
  for (int i = 0; i < 100; ++i) zeros += ",0";
  EXPECT_TRUE(HasMoreJsonValuesThan(zeros + "]", 50));
  EXPECT_FALSE(HasMoreJsonValuesThan("\"unterminated", 0));
}

TEST(TemplateCodecTest, ABodyOfTooManyValuesIsRefusedBeforeParsing) {
  std::string junk = "[0";
  for (std::size_t i = 0; i < kMaxJsonValues; ++i) junk += ",0";
  const std::string body =
      R"({"customerPhoneNumber":"393403603062","servicePhoneNumber":"3902124122690",)"
      R"("templateName":"t","language":"en_GB","header":null,"headerData":[],)"
      R"("bodyData":[],"dynamicUrl":[],"junk":)" +
      junk + "]}";
  auto r = DecodeTemplateRequest(body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::kMalformed);
  EXPECT_EQ(r.error().message.rfind("body: holds more than 10000 JSON values", 0), 0u)
      << r.error().message;
}

TEST(LoginCodecTest, ReadsTheTwoFieldsOnceEach) {
  auto ok = DecodeLoginRequest(R"({"username":"bob","password":"pw","extra":1})");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->username, "bob");
  EXPECT_EQ(ok->password, "pw");
  const auto message = [](std::string body) {
    auto r = DecodeLoginRequest(std::move(body));
    EXPECT_FALSE(r);
    return r ? std::string() : r.error().message;
  };
  EXPECT_EQ(message(R"({"username":"bob","password":"a","password":"b"})"),
            "password: appears more than once");
  EXPECT_EQ(message(R"({"username":"a","username":"b","password":"pw"})"),
            "username: appears more than once");
  EXPECT_EQ(message(R"({"username":"bob"})"), "password: is required");
  EXPECT_EQ(message(R"({"username":7,"password":"pw"})"), "username: must be a string");
  EXPECT_EQ(message(R"(["bob","pw"])"),
            "body: must be a JSON object {\"username\": string, \"password\": string}");
  EXPECT_EQ(message(R"({"username":"bob","password":")" + std::string(2000, 'p') + "\"}"),
            "password: is longer than 1024 bytes");
  EXPECT_EQ(message(std::string(100, '[') + std::string(100, ']')).rfind("body: JSON nested", 0),
            0u);
  EXPECT_EQ(message("{").rfind("body: is not valid JSON", 0), 0u);
}

}  // namespace
}  // namespace socialgate::api
