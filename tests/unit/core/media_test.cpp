#include "core/media.hpp"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "sample_media.hpp"

namespace socialgate::core {
namespace {

using testing::Base64;
using testing::MakeRawHeader;
using testing::Tiny3gp;
using testing::TinyJpeg;
using testing::TinyM4a;
using testing::TinyMp4;
using testing::TinyPdf;
using testing::TinyPng;

void ExpectInvalid(const Result<MediaHeader>& result, const std::string& message_part) {
  ASSERT_FALSE(result.has_value()) << "expected an error containing: " << message_part;
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find(message_part), std::string::npos) << result.error().message;
}

struct GoodHeader {
  std::string type;
  std::string bytes;
  std::string document_type;
  std::string file_name;
  MediaKind kind;
  std::string mime_type;
  std::string normalised_document_type;
};

class AcceptedHeaderTest : public ::testing::TestWithParam<GoodHeader> {};

TEST_P(AcceptedHeaderTest, DecodesAndSniffs) {
  const GoodHeader& c = GetParam();
  const auto result =
      DecodeMediaHeader(MakeRawHeader(c.type, c.bytes, c.document_type, c.file_name), {});
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->kind, c.kind);
  EXPECT_EQ(result->mime_type, c.mime_type);
  EXPECT_EQ(result->document_type, c.normalised_document_type);
  EXPECT_EQ(result->file_name, c.file_name);
  EXPECT_EQ(result->bytes, c.bytes);
}

INSTANTIATE_TEST_SUITE_P(
    Formats, AcceptedHeaderTest,
    ::testing::Values(
        GoodHeader{"image", TinyPng(), "png", "pixel.png", MediaKind::kImage, "image/png", "png"},
        GoodHeader{"image", TinyJpeg(), "jpg", "photo.jpg", MediaKind::kImage, "image/jpeg", "jpg"},
        GoodHeader{"image", TinyJpeg(), "jpeg", "photo.jpeg", MediaKind::kImage, "image/jpeg",
                   "jpeg"},
        // jpg and jpeg are interchangeable between documentType and fileName.
        GoodHeader{"image", TinyJpeg(), "jpeg", "photo.JPG", MediaKind::kImage, "image/jpeg",
                   "jpeg"},
        GoodHeader{"IMAGE", TinyPng(), ".PNG", "Pixel.PNG", MediaKind::kImage, "image/png", "png"},
        GoodHeader{"video", TinyMp4(), "mp4", "clip.mp4", MediaKind::kVideo, "video/mp4", "mp4"},
        GoodHeader{"Video", Tiny3gp(), "3gp", "clip.3gp", MediaKind::kVideo, "video/3gpp", "3gp"},
        GoodHeader{"video", Tiny3gp(), "3gpp", "clip.3gp", MediaKind::kVideo, "video/3gpp", "3gpp"},
        GoodHeader{"document", TinyPdf(), "pdf", "invoice-42.pdf", MediaKind::kDocument,
                   "application/pdf", "pdf"},
        GoodHeader{"Document", TinyPdf(), "PDF", "Fattura n. 42 (copia).Pdf", MediaKind::kDocument,
                   "application/pdf", "pdf"},
        GoodHeader{"document", TinyPdf(), "pdf", "fa\xC3\xA7tura.pdf", MediaKind::kDocument,
                   "application/pdf", "pdf"}));

TEST(DecodeMediaHeaderTest, TypeMustBeImageVideoOrDocument) {
  ExpectInvalid(DecodeMediaHeader(MakeRawHeader("audio", TinyPdf(), "pdf", "a.pdf"), {}),
                "header.type: must be one of image, video, document (got 'audio')");
  ExpectInvalid(DecodeMediaHeader(MakeRawHeader("", TinyPdf(), "pdf", "a.pdf"), {}),
                "header.type: must be one of image, video, document (got '')");
  ExpectInvalid(DecodeMediaHeader(MakeRawHeader("images", TinyPng(), "png", "a.png"), {}),
                "header.type:");
}

struct Mismatch {
  std::string type;
  std::string bytes;
  std::string document_type;
  std::string file_name;
  std::string message;
};

class SniffMismatchTest : public ::testing::TestWithParam<Mismatch> {};

TEST_P(SniffMismatchTest, BytesMustBeWhatTypeAndDocumentTypeSay) {
  const Mismatch& c = GetParam();
  ExpectInvalid(DecodeMediaHeader(MakeRawHeader(c.type, c.bytes, c.document_type, c.file_name), {}),
                c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SniffMismatchTest,
    ::testing::Values(
        Mismatch{"image", TinyPdf(), "png", "a.png",
                 "header.data: the bytes are application/pdf, but header.type 'image' needs "
                 "image/jpeg or image/png"},
        Mismatch{"image", TinyPng(), "jpg", "a.jpg",
                 "header.data: the bytes are image/png, but header.documentType 'jpg' needs "
                 "image/jpeg"},
        Mismatch{"image", TinyJpeg(), "png", "a.png",
                 "header.data: the bytes are image/jpeg, but header.documentType 'png' needs "
                 "image/png"},
        Mismatch{"video", TinyPng(), "mp4", "a.mp4",
                 "the bytes are image/png, but header.type 'video' needs video/mp4 or video/3gpp"},
        Mismatch{"video", TinyM4a(), "mp4", "a.mp4", "header.type 'video' needs"},
        Mismatch{"video", Tiny3gp(), "mp4", "a.mp4",
                 "the bytes are video/3gpp, but header.documentType 'mp4' needs video/mp4"},
        Mismatch{"video", TinyMp4(), "3gp", "a.3gp",
                 "the bytes are video/mp4, but header.documentType '3gp' needs video/3gpp"},
        Mismatch{"document", TinyJpeg(), "pdf", "a.pdf",
                 "the bytes are image/jpeg, but header.type 'document' needs application/pdf"},
        Mismatch{"document", "just some text, not a PDF at all\n", "pdf", "a.pdf",
                 "the bytes are text/plain, but header.type 'document' needs application/pdf"}));

struct BadDocumentType {
  std::string type;
  std::string bytes;
  std::string document_type;
  std::string message;
};

class DocumentTypeTest : public ::testing::TestWithParam<BadDocumentType> {};

TEST_P(DocumentTypeTest, MustFitTheType) {
  const BadDocumentType& c = GetParam();
  ExpectInvalid(DecodeMediaHeader(MakeRawHeader(c.type, c.bytes, c.document_type, "x.pdf"), {}),
                c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DocumentTypeTest,
    ::testing::Values(
        BadDocumentType{"image", TinyPng(), "gif",
                        "header.documentType: must be jpg, jpeg or png for an image header (got "
                        "'gif')"},
        BadDocumentType{"image", TinyPng(), "pdf", "must be jpg, jpeg or png for an image header"},
        BadDocumentType{"video", TinyMp4(), "mov", "must be mp4, 3gp or 3gpp for a video header"},
        BadDocumentType{"document", TinyPdf(), "docx",
                        "header.documentType: must be pdf for a document header (got 'docx')"},
        BadDocumentType{"document", TinyPdf(), "", "must be pdf for a document header (got '')"},
        BadDocumentType{"document", TinyPdf(), ".", "must be pdf for a document header"},
        BadDocumentType{"document", TinyPdf(), "..pdf", "must be pdf for a document header"}));

struct BadFileName {
  std::string file_name;
  std::string message;
};

class FileNameTest : public ::testing::TestWithParam<BadFileName> {};

TEST_P(FileNameTest, IsRejected) {
  ExpectInvalid(
      DecodeMediaHeader(MakeRawHeader("document", TinyPdf(), "pdf", GetParam().file_name), {}),
      GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, FileNameTest,
    ::testing::Values(
        BadFileName{"", "header.fileName: must not be empty"},
        BadFileName{std::string(237, 'a') + ".pdf", "header.fileName: must be at most 240"},
        BadFileName{"../etc/passwd.pdf",
                    "header.fileName: must not contain '/', '\\' or control characters"},
        BadFileName{"dir\\a.pdf", "must not contain '/', '\\' or control characters"},
        BadFileName{"a\nb.pdf", "must not contain '/', '\\' or control characters"},
        BadFileName{"a\x7F.pdf", "must not contain"},
        BadFileName{"a\xC3.pdf", "header.fileName: must be valid UTF-8"},
        BadFileName{"invoice", "header.fileName: must be a name ending in '.pdf'"},
        BadFileName{"invoice.", "must be a name ending in '.pdf'"},
        BadFileName{".pdf", "must be a name ending in '.pdf'"},
        BadFileName{"invoice.png",
                    "must be a name ending in '.pdf' to match header.documentType "
                    "(got 'invoice.png')"},
        BadFileName{"invoice.pdf.exe", "must be a name ending in '.pdf'"},
        // U+202E RIGHT-TO-LEFT OVERRIDE: shows as "invoiceexe.pdf".
        BadFileName{"invoice\xE2\x80\xAE"
                    "fdp.exe.pdf",
                    "header.fileName: must not contain bidirectional override or isolate"},
        BadFileName{"a\xE2\x80\xAA.pdf", "bidirectional override"},  // U+202A
        BadFileName{"a\xE2\x81\xA6.pdf", "bidirectional override"},  // U+2066
        BadFileName{"a\xE2\x81\xA9.pdf", "bidirectional override"}   // U+2069
        ));

TEST(FileNameTest, LengthIsCountedInCharactersNotBytes) {
  // 236 two-byte characters + ".pdf" = 240 characters but 476 bytes: accepted.
  std::string name;
  for (int i = 0; i < 236; ++i) {
    name += "\xC3\xA9";
  }
  name += ".pdf";
  const auto result = DecodeMediaHeader(MakeRawHeader("document", TinyPdf(), "pdf", name), {});
  EXPECT_TRUE(result.has_value()) << result.error().message;

  const auto too_long =
      DecodeMediaHeader(MakeRawHeader("document", TinyPdf(), "pdf", "\xC3\xA9" + name), {});
  ExpectInvalid(too_long, "header.fileName: must be at most 240 characters");
}

TEST(FileNameTest, MatchingExtensionVariantsAreAccepted) {
  EXPECT_TRUE(DecodeMediaHeader(MakeRawHeader("image", TinyJpeg(), "jpg", "a.jpeg"), {}));
  EXPECT_TRUE(DecodeMediaHeader(MakeRawHeader("video", Tiny3gp(), "3gpp", "a.3GP"), {}));
  EXPECT_TRUE(DecodeMediaHeader(MakeRawHeader("document", TinyPdf(), ".pdf", "a.b.c.pdf"), {}));
}

// --- base64 ---------------------------------------------------------------------------------

RawMediaHeader PdfWithData(std::string data) {
  return RawMediaHeader{"document", std::move(data), "pdf", "a.pdf"};
}

TEST(Base64Test, EmptyDataIsRejected) {
  ExpectInvalid(DecodeMediaHeader(PdfWithData(""), {}), "header.data: must not be empty");
  ExpectInvalid(DecodeMediaHeader(PdfWithData("\r\n"), {}), "header.data: must not be empty");
}

class BadBase64Test : public ::testing::TestWithParam<std::string> {};

TEST_P(BadBase64Test, IsRejected) {
  ExpectInvalid(DecodeMediaHeader(PdfWithData(GetParam()), {}),
                "header.data: is not valid base64 (RFC 4648 standard alphabet)");
}

const std::string kPdf64 = Base64(TinyPdf());

INSTANTIATE_TEST_SUITE_P(Cases, BadBase64Test,
                         ::testing::Values("not base64!", "JVBERi0xLjQ",  // missing padding
                                           "JVBERi0xLjQ=x",  // trailing garbage after padding
                                           kPdf64 + "AAAA!", kPdf64 + " ", " " + kPdf64,
                                           kPdf64.substr(0, 8) + " " + kPdf64.substr(8),
                                           kPdf64 + "\t", std::string("JVBE\0Ri0x", 9),  // NUL byte
                                           "JVBERi0xLjQ-",  // URL-safe alphabet
                                           "JVBERi0x_jQ=", "====", "JV=ERi0x",
                                           "JVBERi0xLjQ=====", "JVB=", "JVBERg=A",
                                           "JVBERh=="));  // non-zero trailing bits (not canonical)

TEST(Base64Test, LineBreaksAreTolerated) {
  std::string wrapped;
  for (std::size_t i = 0; i < kPdf64.size(); i += 16) {
    wrapped += kPdf64.substr(i, 16) + (i % 32 == 0 ? "\r\n" : "\n");
  }
  wrapped += "\r\n";
  const auto result = DecodeMediaHeader(PdfWithData(wrapped), {});
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->bytes, TinyPdf());
}

TEST(Base64Test, LineBreakInsidePaddingIsTolerated) {
  std::string data = Base64(TinyPng());
  ASSERT_EQ(data.back(), '=');
  data.insert(data.size() - 1, "\n");
  const auto result = DecodeMediaHeader(RawMediaHeader{"image", data, "png", "a.png"}, {});
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->bytes, TinyPng());
}

// --- size limits ----------------------------------------------------------------------------

TEST(SizeLimitTest, ExactlyAtTheLimitIsAccepted) {
  ValidationLimits limits;
  limits.max_document_bytes = TinyPdf().size();
  EXPECT_TRUE(DecodeMediaHeader(MakeRawHeader("document", TinyPdf(), "pdf", "a.pdf"), limits));
}

TEST(SizeLimitTest, OneByteOverIsRejectedWithTheSizes) {
  ValidationLimits limits;
  limits.max_document_bytes = TinyPdf().size() - 1;
  ExpectInvalid(DecodeMediaHeader(MakeRawHeader("document", TinyPdf(), "pdf", "a.pdf"), limits),
                "header.data: " + std::to_string(TinyPdf().size()) + " bytes is over the " +
                    std::to_string(limits.max_document_bytes) + "-byte limit for document headers");
}

TEST(SizeLimitTest, EachKindUsesItsOwnLimit) {
  ValidationLimits limits;
  limits.max_image_bytes = 10;
  limits.max_video_bytes = 10;
  limits.max_document_bytes = 1000;
  ExpectInvalid(DecodeMediaHeader(MakeRawHeader("image", TinyPng(), "png", "a.png"), limits),
                "-byte limit for image headers");
  ExpectInvalid(DecodeMediaHeader(MakeRawHeader("video", TinyMp4(), "mp4", "a.mp4"), limits),
                "-byte limit for video headers");
  EXPECT_TRUE(DecodeMediaHeader(MakeRawHeader("document", TinyPdf(), "pdf", "a.pdf"), limits));
}

TEST(SizeLimitTest, SizeIsCheckedBeforeDecoding) {
  // Invalid base64 whose length alone is over the limit: the size rule answers first, proving
  // the payload was measured, not decoded.
  ValidationLimits limits;
  limits.max_image_bytes = 1024;
  std::string data(4 * 1024, 'A');  // 3072 decoded bytes of zeros; not a PNG
  ExpectInvalid(DecodeMediaHeader(RawMediaHeader{"image", data, "png", "a.png"}, limits),
                "header.data: 3072 bytes is over the 1024-byte limit for image headers");
}

TEST(SizeLimitTest, DefaultsAreWhatsAppsLimits) {
  const ValidationLimits limits;
  EXPECT_EQ(limits.max_image_bytes, 5u * 1024 * 1024);
  EXPECT_EQ(limits.max_video_bytes, 16u * 1024 * 1024);
  EXPECT_EQ(limits.max_document_bytes, 100u * 1024 * 1024);
  // The brief's example: a 6 MiB image.
  std::string data((6u * 1024 * 1024) / 3 * 4, 'A');
  ExpectInvalid(DecodeMediaHeader(RawMediaHeader{"image", data, "png", "a.png"}, limits),
                "header.data: 6291456 bytes is over the 5242880-byte limit for image headers");
}

TEST(SniffTest, LargeDocumentIsSniffedFromItsStart) {
  // A PDF bigger than the 1 MiB sniff window.
  std::string pdf = TinyPdf();
  pdf.append(2u * 1024 * 1024, ' ');
  pdf += "\n%%EOF\n";
  const auto result = DecodeMediaHeader(MakeRawHeader("document", pdf, "pdf", "big.pdf"), {});
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->bytes.size(), pdf.size());
}

TEST(SniffTest, WorksFromManyThreads) {
  // Each thread opens its own libmagic handle; run a few at once to catch sharing mistakes
  // (best under TSan/ASan).
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (std::size_t t = 0; t < ok.size(); ++t) {
    threads.emplace_back([t, &ok] {
      for (int i = 0; i < 20; ++i) {
        const bool png =
            DecodeMediaHeader(MakeRawHeader("image", TinyPng(), "png", "a.png"), {}).has_value();
        const bool pdf =
            DecodeMediaHeader(MakeRawHeader("document", TinyPdf(), "pdf", "a.pdf"), {}).has_value();
        if (png && pdf) {
          ++ok[t];
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  for (const int count : ok) {
    EXPECT_EQ(count, 20);
  }
}

}  // namespace
}  // namespace socialgate::core
