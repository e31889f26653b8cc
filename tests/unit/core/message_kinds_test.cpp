// The free-text and media message kinds: their validators (every rule's sentence) and what the
// kind-neutral helpers (MediaOf, MessageKindName, MessageLogLabel) say of them.
#include <string>

#include <gtest/gtest.h>

#include "core/validate.hpp"
#include "sample_media.hpp"

namespace socialgate::core {
namespace {

using testing::Base64;
using testing::TinyJpeg;
using testing::TinyPdf;
using testing::TinyPng;

ValidationContext Context(ValidationLimits limits = {}) {
  return ValidationContext{nullptr, limits};
}

// CTLive's own example body of sendExternalMessageToCtlivesocial.
TextRequest ExampleText() {
  return TextRequest{"393403603062", "3902124122690", "Messaggio da external ws"};
}

// CTLive's own example body of sendExternalMultimediaMessageToCtlivesocial, with a real PNG.
MediaRequest ExampleMedia() {
  return MediaRequest{"393403603062", "3902124122690", Base64(TinyPng()), "IMAGE",
                      "infobip-logo.png"};
}

// --- text into a chat -----------------------------------------------------------------------

TEST(ValidateChatTextRequestTest, CtlivesExampleIsATextWithItsChat) {
  ChatTextRequest request{"393393790817", "447491163403", "message from external web service",
                          "CHAT_DEFAULT_ac771534-0b29-4b0e-a2f9-3ba7628c0580"};
  const auto result = ValidateChatTextRequest(request, Context());
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->customer_phone, "393393790817");
  EXPECT_EQ(result->service_phone, "447491163403");
  EXPECT_EQ(std::get<TextContent>(result->content).text, "message from external web service");
  EXPECT_EQ(result->chat_id, "CHAT_DEFAULT_ac771534-0b29-4b0e-a2f9-3ba7628c0580");
}

TEST(ValidateChatTextRequestTest, EachFieldIsNamedAsCtliveNamesIt) {
  const ChatTextRequest good{"393393790817", "447491163403", "hi", "CHAT_DEFAULT_x"};
  const auto refused = [&](auto change) {
    ChatTextRequest request = good;
    change(request);
    auto result = ValidateChatTextRequest(request, Context());
    return result ? std::string("accepted") : result.error().message;
  };
  EXPECT_EQ(refused([](auto& r) { r.userid = "12"; }).rfind("userid:", 0), 0u);
  EXPECT_EQ(refused([](auto& r) { r.serviceid = "abc"; }).rfind("serviceid:", 0), 0u);
  EXPECT_EQ(refused([](auto& r) { r.text = ""; }), "text: must not be empty");
  const std::string chat_rule =
      "chatid: must be 1 to 256 printable ASCII characters without spaces, such as "
      "CHAT_DEFAULT_ac771534-0b29-4b0e-a2f9-3ba7628c0580";
  EXPECT_EQ(refused([](auto& r) { r.chatid = ""; }), chat_rule);
  EXPECT_EQ(refused([](auto& r) { r.chatid = "CHAT DEFAULT"; }), chat_rule);
  EXPECT_EQ(refused([](auto& r) { r.chatid = "CHAT_\xC3\xA9"; }), chat_rule);
  EXPECT_EQ(refused([](auto& r) { r.chatid = std::string(257, 'C'); }), chat_rule);
  EXPECT_EQ(refused([](auto& r) { r.chatid = std::string(256, 'C'); }), "accepted");
}

// --- text -----------------------------------------------------------------------------------

TEST(ValidateTextRequestTest, ExampleIsAccepted) {
  const auto result = ValidateTextRequest(ExampleText(), Context());
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->customer_phone, "393403603062");
  EXPECT_EQ(result->service_phone, "3902124122690");
  EXPECT_EQ(MessageKindName(result->content), "text");
  EXPECT_EQ(std::get<TextContent>(result->content).text, "Messaggio da external ws");
  EXPECT_EQ(MediaOf(*result), nullptr);
  // A log line never shows the text.
  EXPECT_EQ(MessageLogLabel(result->content), "text");
}

TEST(ValidateTextRequestTest, NumbersAreCheckedFirstAndNormalised) {
  TextRequest request = ExampleText();
  request.customer_phone_number = "+39 340 360 3062";
  request.text = "";  // the numbers' errors come first
  request.service_phone_number = "12";
  auto result = ValidateTextRequest(request, Context());
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message.rfind("servicePhoneNumber:", 0), 0u) << result.error().message;

  request.service_phone_number = "3902124122690";
  request.text = "hello";
  result = ValidateTextRequest(request, Context());
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->customer_phone, "393403603062");
}

struct TextCase {
  const char* name;
  std::string text;
  std::string message;  // the whole sentence
};

class TextRuleTest : public ::testing::TestWithParam<TextCase> {};

TEST_P(TextRuleTest, IsRefusedWithItsSentence) {
  TextRequest request = ExampleText();
  request.text = GetParam().text;
  const auto result = ValidateTextRequest(request, Context());
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(result.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, TextRuleTest,
    ::testing::Values(
        TextCase{"Empty", "", "text: must not be empty"},
        TextCase{"InvalidUtf8", "caf\xC3", "text: must be valid UTF-8"},
        TextCase{"Overlong", "\xC0\xAF", "text: must be valid UTF-8"},
        TextCase{"Surrogate", "\xED\xA0\x80", "text: must be valid UTF-8"},
        TextCase{"Nul", std::string("ab\0c", 4),
                 "text: must not contain control characters other than newline and tab (U+0000 "
                 "at character 3)"},
        TextCase{"CarriageReturn", "line\r\nnext",
                 "text: must not contain control characters other than newline and tab (U+000D "
                 "at character 5)"},
        TextCase{"Escape", "\x1B[31mred",
                 "text: must not contain control characters other than newline and tab (U+001B "
                 "at character 1)"},
        TextCase{"Delete", "\xC3\xA9\x7F",
                 "text: must not contain control characters other than newline and tab (U+007F "
                 "at character 2)"},
        TextCase{"C1NextLine", "a\xC2\x85z",
                 "text: must not contain control characters other than newline and tab (U+0085 "
                 "at character 2)"},
        TextCase{"OnlyWhitespace", " \n\t  ", "text: must not be only spaces, newlines and tabs"},
        TextCase{"TooLong", std::string(4097, 'x'),
                 "text: is 4097 characters long; a text message may have at most 4096"}),
    [](const ::testing::TestParamInfo<TextCase>& p) { return std::string(p.param.name); });

TEST(ValidateMessageTextTest, AcceptsNewlinesTabsAndWhatIsNotControl) {
  EXPECT_TRUE(ValidateMessageText("Dear customer,\n\tyour order shipped.").has_value());
  EXPECT_TRUE(ValidateMessageText("no-break\xC2\xA0space, \xE2\x80\xA8separator").has_value());
  EXPECT_TRUE(ValidateMessageText(" leading and trailing spaces are kept ").has_value());
}

TEST(ValidateMessageTextTest, LengthIsCountedInCharactersNotBytes) {
  std::string accented;
  for (int i = 0; i < 4096; ++i) accented += "\xC3\xA9";  // 8,192 bytes, 4,096 characters
  EXPECT_TRUE(ValidateMessageText(accented).has_value());
  std::string emoji;
  for (int i = 0; i < 4096; ++i) emoji += "\xF0\x9F\x98\x80";  // U+1F600, one character each
  EXPECT_TRUE(ValidateMessageText(emoji).has_value());
  emoji += "!";
  const auto refused = ValidateMessageText(emoji);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message,
            "text: is 4097 characters long; a text message may have at most 4096");
}

TEST(ValidateTextRequestTest, TextIsKeptAsGiven) {
  TextRequest request = ExampleText();
  request.text = "  spaced\n";
  const auto result = ValidateTextRequest(request, Context());
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(std::get<TextContent>(result->content).text, "  spaced\n");
}

// --- media ----------------------------------------------------------------------------------

TEST(ValidateMediaRequestTest, ImageExampleIsAccepted) {
  const auto result = ValidateMediaRequest(ExampleMedia(), Context());
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(MessageKindName(result->content), "media");
  EXPECT_EQ(MessageLogLabel(result->content), "image");
  const auto& media = std::get<MediaContent>(result->content).media;
  EXPECT_EQ(media.kind, MediaKind::kImage);
  EXPECT_EQ(media.mime_type, "image/png");
  EXPECT_EQ(media.document_type, "png");
  EXPECT_EQ(media.file_name, "infobip-logo.png");
  EXPECT_EQ(media.bytes, TinyPng());
  EXPECT_EQ(MediaOf(*result), &media);
}

TEST(ValidateMediaRequestTest, DocumentIsAccepted) {
  MediaRequest request = ExampleMedia();
  request.message_type = "DOCUMENT";
  request.document = Base64(TinyPdf());
  request.file_name = "Invoice 42.PDF";
  const auto result = ValidateMediaRequest(request, Context());
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(MessageLogLabel(result->content), "document");
  const auto& media = std::get<MediaContent>(result->content).media;
  EXPECT_EQ(media.kind, MediaKind::kDocument);
  EXPECT_EQ(media.mime_type, "application/pdf");
  EXPECT_EQ(media.document_type, "pdf");
  EXPECT_EQ(media.file_name, "Invoice 42.PDF");  // the name the customer sees, as given
}

TEST(ValidateMediaRequestTest, MessageTypeIsReadInAnyCase) {
  MediaRequest request = ExampleMedia();
  for (const char* type : {"image", "Image", "iMaGe"}) {
    request.message_type = type;
    EXPECT_TRUE(ValidateMediaRequest(request, Context()).has_value()) << type;
  }
  request.message_type = "document";
  request.document = Base64(TinyPdf());
  request.file_name = "a.pdf";
  EXPECT_TRUE(ValidateMediaRequest(request, Context()).has_value());
}

TEST(ValidateMediaRequestTest, JpegExtensionsAreInterchangeable) {
  MediaRequest request = ExampleMedia();
  request.document = Base64(TinyJpeg());
  for (const char* name : {"photo.jpg", "photo.jpeg", "photo.JPG"}) {
    request.file_name = name;
    const auto result = ValidateMediaRequest(request, Context());
    ASSERT_TRUE(result.has_value()) << name << ": " << result.error().message;
    EXPECT_EQ(std::get<MediaContent>(result->content).media.mime_type, "image/jpeg");
  }
}

struct MediaCase {
  const char* name;
  MediaRequest request;
  std::string message;  // the whole sentence
};

MediaRequest With(void (*change)(MediaRequest&)) {
  MediaRequest request = ExampleMedia();
  change(request);
  return request;
}

class MediaRuleTest : public ::testing::TestWithParam<MediaCase> {};

TEST_P(MediaRuleTest, IsRefusedWithItsSentence) {
  ValidationLimits limits;
  limits.max_image_bytes = 1024;
  const auto result = ValidateMediaRequest(GetParam().request, Context(limits));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(result.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, MediaRuleTest,
    ::testing::Values(
        MediaCase{"Video", With([](MediaRequest& r) { r.message_type = "VIDEO"; }),
                  "messageType: must be IMAGE or DOCUMENT (got 'VIDEO')"},
        MediaCase{"EmptyType", With([](MediaRequest& r) { r.message_type = ""; }),
                  "messageType: must be IMAGE or DOCUMENT (got '')"},
        MediaCase{"EmptyDocument", With([](MediaRequest& r) { r.document = ""; }),
                  "document: must not be empty"},
        MediaCase{"NotBase64", With([](MediaRequest& r) { r.document = "iVBOR*==="; }),
                  "document: is not valid base64 (RFC 4648 standard alphabet)"},
        MediaCase{"UrlSafeBase64", With([](MediaRequest& r) { r.document = "ab-_"; }),
                  "document: is not valid base64 (RFC 4648 standard alphabet)"},
        MediaCase{"TooLarge",
                  With([](MediaRequest& r) { r.document = Base64(std::string(1025, 'a')); }),
                  "document: 1025 bytes is over the 1024-byte limit for IMAGE messages"},
        MediaCase{"EmptyFileName", With([](MediaRequest& r) { r.file_name = ""; }),
                  "fileName: must not be empty"},
        MediaCase{"FileNameNotUtf8", With([](MediaRequest& r) { r.file_name = "\xFF.png"; }),
                  "fileName: must be valid UTF-8"},
        MediaCase{"FileNameTooLong",
                  With([](MediaRequest& r) { r.file_name = std::string(237, 'a') + ".png"; }),
                  "fileName: must be at most 240 characters"},
        MediaCase{"FileNamePath", With([](MediaRequest& r) { r.file_name = "../etc/a.png"; }),
                  "fileName: must not contain '/', '\\' or control characters"},
        MediaCase{"FileNameBidi",
                  With([](MediaRequest& r) { r.file_name = "invoice\xE2\x80\xAEgnp.png"; }),
                  "fileName: must not contain bidirectional override or isolate characters "
                  "(U+202A-U+202E, U+2066-U+2069)"},
        MediaCase{"NoExtension", With([](MediaRequest& r) { r.file_name = "logo"; }),
                  "fileName: must end in .jpg, .jpeg or .png for an IMAGE message (got 'logo')"},
        MediaCase{"OnlyExtension", With([](MediaRequest& r) { r.file_name = ".png"; }),
                  "fileName: must end in .jpg, .jpeg or .png for an IMAGE message (got '.png')"},
        MediaCase{"ImageNamedPdf", With([](MediaRequest& r) { r.file_name = "logo.pdf"; }),
                  "fileName: must end in .jpg, .jpeg or .png for an IMAGE message (got "
                  "'logo.pdf')"},
        MediaCase{"DocumentNamedPng", With([](MediaRequest& r) {
                    r.message_type = "DOCUMENT";
                    r.document = Base64(TinyPdf());
                  }),
                  "fileName: must end in .pdf for a DOCUMENT message (got 'infobip-logo.png')"},
        MediaCase{"ImageOfPdfBytes", With([](MediaRequest& r) { r.document = Base64(TinyPdf()); }),
                  "document: the bytes are application/pdf, but messageType IMAGE needs "
                  "image/jpeg or image/png"},
        MediaCase{"DocumentOfPngBytes", With([](MediaRequest& r) {
                    r.message_type = "DOCUMENT";
                    r.file_name = "logo.pdf";
                  }),
                  "document: the bytes are image/png, but messageType DOCUMENT needs "
                  "application/pdf"},
        MediaCase{"PngNamedJpg", With([](MediaRequest& r) { r.file_name = "logo.jpg"; }),
                  "document: the bytes are image/png, but fileName's extension 'jpg' needs "
                  "image/jpeg"}),
    [](const ::testing::TestParamInfo<MediaCase>& p) { return std::string(p.param.name); });

TEST(ValidateMediaRequestTest, NumbersComeBeforeTheMedia) {
  MediaRequest request = ExampleMedia();
  request.customer_phone_number = "x";
  request.message_type = "VIDEO";
  const auto result = ValidateMediaRequest(request, Context());
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message.rfind("customerPhoneNumber:", 0), 0u) << result.error().message;
}

TEST(ValidateMediaRequestTest, EachKindHasItsOwnLimit) {
  ValidationLimits limits;
  limits.max_image_bytes = 8;  // smaller than the PDF, which is a document
  MediaRequest request = ExampleMedia();
  request.message_type = "DOCUMENT";
  request.document = Base64(TinyPdf());
  request.file_name = "a.pdf";
  EXPECT_TRUE(ValidateMediaRequest(request, Context(limits)).has_value());
  limits.max_document_bytes = 8;
  const auto refused = ValidateMediaRequest(request, Context(limits));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message, "document: " + std::to_string(TinyPdf().size()) +
                                         " bytes is over the 8-byte limit for DOCUMENT messages");
}

}  // namespace
}  // namespace socialgate::core
