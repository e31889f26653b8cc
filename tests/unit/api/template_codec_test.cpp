#include "api/template_codec.hpp"

#include <string>

#include <gtest/gtest.h>

namespace socialgate::api {
namespace {

constexpr const char* kSeed = R"({
"customerPhoneNumber": "393403603062",
"servicePhoneNumber": "3902124122690",
"templateName": "shipping_confirmation",
"language":"en_GB",
"header": null,
"headerData": ["Griffin"],
"bodyData": ["5"],
"dynamicUrl": ["contact-highway/"]
})";

core::Error Fails(std::string body) {
  auto r = DecodeTemplateRequest(body);
  EXPECT_FALSE(r) << body;
  return r ? core::Error{} : r.error();
}

// Replaces the first occurrence of `from` in the seed body.
std::string Seed(const std::string& from = "", const std::string& to = "") {
  std::string s = kSeed;
  if (!from.empty()) {
    const auto pos = s.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    s.replace(pos, from.size(), to);
  }
  return s;
}

TEST(TemplateCodecTest, DecodesTheSeedExample) {
  std::string body = kSeed;
  auto r = DecodeTemplateRequest(body);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->customer_phone_number, "393403603062");
  EXPECT_EQ(r->service_phone_number, "3902124122690");
  EXPECT_EQ(r->template_name, "shipping_confirmation");
  EXPECT_EQ(r->language, "en_GB");
  EXPECT_FALSE(r->header.has_value());
  EXPECT_EQ(r->header_data, std::vector<std::string>{"Griffin"});
  EXPECT_EQ(r->body_data, std::vector<std::string>{"5"});
  EXPECT_EQ(r->dynamic_url, std::vector<std::string>{"contact-highway/"});
  EXPECT_EQ(body, kSeed);  // only capacity may change
}

TEST(TemplateCodecTest, DecodesAHeaderObjectAndIgnoresUnknownFields) {
  std::string body = Seed(
      R"("header": null)",
      R"("header": {"type":"document","data":"JVBERi0=","documentType":"pdf","fileName":"a.pdf","x":1}, "extra": {"deep": [1,2,3]})");
  auto r = DecodeTemplateRequest(body);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->header.has_value());
  EXPECT_EQ(r->header->type, "document");
  EXPECT_EQ(r->header->data, "JVBERi0=");
  EXPECT_EQ(r->header->document_type, "pdf");
  EXPECT_EQ(r->header->file_name, "a.pdf");
}

TEST(TemplateCodecTest, DecodesEscapesAndUnicode) {
  std::string body = Seed(R"(["5"])", R"(["caf\u00e9 \"x\""])");
  auto r = DecodeTemplateRequest(body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body_data.at(0), "caf\xC3\xA9 \"x\"");
}

TEST(TemplateCodecTest, NotJsonOrNotAnObjectIsMalformed) {
  for (const char* body :
       {"", "not json", "{", "[1,2]", "\"text\"", "null", "{\"a\":1} trailing", "{\"a\": tru}"}) {
    const auto e = Fails(body);
    EXPECT_EQ(e.code, core::ErrorCode::kMalformed) << body;
    EXPECT_EQ(e.message.rfind("body: ", 0), 0u) << e.message;
  }
}

TEST(TemplateCodecTest, DeepNestingIsRefused) {
  std::string nested = std::string(100, '[') + std::string(100, ']');
  std::string body = std::string("{\"x\":") + nested + "}";
  const auto e = Fails(body);
  EXPECT_EQ(e.code, core::ErrorCode::kMalformed);
  EXPECT_NE(e.message.find("nested"), std::string::npos) << e.message;
}

struct FieldCase {
  const char* field;
  const char* from;
  const char* to;
  const char* expected;
};

class TemplateCodecFieldTest : public ::testing::TestWithParam<FieldCase> {};

TEST_P(TemplateCodecFieldTest, NamesTheFieldAndTheRule) {
  const auto& c = GetParam();
  const auto e = Fails(Seed(c.from, c.to));
  EXPECT_EQ(e.code, core::ErrorCode::kMalformed);
  EXPECT_NE(e.message.find(c.expected), std::string::npos) << e.message;
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, TemplateCodecFieldTest,
    ::testing::Values(
        FieldCase{"missing customer", R"("customerPhoneNumber": "393403603062",)", "",
                  "customerPhoneNumber: is required"},
        FieldCase{"missing service", R"("servicePhoneNumber": "3902124122690",)", "",
                  "servicePhoneNumber: is required"},
        FieldCase{"missing template", R"("templateName": "shipping_confirmation",)", "",
                  "templateName: is required"},
        FieldCase{"missing language", R"("language":"en_GB",)", "", "language: is required"},
        FieldCase{"missing header", R"("header": null,)", "", "header: is required"},
        FieldCase{"missing headerData", R"("headerData": ["Griffin"],)", "",
                  "headerData: is required"},
        FieldCase{"missing bodyData", R"("bodyData": ["5"],)", "", "bodyData: is required"},
        FieldCase{"missing dynamicUrl", R"(,
"dynamicUrl": ["contact-highway/"])",
                  "", "dynamicUrl: is required"},
        FieldCase{"number phone", R"("393403603062")", "393403603062",
                  "customerPhoneNumber: must be a string, not a number"},
        FieldCase{"null template", R"("shipping_confirmation")", "null",
                  "templateName: must be a string, not null"},
        FieldCase{"string array", R"(["5"])", R"("5")",
                  "bodyData: must be an array of strings, not a string"},
        FieldCase{"number in array", R"(["5"])", R"(["5", 6])",
                  "bodyData[1]: must be a string, not a number"},
        FieldCase{"header string", R"("header": null)", R"("header": "image")",
                  "header: must be an object or null, not a string"},
        FieldCase{"header missing data", R"("header": null)",
                  R"("header": {"type":"image","documentType":"png","fileName":"a.png"})",
                  "header.data: is required"},
        FieldCase{"header type number", R"("header": null)",
                  R"("header": {"type":1,"data":"","documentType":"png","fileName":"a.png"})",
                  "header.type: must be a string"},
        FieldCase{"duplicate field", R"("language":"en_GB",)",
                  R"("language":"en_GB", "language":"it",)", "language: appears more than once"}));

}  // namespace
}  // namespace socialgate::api
