// Reading Meta's answers: every value checked for type and size, an unusable answer a value
// naming what is wrong, never an exception (nlohmann's type_error took the gateway down).
#include "providers/meta/graph_answer.hpp"

#include <string>

#include <gtest/gtest.h>

#include "core/text.hpp"

namespace socialgate::providers::meta {
namespace {

constexpr const char* kRealSendAnswer =
    R"({"messaging_product":"whatsapp","contacts":[{"input":"+447700900123","wa_id":"447700900123"}],)"
    R"("messages":[{"id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",)"
    R"("message_status":"accepted"}]})";

constexpr const char* kRealError =
    R"({"error":{"message":"(#131009) Parameter value is not valid","type":"OAuthException",)"
    R"("code":131009,"error_data":{"messaging_product":"whatsapp","details":"bad index"},)"
    R"("fbtrace_id":"AXsgnV2Cm3ZMGF3dF_cfYIn"}})";

// The reason an answer is unusable; fails the test when it is usable.
template <class T>
std::string Why(const core::Result<T>& result) {
  EXPECT_FALSE(result.has_value());
  if (result) return "(usable)";
  EXPECT_EQ(result.error().code, core::ErrorCode::kMalformed);
  return result.error().message;
}

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// ---- The send's answer ----------------------------------------------------------------------

TEST(ReadSendAnswerTest, ReadsMetasAnswer) {
  const auto answer = ReadSendAnswer(kRealSendAnswer);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->message_id, "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=");
  EXPECT_EQ(answer->wa_id, "447700900123");
  EXPECT_EQ(answer->ignored, "");
}

TEST(ReadSendAnswerTest, AWaIdIsTrimmedOptionalAndLeftOutWhenUnusable) {
  // Meta's own examples show a trailing space.
  auto answer = ReadSendAnswer(R"({"contacts":[{"wa_id":"48123 "}],"messages":[{"id":"w.1"}]})");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->wa_id, "48123");
  answer = ReadSendAnswer(R"({"messages":[{"id":"w.1"}]})");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->wa_id, "");
  EXPECT_EQ(answer->ignored, "");
  for (const char* contacts :
       {R"("contacts":[{"wa_id":48123}])", R"("contacts":{"wa_id":"1"})", R"("contacts":[])",
        R"("contacts":[{"wa_id":"a b"}])", R"("contacts":[["48123"]])"}) {
    answer = ReadSendAnswer(std::string("{") + contacts + R"(,"messages":[{"id":"w.1"}]})");
    ASSERT_TRUE(answer) << contacts;
    EXPECT_EQ(answer->message_id, "w.1");
    EXPECT_EQ(answer->wa_id, "") << contacts;
    EXPECT_NE(answer->ignored.find("contacts"), std::string::npos) << answer->ignored;
  }
  answer = ReadSendAnswer(R"({"contacts":[{"wa_id":")" + std::string(257, '1') +
                          R"("}],"messages":[{"id":"w.1"}]})");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->ignored, "contacts[0].wa_id is 257 bytes, more than 256");
}

TEST(ReadSendAnswerTest, WrongTypesAreNamed) {
  EXPECT_EQ(Why(ReadSendAnswer(R"({"messages":{"id":"wamid.1"}})")),
            "messages is an object, not an array");
  EXPECT_EQ(Why(ReadSendAnswer(R"({"messages":[{"id":12345}]})")),
            "messages[0].id is an integer, not a string");
  EXPECT_EQ(Why(ReadSendAnswer(R"({"messages":[{"id":1.5}]})")),
            "messages[0].id is a number with a fraction or exponent, not a string");
  EXPECT_EQ(Why(ReadSendAnswer(R"({"messages":[{"id":null}]})")),
            "messages[0].id is null, not a string");
  EXPECT_EQ(Why(ReadSendAnswer(R"({"messages":[{"id":true}]})")),
            "messages[0].id is a boolean, not a string");
  EXPECT_EQ(Why(ReadSendAnswer(R"({"messages":["wamid.1"]})")),
            "messages[0] is a string, not an object");
  EXPECT_EQ(Why(ReadSendAnswer(R"({"messages":[[{"id":"w"}]]})")),
            "messages[0] is an array, not an object");
  EXPECT_EQ(Why(ReadSendAnswer(R"(["messages"])")), "the answer is an array, not an object");
  EXPECT_EQ(Why(ReadSendAnswer(R"("wamid.1")")), "the answer is a string, not an object");
}

TEST(ReadSendAnswerTest, MissingAndEmptyValuesAreNamed) {
  EXPECT_EQ(Why(ReadSendAnswer(R"({"messaging_product":"whatsapp"})")), "messages is missing");
  EXPECT_EQ(Why(ReadSendAnswer(R"({"messages":[]})")), "messages is empty");
  EXPECT_EQ(Why(ReadSendAnswer(R"({"messages":[{}]})")), "messages[0].id is missing");
  EXPECT_EQ(Why(ReadSendAnswer(R"({"messages":[{"id":""}]})")), "messages[0].id is empty");
}

TEST(ReadSendAnswerTest, AnIdIsKeptWholeOrNotAtAll) {
  const std::string longest(kMaxMessageIdBytes, 'w');
  const auto answer = ReadSendAnswer(R"({"messages":[{"id":")" + longest + R"("}]})");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->message_id, longest);
  EXPECT_EQ(Why(ReadSendAnswer(R"({"messages":[{"id":")" + std::string(10'000, 'w') + R"("}]})")),
            "messages[0].id is 10000 bytes, more than 256");
  for (const char* id :
       {"wamid 1", "wamid\\n1", "wamid\\\"1", "wamid.\\u00e9", "wamid\\\\1", "wamid\\t1"}) {
    EXPECT_EQ(Why(ReadSendAnswer(std::string(R"({"messages":[{"id":")") + id + R"("}]})")),
              "messages[0].id has characters other than printable ASCII (no spaces, quotes or "
              "backslashes)")
        << id;
  }
}

TEST(ReadSendAnswerTest, BodiesThatAreNotAnswers) {
  EXPECT_EQ(Why(ReadSendAnswer("")), "the answer is empty");
  EXPECT_EQ(Why(ReadSendAnswer(" \r\n\t")), "the answer is empty");
  EXPECT_EQ(Why(ReadSendAnswer(R"({"messages":[{"id":"wamid.)")), "the answer is not JSON");
  EXPECT_EQ(Why(ReadSendAnswer("<html><body>OK</body></html>")), "the answer is not JSON");
  EXPECT_EQ(Why(ReadSendAnswer("{\"messages\":[{\"id\":\"\xFF\"}]}")), "the answer is not JSON");
  EXPECT_EQ(Why(ReadSendAnswer(Nested(10'000))), "the answer nests deeper than 16 levels");
  EXPECT_EQ(Why(ReadSendAnswer(std::string(10'000, '{'))),
            "the answer nests deeper than 16 levels");
  std::string big = R"({"messages":[{"id":"w.1"}],"pad":")" + std::string(kMaxAnswerBytes, ' ');
  big += "\"}";
  EXPECT_EQ(Why(ReadSendAnswer(big)),
            "the answer is " + std::to_string(big.size()) + " bytes, more than 65536");
}

// ---- The upload's answer --------------------------------------------------------------------

TEST(ReadUploadAnswerTest, ReadsTheMediaId) {
  const auto id = ReadUploadAnswer(R"({"id":"4490709327384033"})");
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, "4490709327384033");
}

TEST(ReadUploadAnswerTest, UnusableIdsAreNamed) {
  EXPECT_EQ(Why(ReadUploadAnswer(R"({"id":4490709327384033})")), "id is an integer, not a string");
  EXPECT_EQ(Why(ReadUploadAnswer(R"({"id":["1"]})")), "id is an array, not a string");
  EXPECT_EQ(Why(ReadUploadAnswer(R"({"success":true})")), "id is missing");
  EXPECT_EQ(Why(ReadUploadAnswer(R"({"id":")" + std::string(129, '1') + R"("})")),
            "id is 129 bytes, more than 128");
  EXPECT_EQ(Why(ReadUploadAnswer("")), "the answer is empty");
}

// ---- Error bodies ---------------------------------------------------------------------------

TEST(ReadGraphErrorTest, ReadsMetasErrorBody) {
  const auto error = ReadGraphError(kRealError);
  ASSERT_TRUE(error) << error.error().message;
  EXPECT_EQ(error->code, 131009);
  EXPECT_EQ(error->message, "(#131009) Parameter value is not valid");
  EXPECT_EQ(error->details, "bad index");
}

TEST(ReadGraphErrorTest, AMessageThatIsNotAStringIsLeftOutNotThrown) {
  // The issue's answer: nlohmann's value("message", std::string()) threw type_error here.
  auto error = ReadGraphError(R"({"error":{"code":131000,"message":7}})");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, 131000);
  EXPECT_EQ(error->message, "");
  error = ReadGraphError(
      R"({"error":{"code":132001,"message":["a"],"error_data":{"details":{"x":1}}}})");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "");
  EXPECT_EQ(error->details, "");
  error = ReadGraphError(R"({"error":{"code":131000,"error_data":"oops"}})");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->details, "");
}

TEST(ReadGraphErrorTest, TextIsOneBoundedLineOfValidUtf8) {
  const std::string long_text = std::string(1000, 'x') + "\\n" + std::string(1000, 'y');
  const auto error = ReadGraphError(R"({"error":{"code":1,"message":"  line one\nline\u0000two",)"
                                    R"("error_data":{"details":")" +
                                    long_text + R"("}}})");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "line one line two");
  EXPECT_EQ(error->details.size(), kMaxErrorTextBytes);
  EXPECT_EQ(error->details.substr(error->details.size() - 3), "...");
  EXPECT_TRUE(core::Utf8Length(error->details).has_value());
}

TEST(ReadGraphErrorTest, TheCodeMustBeAnIntegerThatFits) {
  EXPECT_EQ(Why(ReadGraphError(R"({"error":{"code":"131026"}})")),
            "error.code is a string, not an integer");
  EXPECT_EQ(Why(ReadGraphError(R"({"error":{"code":131000.0}})")),
            "error.code is a number with a fraction or exponent, not an integer");
  EXPECT_EQ(Why(ReadGraphError(R"({"error":{"code":1e300}})")),
            "error.code is a number with a fraction or exponent, not an integer");
  EXPECT_EQ(Why(ReadGraphError(R"({"error":{"code":4294967296131026}})")),
            "error.code is out of range (0 to 2147483647)");
  EXPECT_EQ(Why(ReadGraphError(R"({"error":{"code":18446744073709551615}})")),
            "error.code is out of range (0 to 2147483647)");
  EXPECT_EQ(Why(ReadGraphError(R"({"error":{"code":-131000}})")),
            "error.code is out of range (0 to 2147483647)");
  EXPECT_EQ(Why(ReadGraphError(R"({"error":{"message":"no code"}})")), "error.code is missing");
  const auto error = ReadGraphError(R"({"error":{"code":2147483647}})");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, 2147483647);
}

TEST(ReadGraphErrorTest, AnErrorThatIsNotAnObjectIsNamed) {
  EXPECT_EQ(Why(ReadGraphError(R"({"error":[131000,"x"]})")), "error is an array, not an object");
  EXPECT_EQ(Why(ReadGraphError(R"({"error":"Internal"})")), "error is a string, not an object");
  EXPECT_EQ(Why(ReadGraphError(R"({"errors":[{"code":1}]})")), "error is missing");
  EXPECT_EQ(Why(ReadGraphError("<html>502 Bad Gateway</html>")), "the answer is not JSON");
  EXPECT_EQ(Why(ReadGraphError(Nested(17))), "the answer nests deeper than 16 levels");
}

TEST(IsSafeIdTest, PrintableAsciiWithoutSpacesQuotesOrBackslashes) {
  EXPECT_TRUE(IsSafeId("wamid.HBgL-_+/=:9", 64));
  EXPECT_TRUE(IsSafeId("<MEDIA_ID>", 64));  // the example in Meta's own spec
  EXPECT_FALSE(IsSafeId("a b", 64));
  EXPECT_FALSE(IsSafeId("a\\b", 64));
  EXPECT_FALSE(IsSafeId("a\x7f", 64));
  EXPECT_FALSE(IsSafeId("caf\xc3\xa9", 64));
  EXPECT_FALSE(IsSafeId("", 64));
  EXPECT_FALSE(IsSafeId("abc", 2));
  EXPECT_FALSE(IsSafeId("a\"b", 64));
  EXPECT_FALSE(IsSafeId(std::string("a\0b", 3), 64));
}

}  // namespace
}  // namespace socialgate::providers::meta
