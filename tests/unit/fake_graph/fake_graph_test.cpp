// Routing, authentication, validation and the success shapes of the fake Graph endpoints.
#include "fake-graph/fake_graph.hpp"

#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "fake-graph/meta_error.hpp"
#include "fake-graph/text_util.hpp"
#include "test_support.hpp"

namespace socialgate::fake_graph {
namespace {

using namespace test_support;  // NOLINT: the test helpers
using nlohmann::json;

void ExpectMetaError(const http::HttpResponse& r, unsigned status, int code,
                     const std::string& details_part = {}) {
  EXPECT_EQ(r.status, status) << r.body;
  const auto j = Json(r);
  ASSERT_TRUE(j.contains("error")) << r.body;
  const auto& e = j["error"];
  EXPECT_EQ(e["code"], code);
  EXPECT_EQ(e["type"], "OAuthException");
  EXPECT_EQ(e["message"].get<std::string>().rfind("(#" + std::to_string(code) + ") ", 0), 0u)
      << e["message"];
  EXPECT_EQ(e["error_data"]["messaging_product"], "whatsapp");
  EXPECT_TRUE(e["error_data"]["details"].is_string());
  if (!details_part.empty()) {
    EXPECT_NE(e["error_data"]["details"].get<std::string>().find(details_part), std::string::npos)
        << e["error_data"]["details"];
  }
  EXPECT_EQ(e["fbtrace_id"].get<std::string>().rfind('A', 0), 0u);
}

TEST(FakeGraphTest, HealthzAnswers200) {
  FakeGraph graph(TestOptions());
  EXPECT_EQ(Call(graph, Request("GET", "/healthz")).status, 200u);
}

TEST(FakeGraphTest, SendTemplateAnswersMetasSuccessShapeWithUniqueWamids) {
  FakeGraph graph(TestOptions());
  const auto r = Call(graph, SendRequest(TemplateBody("+44 7700-900123")));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  const auto j = Json(r);
  EXPECT_EQ(j["messaging_product"], "whatsapp");
  ASSERT_EQ(j["contacts"].size(), 1u);
  EXPECT_EQ(j["contacts"][0]["input"], "+44 7700-900123");
  EXPECT_EQ(j["contacts"][0]["wa_id"], "447700900123");
  ASSERT_EQ(j["messages"].size(), 1u);
  const auto id = j["messages"][0]["id"].get<std::string>();
  EXPECT_EQ(id.rfind("wamid.", 0), 0u);

  std::set<std::string> ids{id};
  for (int i = 0; i < 50; ++i) {
    ids.insert(Json(Call(graph, SendRequest(TemplateBody())))["messages"][0]["id"]);
  }
  EXPECT_EQ(ids.size(), 51u);
}

TEST(FakeGraphTest, AnyPhoneNumberIdAndVersionAreServed) {
  FakeGraph graph(TestOptions());
  auto req = SendRequest(TemplateBody());
  req.path = "/v21.0/42/messages";
  EXPECT_EQ(Call(graph, std::move(req)).status, 200u);
}

TEST(FakeGraphTest, AuthorizationIsRequiredAndCheckedExactly) {
  FakeGraph graph(TestOptions());
  auto no_auth = Request("POST", "/v23.0/1/messages", TemplateBody().dump(), "application/json");
  ExpectMetaError(Call(graph, no_auth), 401, 190, "Bearer");
  ExpectMetaError(Call(graph, WithBearer(no_auth, "wrong")), 401, 190);
  ExpectMetaError(Call(graph, WithBearer(no_auth, "test-token-but-longer")), 401, 190);
  auto basic = no_auth;
  basic.headers.emplace_back("authorization", "Basic dGVzdC10b2tlbg==");
  ExpectMetaError(Call(graph, basic), 401, 190);
  EXPECT_EQ(Json(Call(graph, WithBearer(no_auth)))["messaging_product"], "whatsapp");
  const auto e = Json(Call(graph, no_auth));
  EXPECT_EQ(e["error"]["message"], "(#190) Invalid OAuth access token");
}

TEST(FakeGraphTest, WithoutATokenOptionAnyBearerTokenIsAccepted) {
  FakeGraph graph(Options{});
  auto req = Request("POST", "/v23.0/1/messages", TemplateBody().dump(), "application/json");
  EXPECT_EQ(Call(graph, WithBearer(req, "anything")).status, 200u);
  ExpectMetaError(Call(graph, req), 401, 190);
}

TEST(FakeGraphTest, InvalidSendBodiesGetError100NamingTheProblem) {
  FakeGraph graph(TestOptions());
  const auto send = [&](const json& body) { return Call(graph, SendRequest(body)); };
  ExpectMetaError(Call(graph, WithBearer(Request("POST", "/v23.0/1/messages", TemplateBody().dump(),
                                                 "text/plain"))),
                  400, 100, "application/json");
  ExpectMetaError(Call(graph, WithBearer(Request("POST", "/v23.0/1/messages", "{not json",
                                                 "application/json"))),
                  400, 100, "not valid JSON");
  auto body = TemplateBody();
  body["messaging_product"] = "sms";
  ExpectMetaError(send(body), 400, 100, "messaging_product");
  body = TemplateBody();
  body.erase("to");
  ExpectMetaError(send(body), 400, 100, "to is required");
  body = TemplateBody();
  body["to"] = "no digits";
  ExpectMetaError(send(body), 400, 100, "phone number");
  body = TemplateBody();
  body["type"] = "sticker";
  ExpectMetaError(send(body), 400, 100, "type is required and must be template, text, image");
  body = TemplateBody();
  body["type"] = "text";  // a text without its object
  ExpectMetaError(send(body), 400, 100, "text is required and must be an object");
  body = TemplateBody();
  body["template"].erase("name");
  ExpectMetaError(send(body), 400, 100, "template.name");
  body = TemplateBody();
  body["template"]["language"].erase("code");
  ExpectMetaError(send(body), 400, 100, "template.language.code");
  body = TemplateBody();
  body["template"]["components"] = json::array(
      {{{"type", "button"}, {"sub_type", "url"}, {"index", 0}, {"parameters", json::array()}}});
  ExpectMetaError(send(body), 400, 100, "template.components[0].index");
  body = TemplateBody();
  body["template"]["components"][0]["parameters"][0].erase("text");
  ExpectMetaError(send(body), 400, 100, "parameters[0].text");
  body = TemplateBody();
  body["template"]["components"] = json::array(
      {{{"type", "header"},
        {"parameters", {{{"type", "image"}, {"image", {{"id", "1"}, {"link", "https://x"}}}}}}}});
  ExpectMetaError(send(body), 400, 100, "exactly one of id and link");
  const auto e = Json(send(json::array()));
  EXPECT_EQ(e["error"]["message"], "(#100) Invalid parameter");
}

TEST(FakeGraphTest, TextImageAndDocumentMessagesAreAcceptedAsMetaDocumentsThem) {
  FakeGraph graph(TestOptions());
  const auto send = [&](const json& extra) {
    json body = {{"messaging_product", "whatsapp"},
                 {"recipient_type", "individual"},
                 {"to", "+393403603062"}};
    body.update(extra);
    return Call(graph, SendRequest(body));
  };
  for (const json& ok :
       {json{{"type", "text"}, {"text", {{"preview_url", false}, {"body", "hello"}}}},
        json{{"type", "image"}, {"image", {{"id", "4490709327384033"}}}},
        json{{"type", "document"},
             {"document", {{"id", "4490709327384033"}, {"filename", "a.pdf"}}}}}) {
    const auto r = send(ok);
    EXPECT_EQ(r.status, 200u) << ok.dump() << ": " << r.body;
    EXPECT_EQ(Json(r)["contacts"][0]["wa_id"], "393403603062");
  }
  ExpectMetaError(send({{"type", "text"}, {"text", {{"body", ""}}}}), 400, 100, "text.body");
  ExpectMetaError(send({{"type", "text"}, {"text", {{"body", std::string(4097, 'x')}}}}), 400, 100,
                  "longer than 4096");
  ExpectMetaError(send({{"type", "text"}, {"text", {{"body", "x"}, {"preview_url", "no"}}}}), 400,
                  100, "text.preview_url");
  ExpectMetaError(send({{"type", "text"}, {"text", {{"body", "x"}, {"url", "y"}}}}), 400, 100,
                  "text.url is not a field");
  ExpectMetaError(send({{"type", "image"}, {"image", {{"id", "1"}, {"filename", "a.png"}}}}), 400,
                  100, "image.filename is not a field");
  ExpectMetaError(send({{"type", "image"}, {"image", json::object()}}), 400, 100,
                  "exactly one of id and link");
  ExpectMetaError(send({{"type", "document"}, {"document", {{"id", "1"}, {"filename", 7}}}}), 400,
                  100, "document.filename must be a string");
}

// Bodies nested beyond 64 levels are refused before parsing: recording one recursed per level
// and overflowed the stack.
TEST(FakeGraphTest, DeeplyNestedBodiesAreRefusedAndRecordedWithoutTheirJson) {
  FakeGraph graph(TestOptions());
  const std::string deep = R"({"messaging_product":"whatsapp","x":)" + std::string(100'000, '[') +
                           std::string(100'000, ']') + "}";
  ExpectMetaError(
      Call(graph, WithBearer(Request("POST", "/v23.0/1/messages", deep, "application/json"))), 400,
      100, "nests deeper than 64 levels");
  const auto records = Json(Call(graph, Request("GET", "/_fake/requests")));
  ASSERT_EQ(records["requests"].size(), 1u) << records.dump();
  EXPECT_FALSE(records["requests"][0].contains("json"));
  EXPECT_EQ(Call(graph, Request("POST", "/_fake/faults", deep, "application/json")).status, 400u);
}

TEST(FakeGraphTest, WrongMethodVersionOrPathIsRefusedWithCode100) {
  FakeGraph graph(TestOptions());
  ExpectMetaError(Call(graph, WithBearer(Request("GET", "/v23.0/1/messages"))), 400, 100,
                  "Unsupported get request");
  ExpectMetaError(
      Call(graph, WithBearer(Request("POST", "/23.0/1/messages", "{}", "application/json"))), 400,
      100, "API version");
  ExpectMetaError(Call(graph, WithBearer(Request("POST", "/v23.0/1/contacts"))), 400, 100,
                  "Unknown path");
}

TEST(FakeGraphTest, MediaUploadAnswersAUniqueNumericId) {
  FakeGraph graph(TestOptions());
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    const auto r =
        Call(graph, MediaRequest("application/pdf", std::string("%PDF-1.4\r\n\0binary", 17)));
    ASSERT_EQ(r.status, 200u) << r.body;
    const auto id = Json(r)["id"].get<std::string>();
    EXPECT_FALSE(id.empty());
    EXPECT_EQ(DigitsOf(id), id);
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 5u);
}

TEST(FakeGraphTest, MediaUploadWithMissingOrBadPartsGetsMetaErrors) {
  FakeGraph graph(TestOptions());
  const auto upload = [&](const std::string& body, const std::string& type) {
    return Call(graph, WithBearer(Request("POST", "/v23.0/1/media", body, type)));
  };
  const std::string type = "multipart/form-data; boundary=B";
  const std::string product =
      "--B\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n";
  const std::string mime =
      "--B\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nimage/png\r\n";
  const std::string file =
      "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n"
      "Content-Type: image/png\r\n\r\nPNGDATA\r\n";
  EXPECT_EQ(upload(product + mime + file + "--B--", type).status, 200u);
  ExpectMetaError(upload(mime + file + "--B--", type), 400, 100, "messaging_product");
  ExpectMetaError(upload(product + file + "--B--", type), 400, 100, "type");
  ExpectMetaError(upload(product + mime + "--B--", type), 400, 100, "file");
  ExpectMetaError(upload(product + mime + file + "--B--", "multipart/form-data"), 400, 100,
                  "boundary");
  ExpectMetaError(upload(product + mime + file, type), 400, 100, "closing boundary");
  ExpectMetaError(upload("{}", "application/json"), 400, 100, "multipart/form-data");
  ExpectMetaError(Call(graph, MediaRequest("application/x-msdownload", "MZ")), 400, 100,
                  "supported types");
  ExpectMetaError(Call(graph, MediaRequest("image/png", std::string(5 * 1024 * 1024 + 1, 'x'))),
                  400, 131053, "over the limit");
}

TEST(FakeGraphTest, ConcurrentSendsAreAllAcceptedWithDistinctIds) {
  FakeGraph graph(TestOptions());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const auto r = Call(
            graph, SendRequest(TemplateBody("+1555000" + std::to_string(i), "t",
                                            "id-" + std::to_string(t) + "-" + std::to_string(i))));
        ids[t].push_back(Json(r)["messages"][0]["id"]);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread));
  const auto stats = Json(Call(graph, Request("GET", "/_fake/stats")));
  EXPECT_EQ(stats["messages_accepted"], kThreads * kPerThread);
  EXPECT_EQ(stats["duplicates"], 0);
}

TEST(MetaErrorTest, DefaultStatusesFollowMetasTable) {
  EXPECT_EQ(DefaultHttpStatus(100), 400u);
  EXPECT_EQ(DefaultHttpStatus(130429), 400u);
  EXPECT_EQ(DefaultHttpStatus(0), 401u);
  EXPECT_EQ(DefaultHttpStatus(190), 401u);
  for (int code : {10, 200, 299, 368, 131005, 131031, 130497}) {
    EXPECT_EQ(DefaultHttpStatus(code), 403u) << code;
  }
  EXPECT_EQ(DefaultHttpStatus(132001), 404u);
  for (int code : {131000, 131016, 3, 131045, 131057}) {
    EXPECT_EQ(DefaultHttpStatus(code), 500u) << code;
  }
  EXPECT_EQ(DefaultHttpStatus(2), 503u);
  EXPECT_EQ(DefaultHttpStatus(133004), 503u);
  EXPECT_EQ(DefaultTitle(131026), "Message undeliverable");
  const auto r = MetaError(131009, 400, "", "bad \xff value", "Atrace");
  const auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["error"]["message"], "(#131009) Parameter value is not valid");
  EXPECT_EQ(j["error"]["fbtrace_id"], "Atrace");
}

}  // namespace
}  // namespace socialgate::fake_graph
