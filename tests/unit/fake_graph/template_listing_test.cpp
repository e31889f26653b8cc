// The template listing: GET /{version}/{waba-id}/message_templates (paging, filters, refusals,
// recording), its control endpoints (GET and PUT /_fake/templates), its fault path and the
// --templates-file reader.
#include "fake-graph/template_listing.hpp"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fake-graph/fake_graph.hpp"
#include "test_support.hpp"

namespace socialgate::fake_graph {
namespace {

using namespace test_support;  // NOLINT: the test helpers
using nlohmann::json;

constexpr char kListingPath[] = "/v23.0/102290129340398/message_templates";

// `count` templates t1, t2, ...: every third PAUSED, the even ones in en_US, the odd in en_GB.
std::string ListingText(int count) {
  json data = json::array();
  for (int i = 1; i <= count; ++i) {
    data.push_back({{"id", std::to_string(100000000000000 + i)},
                    {"name", "t" + std::to_string(i)},
                    {"language", i % 2 == 0 ? "en_US" : "en_GB"},
                    {"status", i % 3 == 0 ? "PAUSED" : "APPROVED"},
                    {"category", "UTILITY"},
                    {"components", {{{"type", "BODY"}, {"text", "Hello {{1}}"}}}}});
  }
  return json{{"data", data}}.dump();
}

TemplateList Listing(int count) {
  auto listing = ParseTemplateListing(ListingText(count));
  EXPECT_TRUE(listing) << listing.error();
  return listing ? *listing : TemplateList{};
}

Options ListingOptions(int count) {
  auto options = TestOptions();
  options.templates = Listing(count);
  return options;
}

http::HttpRequest ListingRequest(std::string query = {}, std::string path = kListingPath) {
  auto r = WithBearer(Request("GET", std::move(path), {}, {}, std::move(query)));
  r.headers.emplace_back("host", "127.0.0.1:8080");
  return r;
}

std::vector<std::string> Names(const json& page) {
  std::vector<std::string> names;
  for (const auto& t : page["data"]) names.push_back(t["name"]);
  return names;
}

void ExpectCode100(const http::HttpResponse& r, const std::string& details_part) {
  EXPECT_EQ(r.status, 400u) << r.body;
  const auto j = Json(r);
  EXPECT_EQ(j["error"]["code"], 100) << r.body;
  EXPECT_NE(j["error"]["error_data"]["details"].get<std::string>().find(details_part),
            std::string::npos)
      << r.body;
}

TEST(TemplateListingTest, PagesOverTheListingWithCursorsAndNextUntilTheLast) {
  FakeGraph graph(ListingOptions(5));
  auto r = Call(graph, ListingRequest("fields=name,status&limit=2"));
  ASSERT_EQ(r.status, 200u) << r.body;
  auto page = Json(r);
  EXPECT_EQ(Names(page), (std::vector<std::string>{"t1", "t2"}));
  EXPECT_EQ(page["paging"]["cursors"]["before"], EncodeCursor(0));
  EXPECT_EQ(page["paging"]["cursors"]["after"], EncodeCursor(2));
  EXPECT_EQ(page["paging"]["next"], "http://127.0.0.1:8080" + std::string(kListingPath) +
                                        "?fields=name,status&limit=2&after=" + EncodeCursor(2));
  // The objects come whole, whatever `fields` asked.
  EXPECT_EQ(page["data"][0], json::parse(ListingText(5))["data"][0]);

  // Following `next` (its query replaces the previous `after`).
  const auto follow = [&](const json& previous) {
    const std::string next = previous["paging"]["next"];
    return Call(graph, ListingRequest(next.substr(next.find('?') + 1)));
  };
  r = follow(page);
  page = Json(r);
  EXPECT_EQ(Names(page), (std::vector<std::string>{"t3", "t4"}));
  EXPECT_EQ(page["paging"]["cursors"]["before"], EncodeCursor(2));
  EXPECT_EQ(page["paging"]["cursors"]["after"], EncodeCursor(4));
  const std::string next = page["paging"]["next"];
  EXPECT_EQ(next.substr(next.find('?') + 1), "fields=name,status&limit=2&after=" + EncodeCursor(4));
  r = follow(page);
  page = Json(r);
  EXPECT_EQ(Names(page), (std::vector<std::string>{"t5"}));
  EXPECT_EQ(page["paging"]["cursors"]["after"], EncodeCursor(5));
  EXPECT_FALSE(page["paging"].contains("next")) << r.body;

  // Past the end: an empty page without paging.
  r = Call(graph, ListingRequest("limit=2&after=" + EncodeCursor(5)));
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, R"({"data":[]})");
}

TEST(TemplateListingTest, DefaultLimitIs25AndAnEmptyListingIsServedWithoutAFile) {
  FakeGraph graph(ListingOptions(30));
  auto page = Json(Call(graph, ListingRequest()));
  EXPECT_EQ(page["data"].size(), 25u);
  EXPECT_EQ(page["paging"]["next"],
            "http://127.0.0.1:8080" + std::string(kListingPath) + "?after=" + EncodeCursor(25));
  page = Json(Call(graph, ListingRequest("limit=1000")));
  EXPECT_EQ(page["data"].size(), 30u);
  EXPECT_FALSE(page["paging"].contains("next"));

  FakeGraph empty(TestOptions());
  const auto r = Call(empty, ListingRequest("limit=10"));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, R"({"data":[]})");
}

TEST(TemplateListingTest, FiltersAreExactAndPagedAfterFiltering) {
  FakeGraph graph(ListingOptions(7));
  EXPECT_EQ(Names(Json(Call(graph, ListingRequest("status=PAUSED")))),
            (std::vector<std::string>{"t3", "t6"}));
  EXPECT_EQ(Names(Json(Call(graph, ListingRequest("language=en_US")))),
            (std::vector<std::string>{"t2", "t4", "t6"}));
  EXPECT_EQ(Names(Json(Call(graph, ListingRequest("name=t5&language=en_GB")))),
            (std::vector<std::string>{"t5"}));
  EXPECT_EQ(Call(graph, ListingRequest("name=t5&language=en_US")).body, R"({"data":[]})");
  EXPECT_EQ(Call(graph, ListingRequest("name=t")).body, R"({"data":[]})");
  // An empty value filters nothing.
  EXPECT_EQ(Json(Call(graph, ListingRequest("status=")))["data"].size(), 7u);

  const auto page = Json(Call(graph, ListingRequest("status=APPROVED&limit=2")));
  EXPECT_EQ(Names(page), (std::vector<std::string>{"t1", "t2"}));
  const std::string next = page["paging"]["next"];
  EXPECT_EQ(Names(Json(Call(graph, ListingRequest(next.substr(next.find('?') + 1))))),
            (std::vector<std::string>{"t4", "t5"}));
}

TEST(TemplateListingTest, AnotherWabaIdIsMetasUnknownObjectError) {
  FakeGraph graph(ListingOptions(2));
  const auto r = Call(graph, ListingRequest({}, "/v23.0/999/message_templates"));
  EXPECT_EQ(r.status, 400u);
  const auto e = Json(r)["error"];
  EXPECT_EQ(e["code"], 100);
  EXPECT_EQ(e["error_subcode"], 33);
  EXPECT_EQ(e["type"], "GraphMethodException");
  EXPECT_EQ(e["message"].get<std::string>().rfind(
                "Unsupported get request. Object with ID '999' does not exist, cannot be loaded "
                "due to missing permissions, or does not support this operation.",
                0),
            0u)
      << e["message"];
  EXPECT_EQ(e["fbtrace_id"].get<std::string>().rfind('A', 0), 0u);

  auto options = ListingOptions(2);
  options.waba_id = "999";
  FakeGraph other(options);
  EXPECT_EQ(Call(other, ListingRequest({}, "/v23.0/999/message_templates")).status, 200u);
  EXPECT_EQ(Call(other, ListingRequest()).status, 400u);
}

TEST(TemplateListingTest, BadLimitCursorAndBeforeAreCode100) {
  FakeGraph graph(ListingOptions(3));
  for (const char* limit : {"0", "1001", "abc", "", "-1", "2.5"}) {
    ExpectCode100(Call(graph, ListingRequest(std::string("limit=") + limit)), "limit");
  }
  for (const std::string after : {"", "!!", "%%%", "MDI" /* "02" */, "eA" /* "x" */, "MB"}) {
    ExpectCode100(Call(graph, ListingRequest("after=" + after)), "after");
  }
  ExpectCode100(Call(graph, ListingRequest("before=" + EncodeCursor(2))), "before");
  // Only the first of a repeated parameter counts.
  EXPECT_EQ(Json(Call(graph, ListingRequest("limit=1&limit=0")))["data"].size(), 1u);
}

TEST(TemplateListingTest, OnlyGetWithTheTokenAndAVersionIsServed) {
  FakeGraph graph(ListingOptions(3));
  auto post = ListingRequest();
  post.method = "POST";
  ExpectCode100(Call(graph, post), "Unsupported post request");
  auto no_auth = Request("GET", kListingPath);
  EXPECT_EQ(Json(Call(graph, no_auth))["error"]["code"], 190);
  EXPECT_EQ(Json(Call(graph, WithBearer(no_auth, "wrong")))["error"]["code"], 190);
  ExpectCode100(Call(graph, ListingRequest({}, "/23.0/102290129340398/message_templates")),
                "API version");
  // GET is for the listing only.
  ExpectCode100(Call(graph, ListingRequest({}, "/v23.0/1065/messages")), "Unsupported get");
}

TEST(TemplateListingTest, ListingRequestsAreRecordedAndCounted) {
  FakeGraph graph(ListingOptions(3));
  Call(graph, ListingRequest("limit=2"));
  Call(graph, ListingRequest({}, "/v23.0/999/message_templates"));
  Call(graph, SendRequest(TemplateBody()));
  const auto list = Json(Call(graph, Request("GET", "/_fake/requests", {}, {}, "path=templates")));
  ASSERT_EQ(list["requests"].size(), 2u);
  const auto& first = list["requests"][0];
  EXPECT_EQ(first["method"], "GET");
  EXPECT_EQ(first["kind"], "templates");
  EXPECT_EQ(first["waba_id"], "102290129340398");
  EXPECT_FALSE(first.contains("phone_number_id"));
  EXPECT_EQ(first["query"], "limit=2");
  EXPECT_EQ(first["outcome"]["status"], 200);
  EXPECT_EQ(first["outcome"]["accepted"], false);
  EXPECT_EQ(list["requests"][1]["waba_id"], "999");
  EXPECT_EQ(list["requests"][1]["outcome"]["error_code"], 100);
  const auto stats = Json(Call(graph, Request("GET", "/_fake/stats")));
  EXPECT_EQ(stats["by_path"]["templates"], 2);
  EXPECT_EQ(stats["by_path"]["messages"], 1);
  EXPECT_EQ(stats["messages_accepted"], 1);
}

TEST(TemplateListingTest, PutReplacesTheListingGetShowsItAndResetRestoresTheFiles) {
  FakeGraph graph(ListingOptions(3));
  auto r = Call(graph, Request("GET", "/_fake/templates"));
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(Json(r), json::parse(ListingText(3)));

  r = Call(graph, Request("PUT", "/_fake/templates", ListingText(6), "application/json"));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Json(r)["templates"], 6);
  EXPECT_EQ(Json(Call(graph, Request("GET", "/_fake/templates"))), json::parse(ListingText(6)));
  EXPECT_EQ(Json(Call(graph, ListingRequest()))["data"].size(), 6u);

  const auto refused = [&](const std::string& body, const std::string& part) {
    const auto answer = Call(graph, Request("PUT", "/_fake/templates", body, "application/json"));
    EXPECT_EQ(answer.status, 400u) << body;
    EXPECT_NE(Json(answer)["error"].get<std::string>().find(part), std::string::npos)
        << answer.body;
  };
  refused("{", "not valid JSON");
  refused(R"({"templates":[]})", "{\"data\"");
  refused(R"({"data":[7]})", "data[0] must be an object");
  refused(R"({"data":[{"name":"a","language":"en","status":"APPROVED"}]})", "data[0].id");
  refused(R"({"data":[{"id":"12x","name":"a","language":"en","status":"APPROVED"}]})",
          "data[0].id");
  refused(R"({"data":[{"id":"1","name":"","language":"en","status":"APPROVED"}]})", "data[0].name");
  refused(R"({"data":[{"id":"1","name":"a","language":"en"}]})", "data[0].status");
  refused(R"({"data":[{"id":"1","name":"a","language":"en","status":"APPROVED"},)"
          R"({"id":"2","name":"a","language":"en","status":"PAUSED"}]})",
          "listed twice");
  refused(std::string(100, '[') + std::string(100, ']'), "nests deeper");
  EXPECT_EQ(Call(graph, Request("POST", "/_fake/templates", ListingText(1))).status, 405u);
  // The refusals left the listing alone.
  EXPECT_EQ(Json(Call(graph, ListingRequest()))["data"].size(), 6u);

  // The objects are served as given, their members in the given order.
  const std::string ordered =
      R"({"id":"9","name":"z","status":"PAUSED","language":"en","components":[{"type":"BODY"}],)"
      R"("category":"MARKETING"})";
  ASSERT_EQ(Call(graph, Request("PUT", "/_fake/templates", R"({"data":[)" + ordered + "]}")).status,
            200u);
  EXPECT_EQ(Call(graph, Request("GET", "/_fake/templates")).body, R"({"data":[)" + ordered + "]}");
  EXPECT_EQ(Call(graph, ListingRequest()).body.rfind(R"({"data":[)" + ordered + "]", 0), 0u);

  // An empty listing, and ids given as numbers.
  r = Call(graph, Request("PUT", "/_fake/templates", R"({"data":[]})"));
  EXPECT_EQ(Json(r)["templates"], 0);
  EXPECT_EQ(Call(graph, ListingRequest()).body, R"({"data":[]})");
  r = Call(graph, Request("PUT", "/_fake/templates",
                          R"({"data":[{"id":7,"name":"a","language":"en","status":"APPROVED"}]})"));
  EXPECT_EQ(r.status, 200u) << r.body;

  ASSERT_EQ(Call(graph, Request("POST", "/_fake/reset")).status, 200u);
  EXPECT_EQ(Json(Call(graph, Request("GET", "/_fake/templates"))), json::parse(ListingText(3)));
}

TEST(TemplateListingTest, TemplatesFaultPathWithSkipFailsTheSecondPage) {
  FakeGraph graph(ListingOptions(5));
  ASSERT_EQ(Call(graph, Request("POST", "/_fake/faults",
                                json{{"rules",
                                      {{{"path", "templates"},
                                        {"skip", 1},
                                        {"count", 1},
                                        {"action", "error"},
                                        {"code", 131000}},
                                       {{"action", "http"}, {"http_status", 502}}}}}
                                    .dump()))
                .status,
            200u);
  const auto first = Call(graph, ListingRequest("limit=2"));
  ASSERT_EQ(first.status, 200u) << first.body;
  const std::string next = Json(first)["paging"]["next"];
  const auto second = Call(graph, ListingRequest(next.substr(next.find('?') + 1)));
  EXPECT_EQ(second.status, 500u);
  EXPECT_EQ(Json(second)["error"]["code"], 131000);
  // The retry succeeds; the "any" rule faults sends, never the listing.
  EXPECT_EQ(Call(graph, ListingRequest(next.substr(next.find('?') + 1))).status, 200u);
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody())).status, 502u);

  const auto rules = Json(Call(graph, Request("GET", "/_fake/faults")));
  EXPECT_EQ(rules["rules"][0]["path"], "templates");
  EXPECT_EQ(rules["rules"][0]["skipped"], 1);
  EXPECT_EQ(rules["rules"][0]["applied"], 1);
  EXPECT_EQ(rules["rules"][1]["applied"], 1);

  Call(graph, Request("POST", "/_fake/faults",
                      json{{"rules", {{{"path", "templates"}, {"action", "drop"}}}}}.dump()));
  EXPECT_TRUE(Call(graph, ListingRequest()).drop_connection);
  EXPECT_EQ(Call(graph, SendRequest(TemplateBody())).status, 200u);
  const auto refused =
      Call(graph,
           Request("POST", "/_fake/faults",
                   json{{"rules", {{{"path", "templates"}, {"action", "status_failed"}}}}}.dump()));
  EXPECT_EQ(refused.status, 400u);
}

TEST(TemplateListingTest, CursorsAreBase64OfTheOffsetAndOnlyTheirOwnTextDecodes) {
  EXPECT_EQ(EncodeCursor(0), "MA");
  EXPECT_EQ(EncodeCursor(2), "Mg");
  EXPECT_EQ(EncodeCursor(25), "MjU");
  for (const std::size_t offset : {0u, 1u, 2u, 24u, 25u, 999u, 123456u}) {
    EXPECT_EQ(DecodeCursor(EncodeCursor(offset)), offset);
  }
  EXPECT_FALSE(DecodeCursor(""));
  EXPECT_FALSE(DecodeCursor("MA=="));  // padded
  EXPECT_FALSE(DecodeCursor("MB"));    // stray bits
  EXPECT_FALSE(DecodeCursor("MDI"));   // "02"
  EXPECT_FALSE(DecodeCursor("LTE"));   // "-1"
}

TEST(TemplateListingTest, TemplatesFileIsReadOrRefusedWithItsPath) {
  const std::string path = ::testing::TempDir() + "fake_graph_templates_test.json";
  {
    std::ofstream out(path, std::ios::binary);
    out << ListingText(4);
  }
  const auto templates = LoadTemplateFile(path);
  ASSERT_TRUE(templates) << templates.error();
  ASSERT_EQ(templates->size(), 4u);
  EXPECT_EQ((*templates)[3].name, "t4");
  EXPECT_EQ((*templates)[3].id, 100000000000004u);
  EXPECT_EQ((*templates)[2].status, "PAUSED");
  {
    std::ofstream out(path, std::ios::binary);
    out << R"({"data":[{"id":"1"}]})";
  }
  const auto invalid = LoadTemplateFile(path);
  ASSERT_FALSE(invalid);
  EXPECT_NE(invalid.error().find(path), std::string::npos) << invalid.error();
  EXPECT_NE(invalid.error().find("data[0].name"), std::string::npos) << invalid.error();
  std::remove(path.c_str());
  const auto missing = LoadTemplateFile(path);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("cannot read"), std::string::npos) << missing.error();
}

}  // namespace
}  // namespace socialgate::fake_graph
