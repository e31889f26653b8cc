#include "http/framing.hpp"

#include <gtest/gtest.h>

namespace socialgate::http {
namespace {

HttpRequest Head(std::vector<std::pair<std::string, std::string>> headers) {
  HttpRequest r;
  r.method = "POST";
  r.path = "/";
  r.headers = std::move(headers);
  return r;
}

TEST(FramingTest, OneContentLengthOrExactlyChunked) {
  EXPECT_FALSE(FramingError(Head({{"host", "a"}, {"content-length", "5"}}), 11, false));
  EXPECT_FALSE(FramingError(Head({{"host", "a"}, {"transfer-encoding", "chunked"}}), 11, true));
  EXPECT_FALSE(FramingError(Head({{"host", "a"}, {"transfer-encoding", " Chunked "}}), 11, true));
  EXPECT_FALSE(FramingError(Head({{"host", "a"}}), 11, false));
}

TEST(FramingTest, AnyOtherTransferEncodingIsRefused) {
  for (const char* coding : {"xchunked", "chunked, identity", "identity, chunked", "gzip",
                             "x chunked", "chunked;q=1", ""}) {
    const bool parser_chunked = std::string_view(coding) == "identity, chunked";
    auto e =
        FramingError(Head({{"host", "a"}, {"transfer-encoding", coding}, {"content-length", "5"}}),
                     11, parser_chunked);
    ASSERT_TRUE(e) << coding;
    EXPECT_EQ(*e, "Transfer-Encoding: only \"chunked\" is supported") << coding;
  }
  EXPECT_TRUE(FramingError(
      Head({{"host", "a"}, {"transfer-encoding", "chunked"}, {"transfer-encoding", "chunked"}}), 11,
      true));
  // The parser's view must agree: a value our reading calls "chunked" that it did not.
  EXPECT_TRUE(FramingError(Head({{"host", "a"}, {"transfer-encoding", "chunked"}}), 11, false));
  auto both = FramingError(
      Head({{"host", "a"}, {"transfer-encoding", "chunked"}, {"content-length", "5"}}), 11, true);
  ASSERT_TRUE(both);
  EXPECT_EQ(*both, "Transfer-Encoding and Content-Length: a request may carry only one of them");
  EXPECT_TRUE(FramingError(Head({{"transfer-encoding", "chunked"}}), 10, true));
  EXPECT_TRUE(FramingError(Head({{"host", "a"}, {"content-length", "5"}, {"content-length", "5"}}),
                           11, false));
}

TEST(FramingTest, Http11NeedsExactlyOneHost) {
  auto none = FramingError(Head({}), 11, false);
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, "Host: an HTTP/1.1 request needs exactly one Host header, not 0");
  EXPECT_TRUE(FramingError(Head({{"host", "a"}, {"host", "b"}}), 11, false));
  EXPECT_FALSE(FramingError(Head({}), 10, false));
  EXPECT_TRUE(FramingError(Head({{"host", "a"}, {"host", "a"}}), 10, false));
}

}  // namespace
}  // namespace socialgate::http
