#include "fake-graph/multipart.hpp"

#include <string>

#include <gtest/gtest.h>

#include "fake-graph/text_util.hpp"

namespace socialgate::fake_graph {
namespace {

using namespace std::string_literals;

constexpr char kType[] = "multipart/form-data; boundary=----curlBoundary42";

TEST(MultipartTest, ParsesFieldsAndFileLikeCurl) {
  const std::string body =
      "------curlBoundary42\r\n"
      "Content-Disposition: form-data; name=\"messaging_product\"\r\n\r\n"
      "whatsapp\r\n"
      "------curlBoundary42\r\n"
      "Content-Disposition: form-data; name=\"type\"\r\n\r\n"
      "application/pdf\r\n"
      "------curlBoundary42\r\n"
      "Content-Disposition: form-data; name=\"file\"; filename=\"invoice.pdf\"\r\n"
      "Content-Type: application/pdf\r\n\r\n"
      "%PDF-1.4 hello\r\n"
      "------curlBoundary42--\r\n";
  auto form = ParseMultipart(kType, body);
  ASSERT_TRUE(form) << form.error();
  ASSERT_EQ(form->parts.size(), 3u);
  EXPECT_EQ(form->Find("messaging_product")->data, "whatsapp");
  EXPECT_FALSE(form->Find("messaging_product")->filename);
  EXPECT_EQ(form->Find("type")->data, "application/pdf");
  const auto* file = form->Find("file");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->filename.value_or(""), "invoice.pdf");
  EXPECT_EQ(file->content_type, "application/pdf");
  EXPECT_EQ(file->data, "%PDF-1.4 hello");
  EXPECT_EQ(form->Find("nope"), nullptr);
}

TEST(MultipartTest, BinaryFileWithCrlfNulAndBoundaryLookalikesIsKeptByteForByte) {
  // CRLF, NUL, high bytes, "--QQ9" not preceded by CRLF, CRLF "--" before another word, and a
  // trailing CR: none of them ends the part; only CRLF "--QQ9" does.
  const std::string data = "\x89PNG\r\n\x1a\n\0\0\r\n\r\nx--QQ9\r\n--QQ8\r\n-\xff\xfe\r"s;
  const std::string body =
      "--QQ9\r\n"
      "Content-Disposition: form-data; name=\"file\"; filename=\"x.png\"\r\n"
      "Content-Type: image/png\r\n\r\n" +
      data + "\r\n--QQ9--\r\n";
  auto form = ParseMultipart("multipart/form-data; boundary=QQ9", body);
  ASSERT_TRUE(form) << form.error();
  ASSERT_EQ(form->parts.size(), 1u);
  EXPECT_EQ(form->parts[0].data.size(), data.size());
  EXPECT_EQ(form->parts[0].data, data);
  EXPECT_EQ(form->parts[0].content_type, "image/png");
}

TEST(MultipartTest, QuotedBoundaryPreambleAndEpilogueAreAccepted) {
  const std::string body =
      "this is a preamble\r\n--a;b\r\n"
      "content-disposition: form-data; name=\"f\"; filename=\"semi;colon \\\"q\\\".txt\"\r\n\r\n"
      "x\r\n--a;b--\r\nepilogue";
  auto form = ParseMultipart("Multipart/Form-Data; charset=utf-8; boundary=\"a;b\"", body);
  ASSERT_TRUE(form) << form.error();
  ASSERT_EQ(form->parts.size(), 1u);
  EXPECT_EQ(form->parts[0].filename.value_or(""), "semi;colon \"q\".txt");
  EXPECT_EQ(form->parts[0].data, "x");
}

TEST(MultipartTest, EmptyPartContentIsAllowed) {
  auto form = ParseMultipart("multipart/form-data; boundary=B",
                             "--B\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n\r\n--B--");
  ASSERT_TRUE(form) << form.error();
  EXPECT_EQ(form->parts[0].data, "");
}

TEST(MultipartTest, RejectsAMissingOrBadBoundary) {
  EXPECT_EQ(ParseMultipart("multipart/form-data", "--x--").error(),
            "the Content-Type has no boundary parameter");
  EXPECT_EQ(ParseMultipart("multipart/form-data; boundary=", "--x--").error(),
            "the multipart boundary is empty");
  EXPECT_FALSE(ParseMultipart("multipart/form-data; boundary=" + std::string(71, 'b'), ""));
  EXPECT_EQ(ParseMultipart("application/json", "{}").error(),
            "the Content-Type must be multipart/form-data");
  EXPECT_EQ(ParseMultipart("multipart/form-data; boundary=zz", "--yy\r\n").error(),
            "the body does not contain the multipart boundary");
}

TEST(MultipartTest, RejectsBrokenFraming) {
  const std::string type = "multipart/form-data; boundary=B";
  // No closing boundary.
  auto r = ParseMultipart(type, "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("closing boundary"), std::string::npos) << r.error();
  // No Content-Disposition.
  r = ParseMultipart(type, "--B\r\nContent-Type: text/plain\r\n\r\nv\r\n--B--");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "part 1 has no Content-Disposition header");
  // Disposition without a name.
  r = ParseMultipart(type,
                     "--B\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nv\r\n--B--");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "part 1 has a Content-Disposition without a name");
  // Headers never end.
  r = ParseMultipart(type, "--B\r\nContent-Disposition: form-data; name=\"a\"");
  ASSERT_FALSE(r);
  // Only the close delimiter.
  r = ParseMultipart(type, "--B--\r\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "the multipart body has no parts");
  // Boundary followed by garbage instead of CRLF.
  r = ParseMultipart(type, "--Bxyz\r\n");
  ASSERT_FALSE(r);
}

TEST(TextUtilTest, HelpersBehave) {
  EXPECT_EQ(DigitsOf("+44 (7700) 900-123"), "447700900123");
  EXPECT_EQ(MediaType(" Application/JSON ; charset=utf-8"), "application/json");
  EXPECT_EQ(core::FormDecode("a%20b+c%2"), "a b c%2");
  EXPECT_EQ(QueryValue("path=media&id=x%3Dy", "id"), "x=y");
  EXPECT_EQ(QueryValue("path=media", "id"), "");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlEncode("abc"), "YWJj");
}

}  // namespace
}  // namespace socialgate::fake_graph
