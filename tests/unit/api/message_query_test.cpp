// The message list's query string (api/message_query.hpp): what each parameter becomes, every
// sentence a refusal says, and the cursor.
#include "api/message_query.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api/envelope.hpp"
#include "util/ids.hpp"

namespace socialgate::api {
namespace {

using core::MessageStatus;

// The refusal of `query`: its sentence, or "(accepted)".
std::string Refusal(const std::string& query) {
  auto parsed = ParseMessageQuery(query);
  if (parsed) return "(accepted)";
  EXPECT_EQ(parsed.error().code, core::ErrorCode::kMalformed) << query;
  EXPECT_EQ(HttpStatusFor(parsed.error().code), 400u);
  return parsed.error().message;
}

TEST(MessageQueryTest, NoParametersListEverythingAHundredAtATime) {
  auto q = ParseMessageQuery("");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->limit, 100);
  EXPECT_TRUE(q->statuses.empty());
  EXPECT_TRUE(q->service_phone.empty());
  EXPECT_TRUE(q->customer_phone.empty());
  EXPECT_TRUE(q->template_name.empty());
  EXPECT_FALSE(q->from_ms || q->to_ms || q->after);
  EXPECT_TRUE(q->domain.empty()) << "the endpoint's to set";
  EXPECT_TRUE(q->service_phones_allowed.empty()) << "the endpoint's to set";
}

TEST(MessageQueryTest, EveryParameterIsRead) {
  const store::ListPosition position{1'796'547'600'123, "019ab1c2-0000-7000-8000-000000000001"};
  auto q = ParseMessageQuery(
      "status=queued,failed&servicePhoneNumber=3902124122690"
      "&customerPhoneNumber=%2B39%20340%20360%203062&templateName=shipping_confirmation"
      "&from=2026-12-06T09:00:00.123Z&to=2026-12-07T00:00:00Z&limit=25&cursor=" +
      EncodeCursor(position) + "&ctlivetoken=abc&&");
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->statuses,
            (std::vector<MessageStatus>{MessageStatus::kQueued, MessageStatus::kFailed}));
  EXPECT_EQ(q->service_phone, "3902124122690");
  EXPECT_EQ(q->customer_phone, "393403603062");
  EXPECT_EQ(q->template_name, "shipping_confirmation");
  EXPECT_EQ(q->from_ms, 1'796'547'600'123);
  EXPECT_EQ(q->to_ms, 1'796'601'600'000);
  EXPECT_EQ(q->limit, 25);
  ASSERT_TRUE(q->after.has_value());
  EXPECT_EQ(q->after->created_at_ms, position.created_at_ms);
  EXPECT_EQ(q->after->id, position.id);
}

TEST(MessageQueryTest, PhoneNumbersAreNormalisedAsTheSendEndpointDoes) {
  for (const char* written : {"393403603062", "%2B393403603062", "+39+340+360+3062",
                              "%2B39%20(340)%20360-3062", "39.340.360.3062"}) {
    auto q = ParseMessageQuery(std::string("customerPhoneNumber=") + written);
    ASSERT_TRUE(q) << written << ": " << q.error().message;
    EXPECT_EQ(q->customer_phone, "393403603062") << written;
  }
}

TEST(MessageQueryTest, UnknownAndRepeatedParametersAreRefused) {
  const std::string known =
      ": the parameters of this endpoint are status, servicePhoneNumber, customerPhoneNumber, "
      "templateName, from, to, limit, cursor";
  EXPECT_EQ(Refusal("statuss=read"), "unknown query parameter 'statuss'" + known);
  EXPECT_EQ(Refusal("Status=read"), "unknown query parameter 'Status'" + known);
  EXPECT_EQ(Refusal("limit=5&a=1&b&c=3"), "unknown query parameters 'a', 'b', 'c'" + known);
  EXPECT_EQ(Refusal("a=1&b=1&c=1&d=1&e=1&f=1&g=1"),
            "unknown query parameters 'a', 'b', 'c', 'd', 'e' and 2 more" + known);
  EXPECT_EQ(Refusal("limit=1&limit=2"),
            "limit: must be given at most once, got it more than once (several statuses go in "
            "one comma-separated list)");
  EXPECT_EQ(Refusal("to=x&status=read&to=y&status=sent"),
            "status: must be given at most once, got it more than once (several statuses go in "
            "one comma-separated list)");
}

TEST(MessageQueryTest, EachBadValueIsRefusedNamingItsParameterAndTheValue) {
  const std::string statuses =
      "status: must be a message status (queued, sending, accepted, sent, delivered, read, "
      "failed) or a comma-separated list of them, got ";
  EXPECT_EQ(Refusal("status=sentt"), statuses + "'sentt'");
  EXPECT_EQ(Refusal("status=READ"), statuses + "'READ'");
  EXPECT_EQ(Refusal("status=queued,"), statuses + "'queued,'");
  EXPECT_EQ(Refusal("status="), statuses + "''");

  const std::string phone =
      ": must be a valid international phone number, country code first (e.g. 393403603062 or "
      "+39 340 360 3062), got ";
  EXPECT_EQ(Refusal("servicePhoneNumber=abc"), "servicePhoneNumber" + phone + "'abc'");
  EXPECT_EQ(Refusal("customerPhoneNumber=3934"), "customerPhoneNumber" + phone + "'3934'");
  EXPECT_EQ(Refusal("customerPhoneNumber="), "customerPhoneNumber" + phone + "''");

  EXPECT_EQ(Refusal("templateName=Bad-Name"),
            "templateName: must contain only lower-case letters, digits and underscores (got "
            "'Bad-Name')");
  EXPECT_EQ(Refusal("templateName="), "templateName: must not be empty");

  const std::string time =
      ": must be a UTC time in RFC 3339 form, e.g. 2026-12-06T09:00:00Z or "
      "2026-12-06T09:00:00.123Z, got ";
  EXPECT_EQ(Refusal("from=2026-12-06"), "from" + time + "'2026-12-06'");
  EXPECT_EQ(Refusal("to=2026-02-30T00:00:00Z"), "to" + time + "'2026-02-30T00:00:00Z'");
  EXPECT_EQ(Refusal("from=2026-12-06T09:00:00%2B01:00"),
            "from" + time + "'2026-12-06T09:00:00+01:00'");
  EXPECT_EQ(Refusal("from=2026-12-06T09:00:00.1234Z"),
            "from" + time + "'2026-12-06T09:00:00.1234Z'");
  EXPECT_EQ(Refusal("from=2026-12-07T00:00:00Z&to=2026-12-06T00:00:00Z"),
            "to: must be later than from, got from '2026-12-07T00:00:00Z' and to "
            "'2026-12-06T00:00:00Z'");
  EXPECT_EQ(Refusal("from=2026-12-06T00:00:00Z&to=2026-12-06T00:00:00.000Z"),
            "to: must be later than from, got from '2026-12-06T00:00:00Z' and to "
            "'2026-12-06T00:00:00.000Z'");

  for (const char* bad :
       {"5000", "0", "-1", "1001", "abc", "", "1.5", "%2B5", "%205", "99999999999"}) {
    auto q = ParseMessageQuery(std::string("limit=") + bad);
    ASSERT_FALSE(q) << bad;
    EXPECT_EQ(q.error().message.rfind("limit: must be an integer from 1 to 1000, got '", 0), 0u)
        << q.error().message;
  }
  EXPECT_EQ(Refusal("limit=5000"), "limit: must be an integer from 1 to 1000, got '5000'");
  EXPECT_EQ(ParseMessageQuery("limit=1000")->limit, 1000);
  EXPECT_EQ(ParseMessageQuery("limit=1")->limit, 1);
}

TEST(MessageQueryTest, ACursorRoundTripsAndAnythingElseIsRefused) {
  const store::ListPosition position{1'796'547'600'123, "id.with.dots"};
  const std::string cursor = EncodeCursor(position);
  EXPECT_EQ(
      cursor.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos)
      << cursor;
  auto decoded = DecodeCursor(cursor);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->created_at_ms, position.created_at_ms);
  EXPECT_EQ(decoded->id, position.id);

  const std::string prefix = "cursor: must be the 'next' of an earlier page, unchanged, got ";
  EXPECT_EQ(Refusal("cursor=!!!"), prefix + "'!!!', which is not base64url");
  EXPECT_EQ(Refusal("cursor="), prefix + "'', which is not a cursor");
  // "hello": base64url, but not a cursor.
  EXPECT_EQ(Refusal("cursor=aGVsbG8"), prefix + "'aGVsbG8', which is not a cursor");
  // Every single-character edit is found.
  for (std::size_t i = 0; i < cursor.size(); ++i) {
    std::string edited = cursor;
    edited[i] = edited[i] == 'A' ? 'B' : 'A';
    auto refused = DecodeCursor(edited);
    ASSERT_FALSE(refused) << edited;
    EXPECT_EQ(refused.error().message.rfind(prefix, 0), 0u) << refused.error().message;
  }
  EXPECT_FALSE(DecodeCursor(cursor.substr(0, cursor.size() - 1)));
  EXPECT_FALSE(DecodeCursor(cursor + "A"));
  EXPECT_EQ(Refusal("cursor=" + std::string(600, 'A')),
            prefix + "'" + std::string(40, 'A') + "...', which is too long");
}

TEST(MessageQueryTest, UtcTimesAreReadToTheMillisecond) {
  EXPECT_EQ(ParseUtcMillis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseUtcMillis("2026-12-06T09:00:00.123Z"), 1'796'547'600'123);
  EXPECT_EQ(ParseUtcMillis("2026-12-06t09:00:00.1z"), 1'796'547'600'100);
  EXPECT_EQ(ParseUtcMillis("2000-02-29T23:59:59Z"), 951'868'799'000);
  // What the answers' createdAt says reads back as the same time.
  for (const std::int64_t ms : {0LL, 1'796'547'600'123LL, 951'868'799'999LL}) {
    EXPECT_EQ(ParseUtcMillis(util::FormatUtcMillis(ms)), ms) << util::FormatUtcMillis(ms);
  }
  for (const char* bad : {"", "2026-12-06T09:00:00", "2026-12-06 09:00:00Z", "2026-13-01T00:00:00Z",
                          "2026-12-06T24:00:00Z", "2026-12-06T09:60:00Z", "2026-12-06T09:00:60Z",
                          "2026-12-06T09:00:00.Z", "2026-12-06T09:00:00ZZ", "1900-02-29T00:00:00Z",
                          "+2026-12-06T09:00:00Z", "2026-12-06T09:00:00-00:00"}) {
    EXPECT_FALSE(ParseUtcMillis(bad)) << bad;
  }
}

}  // namespace
}  // namespace socialgate::api
