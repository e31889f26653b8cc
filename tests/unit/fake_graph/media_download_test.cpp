// The media of an inbound message, downloaded as from Meta: GET /{version}/{media-id} answers
// its URL, GET of that URL its bytes, both with the bearer token; an unknown id gets Meta's
// error; fault rules of paths media_info and media_download make a fetch fail, then succeed;
// the kept bytes are bounded.
#include <memory>
#include <string>
#include <utility>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "capturing_poster.hpp"
#include "fake-graph/fake_graph.hpp"
#include "fake-graph/text_util.hpp"
#include "test_support.hpp"

namespace socialgate::fake_graph {
namespace {

using namespace test_support;  // NOLINT: the test helpers
using nlohmann::json;

constexpr char kPdf[] = "%PDF-1.4\n";  // base64 JVBERi0xLjQK

Options MediaOptions(std::size_t max_media_bytes = kDefaultMaxMediaBytes) {
  auto options = TestOptions();
  WebhookOptions hooks;
  hooks.url = "http://127.0.0.1:9/webhooks/meta";
  hooks.app_secret = "test-app-secret";
  options.webhooks = std::move(hooks);
  options.max_media_bytes = max_media_bytes;
  return options;
}

struct Fixture {
  explicit Fixture(Options options = MediaOptions())
      : graph(std::move(options), std::make_unique<CapturingPoster>(std::make_shared<PostLog>())) {}
  FakeGraph graph;
};

// Posts an inbound document of `base64` bytes; its media id, "" when refused.
std::string PostDocument(FakeGraph& graph, const std::string& base64 = "JVBERi0xLjQK") {
  const json body = {
      {"phone_number_id", "106540352242922"},
      {"from", "393403603062"},
      {"type", "document"},
      {"media",
       {{"mime_type", "application/pdf"}, {"file_name", "receipt.pdf"}, {"bytes_base64", base64}}}};
  const auto r = Call(graph, Request("POST", "/_fake/inbound", body.dump(), "application/json"));
  return r.status == 200u ? Json(r)["media_id"].get<std::string>() : std::string();
}

http::HttpRequest Get(const std::string& path, const std::string& query = {}) {
  auto r = WithBearer(Request("GET", path, {}, {}, query));
  r.headers.emplace_back("host", "127.0.0.1:4040");
  return r;
}

// The path and query of the URL a media info answer gives.
std::pair<std::string, std::string> PathAndQuery(const std::string& url) {
  const std::string base = "http://127.0.0.1:4040";
  EXPECT_EQ(url.rfind(base, 0), 0u) << url;
  const std::string rest = url.substr(base.size());
  const auto q = rest.find('?');
  return {rest.substr(0, q), q == std::string::npos ? "" : rest.substr(q + 1)};
}

TEST(MediaDownloadTest, AnswersTheUrlThenTheBytesWithTheToken) {
  Fixture f;
  const std::string id = PostDocument(f.graph);
  ASSERT_FALSE(id.empty());
  const auto info = Call(f.graph, Get("/v23.0/" + id, "phone_number_id=106540352242922"));
  ASSERT_EQ(info.status, 200u) << info.body;
  const json j = Json(info);
  EXPECT_EQ(j["messaging_product"], "whatsapp");
  EXPECT_EQ(j["mime_type"], "application/pdf");
  EXPECT_EQ(j["sha256"], Sha256Hex(kPdf));
  EXPECT_EQ(j["file_size"], 9);
  EXPECT_EQ(j["id"], id);
  const auto [path, query] = PathAndQuery(j["url"]);
  EXPECT_EQ(path, "/_fake/media-download/" + id);
  EXPECT_EQ(QueryValue(query, "mid"), id);
  EXPECT_FALSE(QueryValue(query, "ext").empty());

  const auto bytes = Call(f.graph, Get(path, query));
  ASSERT_EQ(bytes.status, 200u) << bytes.body;
  EXPECT_EQ(bytes.content_type, "application/pdf");
  EXPECT_EQ(bytes.body, kPdf);

  // Without the token, as Meta's URL: refused, as the other Graph paths.
  const auto anonymous = Call(f.graph, Request("GET", path, {}, {}, query));
  EXPECT_EQ(anonymous.status, 401u);
  EXPECT_EQ(Json(anonymous)["error"]["code"], 190);
  EXPECT_EQ(Call(f.graph, WithBearer(Request("GET", "/v23.0/" + id), "wrong")).status, 401u);
  // Only GET.
  EXPECT_EQ(Json(Call(f.graph, WithBearer(Request("POST", "/v23.0/" + id))))["error"]["code"], 100);

  // Recorded with their kinds and media id.
  const auto listed = Json(
      Call(f.graph, Request("GET", "/_fake/requests", {}, {}, "path=media_download")))["requests"];
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0]["kind"], "media_download");
  EXPECT_EQ(listed[0]["media_id"], id);
  EXPECT_EQ(listed[0]["outcome"]["status"], 200);
  EXPECT_EQ(listed[0]["outcome"]["accepted"], false) << "a read changes nothing";
  const auto stats = Json(Call(f.graph, Request("GET", "/_fake/stats")));
  EXPECT_EQ(stats["by_path"]["media_info"], 3);
  EXPECT_EQ(stats["media_uploaded"], 0);
}

TEST(MediaDownloadTest, AnUnknownMediaIdGetsMetasError) {
  Fixture f;
  for (const std::string path : {"/v23.0/1234567890", "/_fake/media-download/1234567890"}) {
    const auto r = Call(f.graph, Get(path));
    EXPECT_EQ(r.status, 400u) << path;
    const json error = Json(r)["error"];
    EXPECT_EQ(error["code"], 100) << path;
    EXPECT_EQ(error["error_subcode"], 33) << path;
    EXPECT_NE(error["message"].get<std::string>().find("'1234567890'"), std::string::npos);
  }
  // Reset forgets the media.
  const std::string id = PostDocument(f.graph);
  ASSERT_EQ(Call(f.graph, Get("/v23.0/" + id)).status, 200u);
  ASSERT_EQ(Call(f.graph, Request("POST", "/_fake/reset")).status, 200u);
  EXPECT_EQ(Call(f.graph, Get("/v23.0/" + id)).status, 400u);
}

TEST(MediaDownloadTest, FaultRulesMakeAFetchFailThenSucceed) {
  Fixture f;
  const std::string id = PostDocument(f.graph);
  const json rules = {
      {"rules",
       {{{"path", "media_info"}, {"action", "error"}, {"code", 131000}, {"count", 1}},
        {{"path", "media_download"}, {"action", "http"}, {"skip", 1}, {"count", 1}},
        {{"action", "error"}, {"code", 131000}}}}};  // "any": sends and uploads only
  ASSERT_EQ(
      Call(f.graph, Request("POST", "/_fake/faults", rules.dump(), "application/json")).status,
      200u);
  const auto failed = Call(f.graph, Get("/v23.0/" + id));
  EXPECT_EQ(failed.status, 500u);
  EXPECT_EQ(Json(failed)["error"]["code"], 131000);
  const auto info = Call(f.graph, Get("/v23.0/" + id));
  ASSERT_EQ(info.status, 200u) << "the rule's count is spent";
  const auto [path, query] = PathAndQuery(Json(info)["url"]);
  EXPECT_EQ(Call(f.graph, Get(path, query)).status, 200u) << "skipped";
  const auto down = Call(f.graph, Get(path, query));
  EXPECT_EQ(down.status, 503u);
  EXPECT_EQ(down.content_type, "text/html");
  const auto again = Call(f.graph, Get(path, query));
  EXPECT_EQ(again.status, 200u);
  EXPECT_EQ(again.body, kPdf);
  const auto applied = Json(Call(f.graph, Request("GET", "/_fake/faults")))["rules"];
  EXPECT_EQ(applied[0]["path"], "media_info");
  EXPECT_EQ(applied[0]["applied"], 1);
  EXPECT_EQ(applied[1]["applied"], 1);
  EXPECT_EQ(applied[1]["skipped"], 1);
  EXPECT_EQ(applied[2]["applied"], 0);

  const json bad = {{"rules", {{{"path", "downloads"}, {"action", "drop"}}}}};
  const auto refused =
      Call(f.graph, Request("POST", "/_fake/faults", bad.dump(), "application/json"));
  EXPECT_EQ(refused.status, 400u);
  EXPECT_EQ(Json(refused)["error"],
            "rule 0: path must be \"messages\", \"media\", \"templates\", \"media_info\", "
            "\"media_download\" or \"any\"");
}

TEST(MediaDownloadTest, TheKeptBytesAreBoundedOldestFirst) {
  Fixture f(MediaOptions(20));
  const std::string first = PostDocument(f.graph);   // 9 bytes
  const std::string second = PostDocument(f.graph);  // 18
  const std::string third = PostDocument(f.graph);   // 27: the first goes
  ASSERT_FALSE(third.empty());
  EXPECT_EQ(Call(f.graph, Get("/v23.0/" + first)).status, 400u);
  EXPECT_EQ(Call(f.graph, Get("/v23.0/" + second)).status, 200u);
  EXPECT_EQ(Call(f.graph, Get("/v23.0/" + third)).status, 200u);
  const json body = {
      {"phone_number_id", "1"},
      {"from", "393403603062"},
      {"type", "image"},
      {"media", {{"mime_type", "image/png"}, {"bytes_base64", std::string(40, 'A')}}}};
  const auto big =
      Call(f.graph, Request("POST", "/_fake/inbound", body.dump(), "application/json"));
  EXPECT_EQ(big.status, 413u);
  EXPECT_EQ(Json(big)["error"],
            "the media is 30 bytes, more than the 20 this fake keeps (--max-media-bytes)");
  EXPECT_EQ(Call(f.graph, Get("/v23.0/" + second)).status, 200u) << "nothing was forgotten";
}

}  // namespace
}  // namespace socialgate::fake_graph
