// The free-text and media send bodies: api/text_codec.hpp and api/media_codec.hpp (the shape;
// the values are core's, tests/unit/core/message_kinds_test.cpp).
#include <string>

#include <gtest/gtest.h>

#include "api/media_codec.hpp"
#include "api/text_codec.hpp"

namespace socialgate::api {
namespace {

// CTLive's examples (reference sections 2.2 and 2.3).
constexpr const char* kText =
    R"({"customerPhoneNumber":"393403603062","servicePhoneNumber":"3902124122690","text":"Messaggio da external ws"})";
constexpr const char* kMedia =
    R"({"customerPhoneNumber":"393403603062","servicePhoneNumber":"3902124122690","document":"iVBORw0KG","messageType":"IMAGE","fileName":"infobip-logo.png"})";

// `body` with the first `from` replaced by `to`.
std::string Edit(std::string body, const std::string& from, const std::string& to) {
  const auto pos = body.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) body.replace(pos, from.size(), to);
  return body;
}

TEST(TextCodecTest, DecodesCtlivesExample) {
  auto r = DecodeTextRequest(kText);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->customer_phone_number, "393403603062");
  EXPECT_EQ(r->service_phone_number, "3902124122690");
  EXPECT_EQ(r->text, "Messaggio da external ws");
}

TEST(TextCodecTest, DecodesEscapesAndIgnoresUnknownFields) {
  auto r = DecodeTextRequest(Edit(kText, R"("Messaggio da external ws")",
                                  R"("caf\u00e9\n\t\"ok\" \ud83d\ude00", "chatid": {"x": [1]})"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->text, "caf\xC3\xA9\n\t\"ok\" \xF0\x9F\x98\x80");
}

TEST(TextCodecTest, KeepsAnEscapedNulForTheValidatorToRefuse) {
  auto r = DecodeTextRequest(Edit(kText, "Messaggio", "a\\u0000b"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->text, std::string("a\0b da external ws", 18));
}

TEST(MediaCodecTest, DecodesCtlivesExample) {
  auto r = DecodeMediaRequest(kMedia);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->customer_phone_number, "393403603062");
  EXPECT_EQ(r->service_phone_number, "3902124122690");
  EXPECT_EQ(r->document, "iVBORw0KG");
  EXPECT_EQ(r->message_type, "IMAGE");
  EXPECT_EQ(r->file_name, "infobip-logo.png");
}

TEST(MediaCodecTest, KeepsEscapedLineBreaksInTheBase64) {
  auto r = DecodeMediaRequest(Edit(kMedia, "iVBORw0KG", "iVBO\\r\\nRw0KG"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->document, "iVBO\r\nRw0KG");  // core tolerates them, as in header.data
}

struct ShapeCase {
  const char* name;
  bool media;  // which codec
  std::string body;
  std::string message;  // the whole sentence
};

core::Result<void> DecodeEither(const ShapeCase& c) {
  if (c.media) {
    auto r = DecodeMediaRequest(c.body);
    if (!r) return tl::unexpected(r.error());
    return {};
  }
  auto r = DecodeTextRequest(c.body);
  if (!r) return tl::unexpected(r.error());
  return {};
}

class MessageCodecShapeTest : public ::testing::TestWithParam<ShapeCase> {};

TEST_P(MessageCodecShapeTest, IsMalformedWithItsSentence) {
  const auto r = DecodeEither(GetParam());
  ASSERT_FALSE(r) << GetParam().body;
  EXPECT_EQ(r.error().code, core::ErrorCode::kMalformed);
  EXPECT_EQ(r.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, MessageCodecShapeTest,
    ::testing::Values(
        ShapeCase{"TextEmptyBody", false, "", "body: is not valid JSON (Empty: no JSON found)"},
        ShapeCase{"TextArray", false, "[1]", "body: must be a JSON object, not an array"},
        ShapeCase{"TextNull", false, "null", "body: must be a JSON object, not null"},
        ShapeCase{"TextMissing", false, R"({"customerPhoneNumber":"1","servicePhoneNumber":"2"})",
                  "text: is required"},
        ShapeCase{"TextMissingFirstOfSeveral", false, R"({"text":"hi"})",
                  "customerPhoneNumber: is required"},
        ShapeCase{"TextNumber", false, Edit(kText, R"("Messaggio da external ws")", "42"),
                  "text: must be a string, not a number"},
        ShapeCase{"TextNullValue", false, Edit(kText, R"("Messaggio da external ws")", "null"),
                  "text: must be a string, not null"},
        ShapeCase{"TextArrayValue", false, Edit(kText, R"("Messaggio da external ws")", R"(["a"])"),
                  "text: must be a string, not an array"},
        ShapeCase{"TextTwice", false, Edit(kText, R"("text")", R"("text":"a","text")"),
                  "text: appears more than once"},
        ShapeCase{"TextPhoneNumber", false, Edit(kText, R"("393403603062")", "393403603062"),
                  "customerPhoneNumber: must be a string, not a number"},
        ShapeCase{"MediaObject", true, R"("IMAGE")", "body: must be a JSON object, not a string"},
        ShapeCase{"MediaMissingDocument", true, Edit(kMedia, R"("document":"iVBORw0KG",)", ""),
                  "document: is required"},
        ShapeCase{"MediaMissingType", true, Edit(kMedia, R"("messageType":"IMAGE",)", ""),
                  "messageType: is required"},
        ShapeCase{"MediaMissingFileName", true,
                  Edit(kMedia, R"(,"fileName":"infobip-logo.png")", ""), "fileName: is required"},
        ShapeCase{"MediaTypeNumber", true, Edit(kMedia, R"("IMAGE")", "1"),
                  "messageType: must be a string, not a number"},
        ShapeCase{"MediaDocumentObject", true, Edit(kMedia, R"("iVBORw0KG")", "{}"),
                  "document: must be a string, not an object"},
        ShapeCase{"MediaFileNameBool", true, Edit(kMedia, R"("infobip-logo.png")", "true"),
                  "fileName: must be a string, not a boolean"},
        ShapeCase{"MediaTwice", true,
                  Edit(kMedia, R"("fileName")", R"("fileName":"a.png","fileName")"),
                  "fileName: appears more than once"}),
    [](const ::testing::TestParamInfo<ShapeCase>& p) { return std::string(p.param.name); });

TEST(MessageCodecTest, DeepNestingIsRefusedBeforeTheFields) {
  const std::string nested = std::string(100, '[') + std::string(100, ']');
  auto r = DecodeTextRequest(Edit(kText, R"("Messaggio da external ws")", nested));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "body: JSON nested more than 32 levels deep");
}

TEST(MessageCodecTest, InvalidUtf8IsNotJson) {
  auto r = DecodeTextRequest(Edit(kText, "Messaggio", "\xC3("));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::kMalformed);
  EXPECT_EQ(r.error().message.rfind("body: is not valid JSON", 0), 0u) << r.error().message;
}

TEST(MessageCodecTest, ALargeDocumentDecodesAndTheNextSmallBodyToo) {
  // The thread's parser grows for the large body and is replaced after it.
  const std::string large(3 * 1024 * 1024, 'A');
  auto big = DecodeMediaRequest(Edit(kMedia, "iVBORw0KG", large));
  ASSERT_TRUE(big) << big.error().message;
  EXPECT_EQ(big->document.size(), large.size());
  auto small = DecodeTextRequest(kText);
  ASSERT_TRUE(small) << small.error().message;
  EXPECT_EQ(small->text, "Messaggio da external ws");
}

}  // namespace
}  // namespace socialgate::api
