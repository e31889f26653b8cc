#include "core/validate.hpp"

#include <string>

#include <gtest/gtest.h>

#include "sample_media.hpp"

namespace socialgate::core {
namespace {

using testing::MakeRawHeader;
using testing::TinyPdf;
using testing::TinyPng;

class ValidateTemplateRequestTest : public ::testing::Test {
 protected:
  // The seed's own example request.
  static TemplateRequest SeedRequest() {
    TemplateRequest request;
    request.customer_phone_number = "393403603062";
    request.service_phone_number = "3902124122690";
    request.template_name = "shipping_confirmation";
    request.language = "en_GB";
    request.header = std::nullopt;
    request.header_data = {"Griffin"};
    request.body_data = {"5"};
    request.dynamic_url = {"contact-highway/"};
    return request;
  }

  ValidationContext Context() const { return ValidationContext{&languages_, {}}; }

  void ExpectInvalid(TemplateRequest request, const std::string& message_part) const {
    const auto result = ValidateTemplateRequest(std::move(request), Context());
    ASSERT_FALSE(result.has_value()) << "expected an error containing: " << message_part;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(result.error().message.find(message_part), std::string::npos)
        << result.error().message;
  }

  LanguageCatalog languages_ = LanguageCatalog::Default();
};

TEST_F(ValidateTemplateRequestTest, SeedExampleIsAccepted) {
  const auto result = ValidateTemplateRequest(SeedRequest(), Context());
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->customer_phone, "393403603062");
  EXPECT_EQ(result->service_phone, "3902124122690");
  EXPECT_EQ(core::MessageKindName(result->content), "template");
  const auto& t = std::get<TemplateContent>(result->content);
  EXPECT_EQ(t.template_name, "shipping_confirmation");
  EXPECT_EQ(t.language, "en_GB");
  EXPECT_FALSE(t.header.has_value());
  EXPECT_EQ(core::MediaOf(*result), nullptr);
  EXPECT_EQ(t.header_params, std::vector<std::string>{"Griffin"});
  EXPECT_EQ(t.body_params, std::vector<std::string>{"5"});
  EXPECT_EQ(t.url_params, std::vector<std::string>{"contact-highway/"});
}

TEST_F(ValidateTemplateRequestTest, NumbersAreNormalised) {
  TemplateRequest request = SeedRequest();
  request.customer_phone_number = "+39 340 360 3062";
  request.service_phone_number = "(39) 02-1241.22690";
  const auto result = ValidateTemplateRequest(std::move(request), Context());
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->customer_phone, "393403603062");
  EXPECT_EQ(result->service_phone, "3902124122690");
}

TEST_F(ValidateTemplateRequestTest, MediaHeaderIsDecoded) {
  TemplateRequest request = SeedRequest();
  request.header = MakeRawHeader("document", TinyPdf(), "pdf", "invoice-42.pdf");
  request.header_data.clear();
  const auto result = ValidateTemplateRequest(std::move(request), Context());
  ASSERT_TRUE(result.has_value()) << result.error().message;
  const auto& t = std::get<TemplateContent>(result->content);
  ASSERT_TRUE(t.header.has_value());
  EXPECT_EQ(core::MediaOf(*result), &*t.header);
  EXPECT_EQ(t.header->kind, MediaKind::kDocument);
  EXPECT_EQ(t.header->mime_type, "application/pdf");
  EXPECT_EQ(t.header->file_name, "invoice-42.pdf");
  EXPECT_EQ(t.header->bytes, TinyPdf());
}

TEST_F(ValidateTemplateRequestTest, EmptyListsAreAccepted) {
  TemplateRequest request = SeedRequest();
  request.header_data.clear();
  request.body_data.clear();
  request.dynamic_url.clear();
  EXPECT_TRUE(ValidateTemplateRequest(std::move(request), Context()));
}

TEST_F(ValidateTemplateRequestTest, EachFieldIsChecked) {
  {
    TemplateRequest r = SeedRequest();
    r.customer_phone_number = "39340360306a";
    ExpectInvalid(std::move(r), "customerPhoneNumber: must be an international number");
  }
  {
    TemplateRequest r = SeedRequest();
    r.service_phone_number = "+39 12";
    ExpectInvalid(std::move(r), "servicePhoneNumber: '+39 12' is not a valid phone number");
  }
  {
    TemplateRequest r = SeedRequest();
    r.template_name = "Shipping Confirmation";
    ExpectInvalid(std::move(r), "templateName: must contain only lower-case letters");
  }
  {
    TemplateRequest r = SeedRequest();
    r.language = "xx_YY";
    ExpectInvalid(std::move(r), "language: 'xx_YY' is not a WhatsApp template language code");
  }
  {
    TemplateRequest r = SeedRequest();
    r.language = "en_gb";
    ExpectInvalid(std::move(r), "language: 'en_gb' is not a WhatsApp template language code");
  }
  {
    TemplateRequest r = SeedRequest();
    r.header = MakeRawHeader("image", TinyPdf(), "png", "a.png");
    r.header_data.clear();
    ExpectInvalid(std::move(r),
                  "header.data: the bytes are application/pdf, but header.type "
                  "'image' needs image/jpeg or image/png");
  }
  {
    TemplateRequest r = SeedRequest();
    r.header = MakeRawHeader("image", TinyPng(), "png", "a.png");
    ExpectInvalid(std::move(r), "headerData: must be empty when header is a media header");
  }
  {
    TemplateRequest r = SeedRequest();
    r.header_data = {"a", "b"};
    ExpectInvalid(std::move(r), "headerData: has 2 entries");
  }
  {
    TemplateRequest r = SeedRequest();
    r.body_data = {"5", ""};
    ExpectInvalid(std::move(r), "bodyData[1]: must not be empty");
  }
  {
    TemplateRequest r = SeedRequest();
    r.dynamic_url = {"a", "b", "c"};
    ExpectInvalid(std::move(r), "dynamicUrl: has 3 entries");
  }
  {
    TemplateRequest r = SeedRequest();
    r.dynamic_url = {"a\nb"};
    ExpectInvalid(std::move(r), "dynamicUrl[0]: must not contain a newline");
  }
}

TEST_F(ValidateTemplateRequestTest, FirstFailureInFieldOrderIsReported) {
  TemplateRequest request;  // everything wrong
  request.customer_phone_number = "x";
  request.service_phone_number = "y";
  request.template_name = "BAD";
  request.language = "zz";
  request.header = RawMediaHeader{"audio", "", "", ""};
  request.header_data = {""};
  request.body_data = {""};
  request.dynamic_url = {""};
  ExpectInvalid(request, "customerPhoneNumber:");
  request.customer_phone_number = "393403603062";
  ExpectInvalid(request, "servicePhoneNumber:");
  request.service_phone_number = "3902124122690";
  ExpectInvalid(request, "templateName:");
  request.template_name = "ok";
  ExpectInvalid(request, "language:");
  request.language = "it";
  ExpectInvalid(request, "header.type:");
  request.header.reset();
  ExpectInvalid(request, "headerData[0]:");
  request.header_data.clear();
  ExpectInvalid(request, "bodyData[0]:");
  request.body_data.clear();
  ExpectInvalid(request, "dynamicUrl[0]:");
  request.dynamic_url.clear();
  EXPECT_TRUE(ValidateTemplateRequest(request, Context()));
}

TEST_F(ValidateTemplateRequestTest, LanguageAddedByConfigIsAccepted) {
  TemplateRequest request = SeedRequest();
  request.language = "xx_YY";
  ExpectInvalid(request, "language:");
  languages_.Add("xx_YY");
  EXPECT_TRUE(ValidateTemplateRequest(request, Context()));
}

TEST_F(ValidateTemplateRequestTest, ContextLimitsApplyToTheHeader) {
  TemplateRequest request = SeedRequest();
  request.header = MakeRawHeader("image", TinyPng(), "png", "a.png");
  request.header_data.clear();
  ValidationContext context = Context();
  context.limits.max_image_bytes = 16;
  const auto result = ValidateTemplateRequest(std::move(request), context);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("-byte limit for image headers"), std::string::npos);
}

TEST(ValidateTemplateRequestContextTest, MissingCatalogIsAnInternalError) {
  const auto result = ValidateTemplateRequest(TemplateRequest{}, ValidationContext{});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInternal);
}

}  // namespace
}  // namespace socialgate::core
