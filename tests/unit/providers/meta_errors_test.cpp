#include "providers/meta/meta_errors.hpp"

#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace socialgate::providers::meta {
namespace {

using Kind = SendOutcome::Kind;
using std::chrono::milliseconds;

std::string MetaError(int code, const std::string& message = "Title",
                      const std::string& details = "Details") {
  return nlohmann::json{{"error",
                         {{"message", "(#" + std::to_string(code) + ") " + message},
                          {"type", "OAuthException"},
                          {"code", code},
                          {"error_data", {{"messaging_product", "whatsapp"}, {"details", details}}},
                          {"fbtrace_id", "AXsgnV2Cm3ZMGF3dF_cfYIn"}}}}
      .dump();
}

// One test per row of the table: the code, sent the way Meta sends it (HTTP 400 for most,
// whatever the action), is classified as the table says, with Meta's code and message kept.
class MetaErrorTableTest : public ::testing::TestWithParam<MetaErrorRule> {};

TEST_P(MetaErrorTableTest, ClassifiesAsTheTableSays) {
  const MetaErrorRule& rule = GetParam();
  const SendOutcome o = ClassifyMetaFailure(400, MetaError(rule.code), std::nullopt);
  EXPECT_EQ(o.kind, rule.action == MetaAction::kFail ? Kind::kRejected : Kind::kRetryLater);
  EXPECT_EQ(o.error_code, std::to_string(rule.code));
  EXPECT_NE(o.error_message.find("(#" + std::to_string(rule.code) + ") Title: Details"),
            std::string::npos)
      << o.error_message;
  if (rule.action == MetaAction::kRetry && rule.min_retry_after.count() > 0) {
    ASSERT_TRUE(o.retry_after.has_value());
    EXPECT_GE(*o.retry_after, rule.min_retry_after);
  }
  if (rule.action == MetaAction::kFail) {
    EXPECT_FALSE(o.retry_after.has_value());
  }
}

INSTANTIATE_TEST_SUITE_P(EveryRow, MetaErrorTableTest, ::testing::ValuesIn(MetaErrorTable()),
                         [](const ::testing::TestParamInfo<MetaErrorRule>& row) {
                           return "code_" + std::to_string(row.param.code);
                         });

// Which failures say Meta itself is unwell (dispatch's circuit breaker counts those): server
// errors and downtime, never throttling (Meta working as designed) nor a refused message.
TEST(MetaErrorsTest, OnlyMetasOwnTroubleIsCalledUnwell) {
  for (const int code : {1, 2, 131000, 131016, 133004}) {
    const SendOutcome o = ClassifyMetaFailure(400, MetaError(code), std::nullopt);
    EXPECT_EQ(o.kind, Kind::kRetryLater) << code;
    EXPECT_TRUE(o.provider_unwell) << code;
  }
  for (const int code : {130429, 131056, 80007, 4, 131057, 132001, 424242}) {
    EXPECT_FALSE(ClassifyMetaFailure(400, MetaError(code), std::nullopt).provider_unwell) << code;
  }
  // An unknown code on a 5xx is retried, but only the table's codes say Meta is unwell.
  EXPECT_FALSE(ClassifyMetaFailure(503, MetaError(424242), std::nullopt).provider_unwell);
  // Without a Graph error, the status decides: a 5xx is Meta's trouble, a 429 or 408 is not.
  for (const long status : {500L, 502L, 503L, 599L}) {
    const SendOutcome o = ClassifyMetaFailure(status, "<html>", std::nullopt);
    EXPECT_EQ(o.error_code, "http_" + std::to_string(status));
    EXPECT_TRUE(o.provider_unwell) << status;
  }
  for (const long status : {408L, 429L, 404L, 0L, 600L}) {
    EXPECT_FALSE(ClassifyMetaFailure(status, "<html>", std::nullopt).provider_unwell) << status;
  }
  EXPECT_TRUE(ClassifySendAnswer(200, "{}", std::nullopt).provider_unwell);  // "bad_response"
  EXPECT_TRUE(ClassifyUploadAnswer(200, "{}", std::nullopt).error().provider_unwell);
  EXPECT_FALSE(
      ClassifySendAnswer(200, R"({"messages":[{"id":"wamid.1"}]})", std::nullopt).provider_unwell);
}

TEST(MetaErrorsTest, TableHasNoDuplicateCodes) {
  std::set<int> codes;
  for (const auto& rule : MetaErrorTable())
    EXPECT_TRUE(codes.insert(rule.code).second) << rule.code;
  EXPECT_NE(FindMetaErrorRule(132001), nullptr);
  EXPECT_EQ(FindMetaErrorRule(250)->code, 200);  // the 200-299 permission range
  EXPECT_EQ(FindMetaErrorRule(999999), nullptr);
}

TEST(MetaErrorsTest, TheKeyCodesOfTheIssue) {
  // Template missing or paused, parameters wrong, not on WhatsApp, re-engagement, bad token:
  for (int code : {132001, 132015, 132000, 132012, 131026, 131047, 190}) {
    EXPECT_EQ(ClassifyMetaFailure(400, MetaError(code), std::nullopt).kind, Kind::kRejected)
        << code;
  }
  // Throttling and temporary errors, even when Meta sends them as HTTP 400:
  for (int code : {130429, 131056, 80007, 4, 2, 131000, 131016, 133004, 131057}) {
    EXPECT_EQ(ClassifyMetaFailure(400, MetaError(code), std::nullopt).kind, Kind::kRetryLater)
        << code;
  }
}

TEST(MetaErrorsTest, RetryAfterIsHonouredAndRaisedToTheRowsMinimum) {
  auto o = ClassifyMetaFailure(429, MetaError(130429), milliseconds(7000));
  ASSERT_TRUE(o.retry_after);
  EXPECT_EQ(*o.retry_after, milliseconds(7000));
  o = ClassifyMetaFailure(400, MetaError(130429), std::nullopt);
  EXPECT_EQ(*o.retry_after, milliseconds(1000));
  o = ClassifyMetaFailure(400, MetaError(4), milliseconds(10));
  EXPECT_EQ(*o.retry_after, std::chrono::minutes(5));
}

TEST(MetaErrorsTest, UnknownCodesFollowTheHttpStatus) {
  EXPECT_EQ(ClassifyMetaFailure(400, MetaError(424242), std::nullopt).kind, Kind::kRejected);
  EXPECT_EQ(ClassifyMetaFailure(500, MetaError(424242), std::nullopt).kind, Kind::kRetryLater);
  EXPECT_EQ(ClassifyMetaFailure(429, MetaError(424242), std::nullopt).kind, Kind::kRetryLater);
}

TEST(MetaErrorsTest, AnswersWithoutAGraphErrorFollowTheHttpStatus) {
  for (long status : {500L, 502L, 503L, 504L, 429L, 408L}) {
    const auto o = ClassifyMetaFailure(status, "<html>Bad gateway</html>", milliseconds(3000));
    EXPECT_EQ(o.kind, Kind::kRetryLater) << status;
    EXPECT_EQ(o.error_code, "http_" + std::to_string(status));
    EXPECT_EQ(*o.retry_after, milliseconds(3000));
  }
  for (long status : {400L, 401L, 403L, 404L}) {
    EXPECT_EQ(ClassifyMetaFailure(status, "", std::nullopt).kind, Kind::kRejected) << status;
  }
}

// The issue's crash: a message that is a number made nlohmann throw on the HTTP client's thread.
// The code decides; the message is left out.
TEST(MetaErrorsTest, AnErrorWhoseMessageIsNotAStringIsClassifiedByItsCode) {
  auto o = ClassifyMetaFailure(400, R"({"error":{"code":131000,"message":7}})", std::nullopt);
  EXPECT_EQ(o.kind, Kind::kRetryLater);
  EXPECT_EQ(o.error_code, "131000");
  EXPECT_EQ(o.error_message, "Graph API error 131000");
  o = ClassifyMetaFailure(
      404, R"({"error":{"code":132001,"message":{},"error_data":{"details":"no such template"}}})",
      std::nullopt);
  EXPECT_EQ(o.kind, Kind::kRejected);
  EXPECT_EQ(o.error_code, "132001");
  EXPECT_EQ(o.error_message, "no such template");
}

TEST(MetaErrorsTest, AnUnusableErrorBodyFollowsTheHttpStatusWithTheReason) {
  auto o = ClassifyMetaFailure(400, R"({"error":[131000]})", std::nullopt);
  EXPECT_EQ(o.kind, Kind::kRejected);
  EXPECT_EQ(o.error_code, "http_400");
  EXPECT_EQ(o.error_message,
            "HTTP 400 without a Graph API error: error is an array, not an object");
  o = ClassifyMetaFailure(400, R"({"error":{"code":"131000"}})", std::nullopt);
  EXPECT_EQ(o.kind, Kind::kRejected);
  EXPECT_EQ(o.error_message,
            "HTTP 400 without a Graph API error: error.code is a string, not an integer");
  o = ClassifyMetaFailure(503, R"({"error":{"code":1e300}})", std::nullopt);
  EXPECT_EQ(o.kind, Kind::kRetryLater);
  EXPECT_EQ(o.error_code, "http_503");
  // Not HTTP statuses at all: a broken answer, worth another try.
  for (long status : {0L, 99L, 600L, 999L, -1L}) {
    EXPECT_EQ(ClassifyMetaFailure(status, "", std::nullopt).kind, Kind::kRetryLater) << status;
  }
  EXPECT_EQ(ClassifyMetaFailure(999, "", std::nullopt).error_code, "http_999");
  EXPECT_EQ(ClassifyMetaFailure(-1, "", std::nullopt).error_code, "http_invalid");
  EXPECT_EQ(ClassifyMetaFailure(1000, "", std::nullopt).error_code, "http_invalid");
}

TEST(MetaErrorsTest, AnErrorsTextIsCutToOneLine) {
  const std::string body = R"({"error":{"code":131026,"message":")" + std::string(5000, 'm') +
                           R"(\n","error_data":{"details":")" + std::string(5000, 'd') + R"("}}})";
  const auto o = ClassifyMetaFailure(400, body, std::nullopt);
  EXPECT_EQ(o.kind, Kind::kRejected);
  EXPECT_EQ(o.error_code, "131026");
  EXPECT_LE(o.error_message.size(), kMaxOutcomeMessageBytes);
  EXPECT_EQ(o.error_message.find('\n'), std::string::npos);
}

TEST(MetaErrorsTest, ASendAnswerWithAUsableIdIsAccepted) {
  std::string note = "stale";
  auto o = ClassifySendAnswer(
      200, R"({"contacts":[{"wa_id":"393403603062"}],"messages":[{"id":"wamid.A1"}]})",
      std::nullopt, &note);
  EXPECT_EQ(o.kind, Kind::kAccepted);
  EXPECT_EQ(o.provider_message_id, "wamid.A1");
  EXPECT_EQ(o.wa_id, "393403603062");
  EXPECT_EQ(note, "");
  o = ClassifySendAnswer(201, R"({"contacts":[{"wa_id":7}],"messages":[{"id":"wamid.A1"}]})",
                         std::nullopt, &note);
  EXPECT_EQ(o.kind, Kind::kAccepted);
  EXPECT_EQ(o.wa_id, "");
  EXPECT_EQ(note, "contacts[0].wa_id is an integer, not a string");
}

TEST(MetaErrorsTest, ASuccessWithoutAUsableMessageIdIsRetriedWithTheReason) {
  for (const char* body : {"", "<html>OK</html>", R"({"messages":{"id":"wamid.A1"}})",
                           R"({"messages":[{"id":"wamid.)", R"({"messages":[{"id":12}]})"}) {
    const auto o = ClassifySendAnswer(200, body, std::nullopt);
    EXPECT_EQ(o.kind, Kind::kRetryLater) << body;
    EXPECT_EQ(o.error_code, "bad_response") << body;
    EXPECT_EQ(o.error_message.rfind("the provider's answer carried no usable message id: ", 0), 0u)
        << o.error_message;
  }
  const auto o = ClassifySendAnswer(200, R"({"messages":[]})", std::nullopt);
  EXPECT_EQ(o.error_message,
            "the provider's answer carried no usable message id: messages is empty");
}

TEST(MetaErrorsTest, AFailedSendAnswerIsClassifiedAsAFailure) {
  const auto o = ClassifySendAnswer(400, MetaError(132001), std::nullopt);
  EXPECT_EQ(o.kind, Kind::kRejected);
  EXPECT_EQ(o.error_code, "132001");
}

TEST(MetaErrorsTest, UploadAnswersGiveAMediaIdOrAnOutcome) {
  auto id = ClassifyUploadAnswer(200, R"({"id":"4490709327384033"})", std::nullopt);
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, "4490709327384033");
  id = ClassifyUploadAnswer(200, R"({"id":4490709327384033})", std::nullopt);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().kind, Kind::kRetryLater);
  EXPECT_EQ(id.error().error_code, "bad_response");
  EXPECT_EQ(id.error().error_message,
            "media upload: the answer carried no usable media id: id is an integer, not a string");
  id = ClassifyUploadAnswer(400, MetaError(131053), std::nullopt);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().kind, Kind::kRejected);
  EXPECT_EQ(id.error().error_code, "131053");
  EXPECT_EQ(id.error().error_message.rfind("media upload: (#131053)", 0), 0u);
}

TEST(MetaErrorsTest, ParsesRetryAfterSeconds) {
  EXPECT_EQ(ParseRetryAfter("120"), milliseconds(120'000));
  EXPECT_EQ(ParseRetryAfter(" 0 "), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("99999999"), milliseconds(86'400'000));
  EXPECT_FALSE(ParseRetryAfter(""));
  EXPECT_FALSE(ParseRetryAfter("-1"));
  EXPECT_FALSE(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
}

}  // namespace
}  // namespace socialgate::providers::meta
