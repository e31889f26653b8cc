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
