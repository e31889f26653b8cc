// Recording of requests, the stats, duplicate detection and the control API.
#include <string>

#include <gtest/gtest.h>

#include "fake-graph/fake_graph.hpp"
#include "fake-graph/recorder.hpp"
#include "fake-graph/text_util.hpp"
#include "test_support.hpp"

namespace socialgate::fake_graph {
namespace {

using namespace test_support;  // NOLINT: the test helpers
using nlohmann::json;

json Get(FakeGraph& graph, const std::string& path, const std::string& query = {}) {
  const auto r = Call(graph, Request("GET", path, {}, {}, query));
  EXPECT_EQ(r.status, 200u) << path << " " << r.body;
  return Json(r);
}

TEST(RecordingTest, RecordsMessagesWithParsedJsonAndOutcome) {
  FakeGraph graph(TestOptions());
  Call(graph, SendRequest(TemplateBody("+1555", "order_update", "gw-1")));
  Call(graph, Request("POST", "/v23.0/77/messages", "{}", "application/json"));  // no auth
  const auto list = Get(graph, "/_fake/requests");
  ASSERT_EQ(list["requests"].size(), 2u);
  const auto& ok = list["requests"][0];
  EXPECT_EQ(ok["seq"], 1);
  EXPECT_EQ(ok["method"], "POST");
  EXPECT_EQ(ok["path"], "/v23.0/106540352242922/messages");
  EXPECT_EQ(ok["kind"], "messages");
  EXPECT_EQ(ok["phone_number_id"], "106540352242922");
  EXPECT_EQ(ok["authorization"], true);
  EXPECT_EQ(ok["content_type"], "application/json");
  EXPECT_EQ(ok["json"]["template"]["name"], "order_update");
  EXPECT_EQ(ok["biz_opaque_callback_data"], "gw-1");
  EXPECT_TRUE(ok["time"].is_string());
  EXPECT_EQ(ok["outcome"]["status"], 200);
  EXPECT_TRUE(ok["outcome"]["error_code"].is_null());
  EXPECT_TRUE(ok["outcome"]["fault"].is_null());
  EXPECT_EQ(ok["outcome"]["accepted"], true);
  EXPECT_EQ(ok["outcome"]["id"].get<std::string>().rfind("wamid.", 0), 0u);
  const auto& refused = list["requests"][1];
  EXPECT_EQ(refused["authorization"], false);
  EXPECT_EQ(refused["outcome"]["status"], 401);
  EXPECT_EQ(refused["outcome"]["error_code"], 190);
  EXPECT_EQ(refused["outcome"]["accepted"], false);
  // The token value is never recorded.
  const auto raw = Call(graph, Request("GET", "/_fake/requests")).body;
  EXPECT_EQ(raw.find(kToken), std::string::npos);
}

TEST(RecordingTest, RecordsTheKernelsReceiveTimeWhenTheServerNotedIt) {
  FakeGraph graph(TestOptions());
  auto stamped = SendRequest(TemplateBody("+1555", "order_update", "gw-1"));
  stamped.received_unix_micros = 1'795'609'204'380'817;
  Call(graph, std::move(stamped));
  Call(graph, SendRequest(TemplateBody("+1555", "order_update", "gw-2")));
  const auto list = Get(graph, "/_fake/requests");
  ASSERT_EQ(list["requests"].size(), 2u);
  EXPECT_EQ(list["requests"][0]["received_unix_micros"], 1'795'609'204'380'817);
  EXPECT_FALSE(list["requests"][1].contains("received_unix_micros"));  // unknown: left out
}

TEST(RecordingTest, RecordsMultipartFieldsAndFileDigests) {
  FakeGraph graph(TestOptions());
  const std::string data("\x89PNG\r\n\0\r\n--", 11);
  Call(graph, MediaRequest("image/png", data));
  const auto list = Get(graph, "/_fake/requests", "path=media");
  ASSERT_EQ(list["requests"].size(), 1u);
  const auto& r = list["requests"][0];
  EXPECT_EQ(r["kind"], "media");
  EXPECT_EQ(r["fields"]["messaging_product"], "whatsapp");
  EXPECT_EQ(r["fields"]["type"], "image/png");
  ASSERT_EQ(r["files"].size(), 1u);
  EXPECT_EQ(r["files"][0]["name"], "file");
  EXPECT_EQ(r["files"][0]["filename"], "a.pdf");
  EXPECT_EQ(r["files"][0]["content_type"], "image/png");
  EXPECT_EQ(r["files"][0]["size"], data.size());
  EXPECT_EQ(r["files"][0]["sha256"], Sha256Hex(data));
  EXPECT_FALSE(r.contains("json"));
  EXPECT_EQ(Get(graph, "/_fake/stats")["media_uploaded"], 1);
}

TEST(RecordingTest, FiltersBySinceAndLimit) {
  FakeGraph graph(TestOptions());
  for (int i = 0; i < 3; ++i) Call(graph, SendRequest(TemplateBody()));
  Call(graph, MediaRequest("image/png", "x"));
  Call(graph, WithBearer(Request("POST", "/v23.0/1/whatever")));
  EXPECT_EQ(Get(graph, "/_fake/requests", "path=messages")["requests"].size(), 3u);
  EXPECT_EQ(Get(graph, "/_fake/requests", "path=media")["requests"].size(), 1u);
  EXPECT_EQ(Get(graph, "/_fake/requests", "path=other")["requests"].size(), 1u);
  const auto after = Get(graph, "/_fake/requests", "since=2&limit=2")["requests"];
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0]["seq"], 3);
  EXPECT_EQ(after[1]["seq"], 4);
  EXPECT_EQ(Call(graph, Request("GET", "/_fake/requests", {}, {}, "path=x")).status, 400u);
  EXPECT_EQ(Call(graph, Request("GET", "/_fake/requests", {}, {}, "limit=-1")).status, 400u);
}

TEST(RecordingTest, StatsCountPathsStatusesAndFaults) {
  FakeGraph graph(TestOptions());
  Call(graph, SendRequest(TemplateBody()));
  Call(graph, SendRequest(json::object()));
  Call(graph, MediaRequest("image/png", "x"));
  Call(graph, Request("POST", "/_fake/faults",
                      json{{"rules", {{{"action", "throttle"}, {"count", 1}}}}}.dump()));
  Call(graph, SendRequest(TemplateBody()));
  const auto s = Get(graph, "/_fake/stats");
  EXPECT_EQ(s["requests_total"], 4);
  EXPECT_EQ(s["by_path"]["messages"], 3);
  EXPECT_EQ(s["by_path"]["media"], 1);
  EXPECT_EQ(s["by_path"]["other"], 0);
  EXPECT_EQ(s["by_status"]["200"], 2);
  EXPECT_EQ(s["by_status"]["400"], 1);
  EXPECT_EQ(s["by_status"]["429"], 1);
  EXPECT_EQ(s["messages_accepted"], 1);
  EXPECT_EQ(s["media_uploaded"], 1);
  EXPECT_EQ(s["faults_applied"], 1);
  EXPECT_EQ(s["faults_by_action"]["throttle"], 1);
}

TEST(RecordingTest, DuplicatesCountCallbackIdsAcceptedMoreThanOnce) {
  FakeGraph graph(TestOptions());
  Call(graph, SendRequest(TemplateBody("+1555", "t", "m1")));
  Call(graph, SendRequest(TemplateBody("+1555", "t", "m1")));
  Call(graph, SendRequest(TemplateBody("+1555", "t", "m1")));
  Call(graph, SendRequest(TemplateBody("+1555", "t", "m2")));
  Call(graph, SendRequest(TemplateBody("+1555", "t")));  // no callback id
  Call(graph, SendRequest(TemplateBody("+1555", "t")));
  // A refused send does not count.
  Call(graph, Request("POST", "/_fake/faults",
                      json{{"rules", {{{"action", "error"}, {"code", 131000}}}}}.dump()));
  Call(graph, SendRequest(TemplateBody("+1555", "t", "m2")));
  const auto s = Get(graph, "/_fake/stats");
  EXPECT_EQ(s["messages_accepted"], 6);
  EXPECT_EQ(s["duplicates"], 1);
  EXPECT_EQ(s["duplicate_sends"], 2);
  EXPECT_EQ(s["accepted_without_callback_id"], 2);
  EXPECT_EQ(Get(graph, "/_fake/accepted", "id=m1")["accepted"], 3);
  EXPECT_EQ(Get(graph, "/_fake/accepted", "id=m2")["accepted"], 1);
  EXPECT_EQ(Get(graph, "/_fake/accepted", "id=nope")["accepted"], 0);
  EXPECT_EQ(Call(graph, Request("GET", "/_fake/accepted")).status, 400u);
}

TEST(RecordingTest, DeleteRequestsClearsRecordsAndCountersButNotFaults) {
  FakeGraph graph(TestOptions());
  Call(graph,
       Request("POST", "/_fake/faults",
               json{{"rules", {{{"action", "error"}, {"code", 131000}, {"count", 1}}}}}.dump()));
  Call(graph, SendRequest(TemplateBody("+1", "t", "m1")));
  Call(graph, SendRequest(TemplateBody("+1", "t", "m1")));
  EXPECT_EQ(Call(graph, Request("DELETE", "/_fake/requests")).status, 200u);
  EXPECT_TRUE(Get(graph, "/_fake/requests")["requests"].empty());
  const auto s = Get(graph, "/_fake/stats");
  EXPECT_EQ(s["requests_total"], 0);
  EXPECT_EQ(s["messages_accepted"], 0);
  EXPECT_EQ(Get(graph, "/_fake/accepted", "id=m1")["accepted"], 0);
  EXPECT_EQ(Get(graph, "/_fake/faults")["rules"].size(), 1u);
  // Sequence numbers keep increasing, so `since` stays meaningful.
  Call(graph, SendRequest(TemplateBody()));
  EXPECT_EQ(Get(graph, "/_fake/requests")["requests"][0]["seq"], 3);
  EXPECT_EQ(Call(graph, Request("POST", "/_fake/reset")).status, 200u);
  EXPECT_TRUE(Get(graph, "/_fake/faults")["rules"].empty());
}

TEST(RecordingTest, OldestRecordsAreEvictedBeyondTheLimit) {
  auto options = TestOptions();
  options.max_records = 3;
  FakeGraph graph(options);
  for (int i = 0; i < 5; ++i) Call(graph, SendRequest(TemplateBody()));
  const auto list = Get(graph, "/_fake/requests");
  ASSERT_EQ(list["requests"].size(), 3u);
  EXPECT_EQ(list["requests"][0]["seq"], 3);
  EXPECT_EQ(list["evicted"], 2);
  const auto s = Get(graph, "/_fake/stats");
  EXPECT_EQ(s["requests_total"], 5);
  EXPECT_EQ(s["requests_kept"], 3);
  EXPECT_EQ(s["requests_evicted"], 2);
  EXPECT_EQ(s["messages_accepted"], 5);
}

TEST(RecordingTest, RecorderEvictsByBytesToo) {
  Recorder recorder(100, 1);  // every record is over the budget: only the newest is kept
  for (int i = 0; i < 3; ++i) recorder.Add(RequestRecord{});
  EXPECT_EQ(recorder.Stats()["requests_kept"], 1);
  EXPECT_EQ(recorder.Stats()["requests_evicted"], 2);
}

TEST(ControlApiTest, UnknownEndpointsAndMethodsAreRefused) {
  FakeGraph graph(TestOptions());
  EXPECT_EQ(Call(graph, Request("GET", "/_fake/nothing")).status, 404u);
  EXPECT_EQ(Call(graph, Request("POST", "/_fake/stats")).status, 405u);
  EXPECT_EQ(Call(graph, Request("PUT", "/_fake/requests")).status, 405u);
  EXPECT_EQ(Call(graph, Request("PUT", "/_fake/faults")).status, 405u);
  EXPECT_EQ(Call(graph, Request("GET", "/_fake/reset")).status, 405u);
  // Control requests are not recorded.
  EXPECT_EQ(Get(graph, "/_fake/stats")["requests_total"], 0);
}

}  // namespace
}  // namespace socialgate::fake_graph
