// GET /livechat/{domain}/messages against the real binary, on each storage engine: the list
// newest first with the single-message answer's fields, its filters, a walk through its pages
// while messages keep arriving, what a user limited to one number and another domain see, and
// the refusals.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gateway_process.hpp"
#include "http_client.hpp"
#include "storage_engines.hpp"

namespace socialgate::testing {
namespace {

const Credentials kDemo{"demo", std::string(kTestPassword)};
const Credentials kClerk{"clerk", std::string(kTestPassword)};
const Credentials kAcme{"acme", std::string(kTestPassword)};
constexpr std::string_view kNumberA = "3902124122690";
constexpr std::string_view kNumberB = "3902124122691";
constexpr std::string_view kCustomer1 = "393403603062";
constexpr std::string_view kCustomer2 = "447911123456";

// Domain acme, then default (demo may use both its numbers, clerk only B). The last [[domains]]
// table is default's, so the tables added at the end are its.
std::string ListConfig() {
  std::string toml = TestConfig({
      {.name = "acme", .user = "acme", .number = "3902124122692", .ack = "stored"},
      {.name = "default", .user = "demo", .number = std::string(kNumberA), .ack = "stored"},
  });
  toml += "  [[domains.users]]\n  name = \"clerk\"\n  password_hash = \"" +
          std::string(kTestPasswordHash) + "\"\n  numbers = [\"" + std::string(kNumberB) + "\"]\n";
  toml += "  [[domains.numbers]]\n  phone = \"" + std::string(kNumberB) +
          "\"\n  provider = \"sandbox\"\n  [domains.numbers.sandbox]\n  sent_after_ms = 20\n"
          "  delivered_after_ms = 40\n  read_after_ms = 60\n";
  return toml;
}

// The ids of a list answer's messages, in order.
std::vector<std::string> Ids(const nlohmann::json& answer) {
  std::vector<std::string> ids;
  if (!answer.contains("messages") || !answer["messages"].is_array()) return ids;
  for (const auto& m : answer["messages"]) ids.push_back(m.value("messageId", ""));
  return ids;
}

class MessageListTest : public ::testing::TestWithParam<StorageEngine> {
 protected:
  MessageListTest() : database_(GetParam()), gateway_(ListConfig(), database_.url()) {}

  void SetUp() override { ASSERT_TRUE(gateway_.Start()); }

  std::string ListUrl(std::string_view query, std::string_view domain = "default") {
    std::string url = gateway_.base_url() + "/livechat/" + std::string(domain) + "/messages";
    if (!query.empty()) url += "?" + std::string(query);
    return url;
  }

  // Sends one message as demo (or `who` on `domain`); its messageId ("" on failure).
  std::string Send(std::string_view service, std::string_view customer,
                   std::string_view template_name = "shipping_confirmation",
                   const Credentials& who = kDemo, std::string_view domain = "default") {
    nlohmann::json body = SeedRequest(service);
    body["customerPhoneNumber"] = customer;
    body["templateName"] = template_name;
    const HttpResponse r = client_.PostJson(SendUrl(gateway_.base_url(), domain), body.dump(), who);
    EXPECT_EQ(r.status, 202) << r.Describe();
    return r.Json().value("messageId", "");
  }

  // The 200 answer to `query`, checked for the envelope and the list's order.
  nlohmann::json List(std::string_view query, const Credentials& who = kDemo,
                      std::string_view domain = "default") {
    const HttpResponse r = client_.Get(ListUrl(query, domain), who);
    EXPECT_EQ(r.status, 200) << r.Describe();
    nlohmann::json j = r.Json();
    EXPECT_EQ(j.value("result", false), true) << r.Describe();
    EXPECT_TRUE(j.contains("error") && j["error"].is_null()) << r.Describe();
    EXPECT_TRUE(j.contains("next") && (j["next"].is_null() || j["next"].is_string()))
        << r.Describe();
    EXPECT_TRUE(j.contains("messages") && j["messages"].is_array()) << r.Describe();
    if (!j.contains("messages") || !j["messages"].is_array()) return j;
    // Newest first: createdAt (fixed-width RFC 3339) descending, then messageId descending.
    const auto& ms = j["messages"];
    for (std::size_t i = 1; i < ms.size(); ++i) {
      const auto before =
          std::make_pair(ms[i - 1].value("createdAt", ""), ms[i - 1].value("messageId", ""));
      const auto after = std::make_pair(ms[i].value("createdAt", ""), ms[i].value("messageId", ""));
      EXPECT_GT(before, after) << "not newest first at " << i << ": " << r.Describe();
    }
    return j;
  }

  // Every page of `query` with `limit`, walked by `next`; the pages' sizes in `sizes`.
  std::vector<std::string> Walk(const std::string& query, int limit,
                                std::vector<std::size_t>& sizes) {
    std::vector<std::string> ids;
    std::string cursor;
    for (int pages = 0; pages < 50; ++pages) {
      std::string q = query + (query.empty() ? "" : "&") + "limit=" + std::to_string(limit);
      if (!cursor.empty()) q += "&cursor=" + cursor;
      const nlohmann::json page = List(q);
      sizes.push_back(page.value("messages", nlohmann::json::array()).size());
      for (auto& id : Ids(page)) ids.push_back(std::move(id));
      if (!page.contains("next") || !page["next"].is_string()) break;
      cursor = page["next"].get<std::string>();
    }
    return ids;
  }

  EngineDatabase database_;
  GatewayProcess gateway_;
  HttpClient client_;
};

TEST_P(MessageListTest, ListsNewestFirstFiltersAndWalksPagesWhileMessagesArrive) {
  std::vector<std::string> sent = {
      Send(kNumberA, kCustomer1), Send(kNumberA, kCustomer1),
      Send(kNumberB, kCustomer2), Send(kNumberA, kCustomer2, "order_update"),
      Send(kNumberB, kCustomer1), Send(kNumberA, kCustomer1),
      Send(kNumberA, kCustomer2)};
  ASSERT_EQ(std::count(sent.begin(), sent.end(), ""), 0);
  ASSERT_TRUE(
      WaitForAllMessagesStatus(client_, gateway_.base_url(), "default", sent, kDemo, "read"));

  const nlohmann::json all = List("");
  const std::vector<std::string> ids = Ids(all);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()),
            std::set<std::string>(sent.begin(), sent.end()));
  EXPECT_TRUE(all["next"].is_null()) << all.dump();
  // Each is the single-message answer without its history, pricing and conversation.
  for (const auto& item : all["messages"]) {
    const std::string id = item.value("messageId", "");
    nlohmann::json one = client_.Get(MessageUrl(gateway_.base_url(), "default", id), kDemo).Json();
    one.erase("result");
    one.erase("error");
    one.erase("history");
    one.erase("pricing");
    one.erase("conversation");
    EXPECT_EQ(item, one) << id;
    EXPECT_FALSE(item.contains("history"));
  }

  // Filters, each against what the full list says.
  const auto expect = [&](const std::string& query, const auto& keep) {
    std::vector<std::string> want;
    for (const auto& item : all["messages"]) {
      if (keep(item)) want.push_back(item.value("messageId", ""));
    }
    EXPECT_EQ(Ids(List(query)), want) << query;
  };
  const auto field_is = [](const char* name, std::string_view value) {
    return [name, value](const nlohmann::json& m) { return m.value(name, "") == value; };
  };
  expect("servicePhoneNumber=" + std::string(kNumberB), field_is("servicePhoneNumber", kNumberB));
  expect("customerPhoneNumber=%2B39%20340%20360%203062",
         field_is("customerPhoneNumber", kCustomer1));
  expect("customerPhoneNumber=447911123456&servicePhoneNumber=" + std::string(kNumberA),
         [](const nlohmann::json& m) {
           return m.value("customerPhoneNumber", "") == kCustomer2 &&
                  m.value("servicePhoneNumber", "") == kNumberA;
         });
  expect("templateName=order_update", field_is("templateName", "order_update"));
  expect("status=read", [](const nlohmann::json&) { return true; });
  expect("status=queued,sending,failed", [](const nlohmann::json&) { return false; });
  // from inclusive, to exclusive, at the createdAt of the fourth newest.
  const std::string at = all["messages"][3].value("createdAt", "");
  expect("from=" + at, [&](const nlohmann::json& m) { return m.value("createdAt", "") >= at; });
  expect("to=" + at, [&](const nlohmann::json& m) { return m.value("createdAt", "") < at; });
  const std::string newest = all["messages"][0].value("createdAt", "");
  const std::string oldest = all["messages"][6].value("createdAt", "");
  if (oldest < newest) {  // unless all seven were stored within one millisecond
    expect("from=" + oldest + "&to=" + newest + "&status=read", [&](const nlohmann::json& m) {
      return m.value("createdAt", "") >= oldest && m.value("createdAt", "") < newest;
    });
  }

  // Pages of 3: 3, 3, 1, in the full list's order, none twice.
  std::vector<std::size_t> sizes;
  EXPECT_EQ(Walk("", 3, sizes), ids);
  EXPECT_EQ(sizes, (std::vector<std::size_t>{3, 3, 1}));
  // A message arriving after the first page leaves the rest of the walk as it was.
  const nlohmann::json first = List("limit=3");
  ASSERT_TRUE(first["next"].is_string()) << first.dump();
  const std::string newer = Send(kNumberA, kCustomer1);
  ASSERT_FALSE(newer.empty());
  std::vector<std::string> walked = Ids(first);
  std::string cursor = first["next"].get<std::string>();
  while (!cursor.empty()) {
    const nlohmann::json page = List("limit=3&cursor=" + cursor);
    for (auto& id : Ids(page)) walked.push_back(std::move(id));
    cursor = page["next"].is_string() ? page["next"].get<std::string>() : "";
  }
  EXPECT_EQ(walked, ids);
  EXPECT_EQ(Ids(List("limit=1")), std::vector<std::string>{newer});
}

TEST_P(MessageListTest, ALimitedUserSeesItsNumbersAndADomainOnlyItsOwn) {
  const std::string a = Send(kNumberA, kCustomer1);
  const std::string b = Send(kNumberB, kCustomer1);
  const std::string other =
      Send("3902124122692", kCustomer1, "shipping_confirmation", kAcme, "acme");
  ASSERT_FALSE(a.empty() || b.empty() || other.empty());

  EXPECT_EQ(Ids(List("", kClerk)), std::vector<std::string>{b});
  EXPECT_EQ(Ids(List("servicePhoneNumber=" + std::string(kNumberB), kClerk)),
            std::vector<std::string>{b});
  EXPECT_EQ(Ids(List("customerPhoneNumber=" + std::string(kCustomer1), kClerk)),
            std::vector<std::string>{b});
  EXPECT_TRUE(IsError(
      client_.Get(ListUrl("servicePhoneNumber=" + std::string(kNumberA)), kClerk), 403,
      "servicePhoneNumber: user 'clerk' may not see the messages of " + std::string(kNumberA)));

  EXPECT_EQ(Ids(List("", kAcme, "acme")), std::vector<std::string>{other});
  const std::vector<std::string> mine = Ids(List(""));
  EXPECT_EQ(std::set<std::string>(mine.begin(), mine.end()), (std::set<std::string>{a, b}));
  // Another domain's credentials are not a user of this one.
  EXPECT_EQ(client_.Get(ListUrl(""), kAcme).status, 401);
  EXPECT_EQ(client_.Get(ListUrl("")).status, 401);
}

TEST_P(MessageListTest, BadQueriesAre400WithASentenceNamingTheParameter) {
  EXPECT_TRUE(IsError(client_.Get(ListUrl("limit=5000"), kDemo), 400,
                      "limit: must be an integer from 1 to 1000, got '5000'"));
  EXPECT_TRUE(IsError(client_.Get(ListUrl("statuss=read"), kDemo), 400,
                      "unknown query parameter 'statuss'"));
  EXPECT_TRUE(IsError(client_.Get(ListUrl("limit=1&limit=2"), kDemo), 400,
                      "limit: must be given at most once"));
  EXPECT_TRUE(IsError(client_.Get(ListUrl("status=sentt"), kDemo), 400, "status: must be"));
  EXPECT_TRUE(IsError(client_.Get(ListUrl("from=yesterday"), kDemo), 400,
                      "from: must be a UTC time in RFC 3339 form"));
  EXPECT_TRUE(IsError(client_.Get(ListUrl("customerPhoneNumber=12"), kDemo), 400,
                      "customerPhoneNumber: must be a valid international phone number"));
  EXPECT_TRUE(IsError(client_.Get(ListUrl("cursor=bm90LWEtY3Vyc29y"), kDemo), 400,
                      "cursor: must be the 'next' of an earlier page"));
  // A cursor of this list, edited.
  ASSERT_FALSE(Send(kNumberA, kCustomer1).empty());
  ASSERT_FALSE(Send(kNumberA, kCustomer1).empty());
  const nlohmann::json first = List("limit=1");
  ASSERT_TRUE(first["next"].is_string()) << first.dump();
  std::string edited = first["next"].get<std::string>();
  edited[edited.size() / 2] = edited[edited.size() / 2] == 'x' ? 'y' : 'x';
  EXPECT_TRUE(IsError(client_.Get(ListUrl("cursor=" + edited), kDemo), 400, "cursor: "));
  // A session token in the query is authentication's, not a filter.
  EXPECT_EQ(client_.Get(ListUrl("ctlivetoken=not-a-session"), kDemo).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Engines, MessageListTest, kStorageEngines, StorageEngineName);

}  // namespace
}  // namespace socialgate::testing
