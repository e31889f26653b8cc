// The template catalog end to end (issue 18): the real gateway with Meta numbers whose WhatsApp
// Business Account's catalog tools/fake-graph lists over several pages; every check before
// sending, with its sentence; the payload built from the template's real shape (a URL button
// after two quick replies, a NAMED template); a sync that fails half-way (`socialgate templates
// sync` exits 1 and the old catalog stays); a status webhook pausing a template; the strict,
// lenient and off policies; the listing endpoint and `socialgate templates list`; and the demo
// catalog of a sandbox number, by which the seed's example passes and a wrong variant does not.
//
// Waits are for conditions, bounded by deadlines; nothing sleeps a fixed time.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/sample_media.hpp"
#include "fake_graph_process.hpp"
#include "gateway_process.hpp"
#include "http_client.hpp"
#include "meta_test_config.hpp"

namespace socialgate::testing {
namespace {

using Json = nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::string_view kToken = "it-templates-token";
constexpr std::string_view kWaba = "102290129340398";  // fake-graph's --waba-id by default
constexpr std::string_view kAppSecret = "it-templates-app-secret";
const Credentials kDemo{"demo", std::string(kTestPassword)};
constexpr int kFillers = 230;  // with the named ones, 236 templates: three pages of 100
constexpr auto kSyncTimeout = seconds(15);

Json Template(std::string name, std::string language, Json components,
              std::string status = "APPROVED", std::string format = "POSITIONAL") {
  static int next_id = 1;
  return {{"id", std::to_string(700000000000000 + next_id++)},
          {"name", std::move(name)},
          {"language", std::move(language)},
          {"status", std::move(status)},
          {"category", "UTILITY"},
          {"parameter_format", std::move(format)},
          {"components", std::move(components)}};
}

// shipping_confirmation here has two quick replies before its URL button: the URL is button 2.
Json ShippingComponents() {
  return Json::array({{{"type", "HEADER"}, {"format", "TEXT"}, {"text", "Hello {{1}}"}},
                      {{"type", "BODY"}, {"text", "Your order ships in {{1}} days."}},
                      {{"type", "BUTTONS"},
                       {"buttons", Json::array({{{"type", "QUICK_REPLY"}, {"text", "Thanks"}},
                                                {{"type", "QUICK_REPLY"}, {"text", "Stop"}},
                                                {{"type", "URL"},
                                                 {"text", "Track"},
                                                 {"url", "https://example.com/{{1}}"}}})}}});
}

// The catalog fake-graph lists: the named templates first, then `fillers` plain ones.
Json Listing(int fillers, bool with_welcome_back = true) {
  Json data = Json::array();
  data.push_back(Template("shipping_confirmation", "en_GB", ShippingComponents()));
  data.push_back(Template("shipping_confirmation", "it", ShippingComponents()));
  data.push_back(Template(
      "order_named", "en_GB",
      Json::array({{{"type", "HEADER"}, {"format", "TEXT"}, {"text", "Hi {{first_name}}"}},
                   {{"type", "BODY"}, {"text", "Order {{order_id}} ships in {{days}} days."}}}),
      "APPROVED", "NAMED"));
  data.push_back(Template("new_collection", "en_GB",
                          Json::array({{{"type", "HEADER"}, {"format", "IMAGE"}},
                                       {{"type", "BODY"}, {"text", "New for you, {{1}}."}}})));
  if (with_welcome_back) {
    data.push_back(Template("welcome_back", "en_GB",
                            Json::array({{{"type", "BODY"}, {"text", "Welcome back."}}})));
  }
  data.push_back(Template("old_promo", "en_GB",
                          Json::array({{{"type", "BODY"}, {"text", "Sale!"}}}), "DISABLED"));
  for (int i = 0; i < fillers; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "filler_%03d", i);
    data.push_back(
        Template(name, "en_GB", Json::array({{{"type", "BODY"}, {"text", "Filler {{1}}"}}})));
  }
  return {{"data", data}};
}

Json Seed(std::string_view number, std::string_view customer) {
  Json body = SeedRequest(number);
  body["customerPhoneNumber"] = customer;
  return body;
}

bool WaitUntil(const std::function<bool()>& done, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(50));
  }
}

// Runs `socialgate templates ARGS --config <the gateway's>` in the gateway's directory (its
// token file is relative) on its SQLite database; the exit status, and its stdout in `out`.
int TemplatesCommand(const GatewayProcess& gateway, const std::string& args, std::string& out) {
  return RunCommand(gateway, "templates " + args, out);
}

// One business number per domain, all of one WhatsApp Business Account, on one fake-graph.
struct Number {
  std::string domain;
  std::string phone;
  std::string phone_number_id;
  std::string policy;  // "" for the default
};

class TemplateStack {
 public:
  ::testing::AssertionResult Start(const std::vector<Number>& numbers, const Json& listing,
                                   bool webhooks = false) {
    fake_ = std::make_unique<FakeGraphProcess>(std::string(kToken));
    if (auto started = fake_->Start(); !started) return started;
    if (auto set = fake_->SetTemplates(listing); !set) return set;
    std::vector<MetaTestDomain> domains;
    for (const Number& n : numbers) {
      MetaTestDomain d;
      d.name = n.domain;
      d.number = n.phone;
      d.phone_number_id = n.phone_number_id;
      d.base_url = fake_->base_url();
      d.timeout_ms = 3000;
      d.waba_id = std::string(kWaba);
      if (!n.policy.empty()) d.templates = n.policy;
      domains.push_back(d);
    }
    MetaTestDispatch dispatch;
    dispatch.pair_per_minute = 0;
    std::string config = MetaMultiDomainConfig(domains, dispatch);
    config += "\n[templates]\nreload_interval_ms = 200\n";
    if (webhooks) {
      config +=
          "\n[webhooks.meta]\nverify_token_file = \"verify_token.txt\"\n"
          "app_secret_file = \"app_secret.txt\"\n";
    }
    gateway_ = std::make_unique<GatewayProcess>(config);
    if (auto w = WriteTokenFile(*gateway_, kToken); !w) return w;
    if (auto w = WriteTokenFile(*gateway_, "verify", "verify_token.txt"); !w) return w;
    if (auto w = WriteTokenFile(*gateway_, kAppSecret, "app_secret.txt"); !w) return w;
    if (auto started = gateway_->Start(); !started) return started;
    if (webhooks) {
      if (auto target =
              fake_->SetWebhookTarget(gateway_->base_url() + "/webhooks/meta", kAppSecret);
          !target) {
        return target;
      }
    }
    return ::testing::AssertionSuccess();
  }

  ~TemplateStack() {
    gateway_.reset();
    fake_.reset();
  }

  FakeGraphProcess& fake() { return *fake_; }
  GatewayProcess& gateway() { return *gateway_; }

  HttpResponse Send(std::string_view domain, const Json& body) {
    return client_.PostJson(SendUrl(gateway_->base_url(), domain), body.dump(), kDemo);
  }

  // GET /livechat/{domain}/templates?query.
  HttpResponse ListTemplates(std::string_view domain, const std::string& query = "") {
    return client_.Get(gateway_->base_url() + "/livechat/" + std::string(domain) + "/templates" +
                           (query.empty() ? "" : "?" + query),
                       kDemo);
  }

  // Waits until the domain's listing shows the account synchronised with `count` templates.
  ::testing::AssertionResult WaitForCatalog(std::string_view domain, std::size_t count) {
    Json last;
    const bool synced = WaitUntil(
        [&] {
          const HttpResponse r = ListTemplates(domain);
          last = r.Json();
          return r.status == 200 && last.contains("catalogs") && last["catalogs"].size() == 1 &&
                 !last["catalogs"][0]["synchronisedAt"].is_null() &&
                 last["catalogs"][0]["templates"] == count;
        },
        kSyncTimeout);
    if (synced) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "no synchronised catalog of " << count << " templates: " << last.dump();
  }

 private:
  std::unique_ptr<FakeGraphProcess> fake_;
  std::unique_ptr<GatewayProcess> gateway_;
  HttpClient client_;
};

const Number kStrict{"default", "3902124122690", std::string(kTestPhoneNumberId), ""};

// The refusal's `error`, expecting 422 with result false.
std::string Refusal(const HttpResponse& r) {
  EXPECT_EQ(r.status, 422) << r.Describe();
  const Json j = r.Json();
  EXPECT_EQ(j.value("result", true), false) << r.Describe();
  return j.is_object() && j["error"].is_string() ? j["error"].get<std::string>() : r.body;
}

TEST(TemplatesTest, EveryPageIsReadAndEveryCheckHasItsSentence) {
  TemplateStack stack;
  ASSERT_TRUE(stack.Start({kStrict}, Listing(kFillers)));
  ASSERT_TRUE(stack.WaitForCatalog("default", kFillers + 6));
  EXPECT_EQ(stack.fake().Requests("templates").size(), 3u) << "236 templates, 100 a page";

  const std::string n = kStrict.phone;
  Json body = Seed(n, "393403600001");
  body["templateName"] = "no_such_template";
  EXPECT_EQ(Refusal(stack.Send("default", body)),
            "templateName: WhatsApp Business Account 102290129340398, the account of "
            "3902124122690, has no template no_such_template");
  body = Seed(n, "393403600002");
  body["language"] = "en_US";
  EXPECT_EQ(Refusal(stack.Send("default", body)),
            "language: template shipping_confirmation has no en_US version; it has en_GB, it");
  body = Seed(n, "393403600003");
  body["bodyData"] = {"1", "2", "3"};
  EXPECT_EQ(Refusal(stack.Send("default", body)),
            "bodyData: template shipping_confirmation expects 1 body parameter, got 3");
  body = Seed(n, "393403600004");
  body["headerData"] = Json::array();
  EXPECT_EQ(Refusal(stack.Send("default", body)),
            "headerData: template shipping_confirmation expects 1 header parameter, got 0");
  body = Seed(n, "393403600005");
  body["dynamicUrl"] = {"a", "b"};
  EXPECT_EQ(Refusal(stack.Send("default", body)),
            "dynamicUrl: template shipping_confirmation has 1 URL button with a variable, so "
            "expects 1 value, got 2");
  body = Seed(n, "393403600006");
  body["templateName"] = "new_collection";
  body["headerData"] = Json::array();
  body["dynamicUrl"] = Json::array();
  EXPECT_EQ(Refusal(stack.Send("default", body)),
            "header: template new_collection has an IMAGE header; send image media in header, "
            "not null");
  // Media for the text header; a video for the image header.
  auto media = [](const std::string& type, const std::string& bytes, const std::string& ext) {
    return Json{{"type", type},
                {"data", core::testing::Base64(bytes)},
                {"documentType", ext},
                {"fileName", "file." + ext}};
  };
  body = Seed(n, "393403600010");
  body["header"] = media("image", core::testing::TinyPng(), "png");
  body["headerData"] = Json::array();
  EXPECT_EQ(Refusal(stack.Send("default", body)),
            "header: template shipping_confirmation has a text header, not image media; send "
            "header null and the header's text parameters in headerData");
  body = Seed(n, "393403600011");
  body["templateName"] = "new_collection";
  body["header"] = media("video", core::testing::TinyMp4(), "mp4");
  body["headerData"] = Json::array();
  body["dynamicUrl"] = Json::array();
  EXPECT_EQ(Refusal(stack.Send("default", body)),
            "header: template new_collection has an IMAGE header, not video media; send image "
            "media");
  body = Seed(n, "393403600007");
  body["templateName"] = "old_promo";
  body["headerData"] = Json::array();
  body["bodyData"] = Json::array();
  body["dynamicUrl"] = Json::array();
  EXPECT_EQ(Refusal(stack.Send("default", body)),
            "templateName: template old_promo (en_GB) is DISABLED, not APPROVED; Meta sends only "
            "approved templates");
  // Nothing refused reached Meta.
  EXPECT_EQ(stack.fake().Requests("messages").size(), 0u);

  // The seed's example: its URL button is the template's third button.
  HttpResponse r = stack.Send("default", Seed(n, "393403600008"));
  ASSERT_EQ(r.status, 200) << r.Describe();
  // A NAMED template: each value carries its name, in the catalog's order.
  body = Seed(n, "393403600009");
  body["templateName"] = "order_named";
  body["headerData"] = {"Griffin"};
  body["bodyData"] = {"A-1042", "5"};
  body["dynamicUrl"] = Json::array();
  r = stack.Send("default", body);
  ASSERT_EQ(r.status, 200) << r.Describe();
  const Json sends = stack.fake().Requests("messages");
  ASSERT_EQ(sends.size(), 2u);
  const Json seed = sends[0]["json"]["template"]["components"];
  ASSERT_EQ(seed.size(), 3u) << seed.dump();
  EXPECT_EQ(seed[2]["sub_type"], "url");
  EXPECT_EQ(seed[2]["index"], "2") << "after two quick replies";
  const Json named = sends[1]["json"]["template"]["components"];
  ASSERT_EQ(named.size(), 2u) << named.dump();
  EXPECT_EQ(named[0]["parameters"][0]["parameter_name"], "first_name");
  EXPECT_EQ(named[1]["parameters"][0]["parameter_name"], "order_id");
  EXPECT_EQ(named[1]["parameters"][1]["parameter_name"], "days");
  EXPECT_EQ(named[1]["parameters"][1]["text"], "5");
}

TEST(TemplatesTest, TheListingFiltersAndTheCommandLineShowsTheSame) {
  TemplateStack stack;
  ASSERT_TRUE(stack.Start({kStrict}, Listing(3)));
  ASSERT_TRUE(stack.WaitForCatalog("default", 3 + 6));
  HttpResponse r = stack.ListTemplates("default", "name=shipping_confirmation&language=it");
  ASSERT_EQ(r.status, 200) << r.Describe();
  Json j = r.Json();
  ASSERT_EQ(j["templates"].size(), 1u) << r.body;
  const Json& t = j["templates"][0];
  EXPECT_EQ(t["name"], "shipping_confirmation");
  EXPECT_EQ(t["language"], "it");
  EXPECT_EQ(t["account"], kWaba);
  EXPECT_EQ(t["servicePhoneNumbers"], Json::array({kStrict.phone}));
  EXPECT_EQ(t["header"]["format"], "TEXT");
  EXPECT_EQ(t["header"]["parameters"], 1);
  EXPECT_EQ(t["body"]["parameters"], 1);
  ASSERT_EQ(t["buttons"].size(), 3u);
  EXPECT_EQ(t["buttons"][2]["index"], 2);
  EXPECT_EQ(t["buttons"][2]["dynamicUrl"], true);
  r = stack.ListTemplates("default", "status=DISABLED&number=%2B3902124122690");
  ASSERT_EQ(r.status, 200) << r.Describe();
  ASSERT_EQ(r.Json()["templates"].size(), 1u) << r.body;
  EXPECT_EQ(r.Json()["templates"][0]["name"], "old_promo");
  EXPECT_EQ(stack.ListTemplates("default", "colour=blue").status, 400);
  EXPECT_EQ(stack.ListTemplates("default", "number=447911123456").status, 403);
  EXPECT_EQ(stack.ListTemplates("default", "number=12").status, 400);

  std::string out;
  ASSERT_EQ(TemplatesCommand(stack.gateway(), "list --json --name order_named", out), 0) << out;
  const Json listed = Json::parse(out, nullptr, false);
  ASSERT_TRUE(listed.is_object()) << out;
  ASSERT_EQ(listed["templates"].size(), 1u) << out;
  EXPECT_EQ(listed["templates"][0]["parameterFormat"], "NAMED");
  EXPECT_EQ(listed["templates"][0]["body"]["parameterNames"], Json::array({"order_id", "days"}));
  ASSERT_EQ(TemplatesCommand(stack.gateway(), "list", out), 0) << out;
  EXPECT_NE(out.find("ACCOUNT"), std::string::npos) << out;
  EXPECT_NE(out.find("shipping_confirmation  it"), std::string::npos) << out;
}

TEST(TemplatesTest, ASyncThatFailsHalfWayKeepsTheOldCatalog) {
  TemplateStack stack;
  ASSERT_TRUE(stack.Start({kStrict}, Listing(kFillers)));
  ASSERT_TRUE(stack.WaitForCatalog("default", kFillers + 6));
  // The listing loses welcome_back; the second page of the next sync fails.
  ASSERT_TRUE(stack.fake().SetTemplates(Listing(kFillers, /*with_welcome_back=*/false)));
  ASSERT_TRUE(stack.fake().SetFaults({{{"path", "templates"},
                                       {"skip", 1},
                                       {"count", 1},
                                       {"action", "http"},
                                       {"http_status", 500}}}));
  std::string out;
  EXPECT_EQ(TemplatesCommand(stack.gateway(), "sync", out), 1) << out;
  EXPECT_NE(out.find("failed"), std::string::npos) << out;
  Json welcome = Seed(kStrict.phone, "393403600011");
  welcome["templateName"] = "welcome_back";
  welcome["headerData"] = Json::array();
  welcome["bodyData"] = Json::array();
  welcome["dynamicUrl"] = Json::array();
  // The old catalog stands, in the store and in the gateway.
  ASSERT_EQ(TemplatesCommand(stack.gateway(), "list --json --name welcome_back", out), 0);
  EXPECT_EQ(Json::parse(out, nullptr, false)["templates"].size(), 1u) << out;
  HttpResponse r = stack.Send("default", welcome);
  EXPECT_EQ(r.status, 200) << r.Describe();
  // Once the listing answers again, a sync replaces the catalog, and the gateway reads it from
  // the store (reload_interval_ms 200): welcome_back is gone.
  ASSERT_TRUE(stack.fake().ClearFaults());
  EXPECT_EQ(TemplatesCommand(stack.gateway(), "sync --json", out), 0) << out;
  const Json synced = Json::parse(out, nullptr, false);
  ASSERT_TRUE(synced.is_object()) << out;
  EXPECT_EQ(synced["catalogs"][0]["templates"], kFillers + 5) << out;
  EXPECT_EQ(synced["catalogs"][0]["pages"], 3) << out;
  ASSERT_TRUE(stack.WaitForCatalog("default", kFillers + 5));
  welcome["customerPhoneNumber"] = "393403600012";
  EXPECT_NE(Refusal(stack.Send("default", welcome)).find("has no template welcome_back"),
            std::string::npos);
}

TEST(TemplatesTest, AStatusWebhookPausingATemplateRefusesTheNextSend) {
  TemplateStack stack;
  ASSERT_TRUE(stack.Start({kStrict}, Listing(0), /*webhooks=*/true));
  ASSERT_TRUE(stack.WaitForCatalog("default", 6));
  ASSERT_EQ(stack.Send("default", Seed(kStrict.phone, "393403600021")).status, 200);
  ASSERT_TRUE(
      stack.fake().PostTemplateStatus("shipping_confirmation", "en_GB", "PAUSED", "FIRST_PAUSE"));
  std::string error;
  int customer = 22;
  ASSERT_TRUE(WaitUntil(
      [&] {
        const HttpResponse r =
            stack.Send("default", Seed(kStrict.phone, "3934036000" + std::to_string(customer++)));
        const Json j = r.Json();
        error = j.is_object() && j["error"].is_string() ? j["error"].get<std::string>() : r.body;
        return r.status == 422;
      },
      seconds(10)))
      << error;
  EXPECT_EQ(error,
            "templateName: template shipping_confirmation (en_GB) is PAUSED, not APPROVED (Meta's "
            "reason: FIRST_PAUSE); Meta sends only approved templates");
  // Its Italian version is not paused; and the approval comes back the same way.
  Json italian = Seed(kStrict.phone, "393403600090");
  italian["language"] = "it";
  EXPECT_EQ(stack.Send("default", italian).status, 200);
  ASSERT_TRUE(stack.fake().PostTemplateStatus("shipping_confirmation", "en_GB", "APPROVED"));
  ASSERT_TRUE(WaitUntil(
      [&] {
        return stack.Send("default", Seed(kStrict.phone, "3934036000" + std::to_string(customer++)))
                   .status == 200;
      },
      seconds(10)));
}

TEST(TemplatesTest, StrictRefusesLenientAndOffSendAnyway) {
  TemplateStack stack;
  ASSERT_TRUE(stack.Start({{"strict", "3902124122690", "106540352242922", "strict"},
                           {"lenient", "3902124122691", "106540352242923", "lenient"},
                           {"off", "3902124122692", "106540352242924", "off"}},
                          Listing(0)));
  ASSERT_TRUE(stack.WaitForCatalog("strict", 6));
  ASSERT_TRUE(stack.WaitForCatalog("lenient", 6));
  auto wrong = [](std::string_view number) {
    Json body = Seed(number, "393403600031");
    body["bodyData"] = {"1", "2", "3"};  // the template has one body parameter
    return body;
  };
  EXPECT_EQ(Refusal(stack.Send("strict", wrong("3902124122690"))),
            "bodyData: template shipping_confirmation expects 1 body parameter, got 3");
  // Lenient and off send it (fake-graph takes any template), the lenient with a warning.
  EXPECT_EQ(stack.Send("lenient", wrong("3902124122691")).status, 200);
  EXPECT_EQ(stack.Send("off", wrong("3902124122692")).status, 200);
  EXPECT_EQ(stack.fake().Requests("messages").size(), 2u);
  EXPECT_NE(stack.gateway().ReadStderrLog().find(
                "sending anyway (domain 'lenient' is lenient): bodyData: template "
                "shipping_confirmation expects 1 body parameter, got 3"),
            std::string::npos);
}

TEST(TemplatesTest, TheDemoCatalogPassesTheSeedExampleAndRefusesAWrongVariant) {
  const std::string file = std::string(SOCIALGATE_SOURCE_DIR) + "/config/demo-templates.json";
  std::string config = TestConfig({{.name = "default", .user = "demo", .number = "3902124122690"}});
  // The sandbox number's catalog file, in its [domains.numbers.sandbox] table.
  const std::string table = "  [domains.numbers.sandbox]\n";
  const auto at = config.find(table);
  ASSERT_NE(at, std::string::npos) << config;
  config.insert(at + table.size(), "templates_file = \"" + file + "\"\n");
  GatewayProcess gateway(config);
  ASSERT_TRUE(gateway.Start());
  HttpClient client;
  const std::string url = SendUrl(gateway.base_url(), "default");
  HttpResponse r = client.PostJson(url, SeedRequest().dump(), kDemo);
  EXPECT_EQ(r.status, 200) << r.Describe();
  Json wrong = SeedRequest();
  wrong["customerPhoneNumber"] = "393403600041";
  wrong["headerData"] = Json::array();
  EXPECT_EQ(Refusal(client.PostJson(url, wrong.dump(), kDemo)),
            "headerData: template shipping_confirmation expects 1 header parameter, got 0");
  r = client.Get(gateway.base_url() + "/livechat/default/templates", kDemo);
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.Json()["templates"].size(), 5u) << r.body;
  EXPECT_EQ(r.Json()["catalogs"][0]["account"], "file:" + file);
}

}  // namespace
}  // namespace socialgate::testing
