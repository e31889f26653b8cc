// The checks before a template send (issue 18 item 3), each against the demo catalog read by
// the one reader, with its own sentence; and another account's templates are not usable.
#include "templates/send_check.hpp"

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "templates/catalog_json.hpp"

namespace socialgate::templates {
namespace {

constexpr const char* kDemo = "file:config/demo-templates.json";

Snapshot DemoSnapshot() {
  std::ifstream in(std::string(SOCIALGATE_SOURCE_DIR) + "/config/demo-templates.json");
  std::ostringstream text;
  text << in.rdbuf();
  auto page = ReadTemplatePage(text.str());
  EXPECT_TRUE(page) << page.error().message;
  Snapshot s;
  s.accounts.emplace(kDemo, AccountCatalog::Of(kDemo, 1, std::move(page->templates)));
  return s;
}

core::TemplateContent Seed() {
  core::TemplateContent t;
  t.template_name = "shipping_confirmation";
  t.language = "en_GB";
  t.header_params = {"Griffin"};
  t.body_params = {"5"};
  t.url_params = {"contact-highway/"};
  return t;
}

core::MediaHeader Media(core::MediaKind kind) {
  return core::MediaHeader{kind, "image/png", "png", "a.png", ""};
}

// The sentence of the refusal of `t`, or "" when it passes.
std::string Refusal(const Snapshot& s, const core::TemplateContent& t,
                    const std::string& account = kDemo,
                    const std::vector<std::string>& neighbours = {}) {
  auto checked = CheckTemplateSend(s, account, "3902124122690", t, neighbours);
  if (checked) return "";
  EXPECT_EQ(checked.error().code, core::ErrorCode::kInvalidArgument);
  return checked.error().message;
}

TEST(SendCheckTest, TheSeedExamplePasses) {
  const Snapshot s = DemoSnapshot();
  auto checked = CheckTemplateSend(s, kDemo, "3902124122690", Seed());
  ASSERT_TRUE(checked) << checked.error().message;
  EXPECT_EQ((*checked)->name, "shipping_confirmation");
}

TEST(SendCheckTest, EveryDemoTemplatePassesWithItsRightShape) {
  const Snapshot s = DemoSnapshot();
  core::TemplateContent t;
  t.language = "en_GB";
  t.template_name = "new_collection";
  t.header = Media(core::MediaKind::kImage);
  t.body_params = {"Griffin"};
  EXPECT_EQ(Refusal(s, t), "");
  t.template_name = "invoice_ready";
  t.header = Media(core::MediaKind::kDocument);
  EXPECT_EQ(Refusal(s, t), "");
  t.template_name = "store_tour";
  t.header = Media(core::MediaKind::kVideo);
  t.body_params.clear();
  EXPECT_EQ(Refusal(s, t), "");
  t.template_name = "welcome_back";
  t.header.reset();
  EXPECT_EQ(Refusal(s, t), "");
}

TEST(SendCheckTest, UnknownTemplate) {
  const Snapshot s = DemoSnapshot();
  auto t = Seed();
  t.template_name = "shipping_confirmations";
  EXPECT_EQ(Refusal(s, t),
            "templateName: the sandbox catalog config/demo-templates.json, the account of "
            "3902124122690, has no template shipping_confirmations");
}

TEST(SendCheckTest, NoSuchLanguageNamesTheOnesThereAre) {
  const Snapshot s = DemoSnapshot();
  auto t = Seed();
  t.language = "en_US";
  EXPECT_EQ(Refusal(s, t),
            "language: template shipping_confirmation has no en_US version; it has en_GB");
  // With a second language, both are named, sorted.
  Snapshot two = s;
  auto& versions = two.accounts.at(kDemo).by_name.at("shipping_confirmation");
  Template italian = versions[0];
  italian.language = "it";
  versions.push_back(italian);
  EXPECT_EQ(Refusal(two, t),
            "language: template shipping_confirmation has no en_US version; it has en_GB, it");
}

TEST(SendCheckTest, NotApprovedNamesTheStatusAndReason) {
  Snapshot s = DemoSnapshot();
  Template& t = s.accounts.at(kDemo).by_name.at("shipping_confirmation")[0];
  t.status = "PAUSED";
  EXPECT_EQ(Refusal(s, Seed()),
            "templateName: template shipping_confirmation (en_GB) is PAUSED, not APPROVED; Meta "
            "sends only approved templates");
  t.status_reason = "FIRST_PAUSE";
  EXPECT_NE(Refusal(s, Seed()).find("is PAUSED, not APPROVED (Meta's reason: FIRST_PAUSE)"),
            std::string::npos);
  t.status = "REJECTED";
  EXPECT_NE(Refusal(s, Seed()).find("is REJECTED"), std::string::npos);
}

TEST(SendCheckTest, WrongBodyParameterCount) {
  const Snapshot s = DemoSnapshot();
  auto t = Seed();
  t.body_params = {"1", "2", "3"};
  EXPECT_EQ(Refusal(s, t),
            "bodyData: template shipping_confirmation expects 1 body parameter, got 3");
  t.template_name = "welcome_back";
  t.header_params.clear();
  t.url_params.clear();
  t.body_params = {"x"};
  EXPECT_EQ(Refusal(s, t), "bodyData: template welcome_back expects 0 body parameters, got 1");
}

TEST(SendCheckTest, HeaderMismatches) {
  const Snapshot s = DemoSnapshot();
  // Media for a text header.
  auto t = Seed();
  t.header_params.clear();
  t.header = Media(core::MediaKind::kImage);
  EXPECT_EQ(Refusal(s, t),
            "header: template shipping_confirmation has a text header, not image media; send "
            "header null and the header's text parameters in headerData");
  // No media for an image header.
  core::TemplateContent image;
  image.template_name = "new_collection";
  image.language = "en_GB";
  image.body_params = {"Griffin"};
  EXPECT_EQ(Refusal(s, image),
            "header: template new_collection has an IMAGE header; send image media in header, "
            "not null");
  // A video for an image header.
  image.header = Media(core::MediaKind::kVideo);
  EXPECT_EQ(Refusal(s, image),
            "header: template new_collection has an IMAGE header, not video media; send image "
            "media");
  // Media for a template without a header.
  core::TemplateContent none;
  none.template_name = "welcome_back";
  none.language = "en_GB";
  none.header = Media(core::MediaKind::kDocument);
  EXPECT_EQ(Refusal(s, none),
            "header: template welcome_back has no header; send header null, not document media");
  none.header.reset();
  none.header_params = {"x"};
  EXPECT_EQ(Refusal(s, none),
            "headerData: template welcome_back has no header, so expects 0 header parameters, "
            "got 1");
}

TEST(SendCheckTest, WrongHeaderTextParameterCount) {
  const Snapshot s = DemoSnapshot();
  auto t = Seed();
  t.header_params.clear();
  EXPECT_EQ(Refusal(s, t),
            "headerData: template shipping_confirmation expects 1 header parameter, got 0");
}

TEST(SendCheckTest, WrongDynamicUrlCount) {
  const Snapshot s = DemoSnapshot();
  auto t = Seed();
  t.url_params = {"a", "b"};
  EXPECT_EQ(Refusal(s, t),
            "dynamicUrl: template shipping_confirmation has 1 URL button with a variable, so "
            "expects 1 value, got 2");
  t.url_params.clear();
  EXPECT_NE(Refusal(s, t).find("expects 1 value, got 0"), std::string::npos);
}

TEST(SendCheckTest, AnotherAccountsTemplatesAreNotUsable) {
  Snapshot s = DemoSnapshot();
  s.accounts.emplace("111", AccountCatalog::Of("111", 1, {}));
  // The number's account (111) has no such template. The demo file's has: an account of another
  // domain is never named (its templates are its business)...
  EXPECT_EQ(Refusal(s, Seed(), "111"),
            "templateName: WhatsApp Business Account 111, the account of 3902124122690, has no "
            "template shipping_confirmation");
  // ...one of the caller's own domain is, to say why it cannot be used.
  EXPECT_EQ(Refusal(s, Seed(), "111", {"222", kDemo}),
            "templateName: WhatsApp Business Account 111, the account of 3902124122690, has no "
            "template shipping_confirmation; the sandbox catalog config/demo-templates.json has "
            "one, but 3902124122690 cannot send another account's templates");
}

TEST(CatalogsTest, StatusChangesSwapInANewSnapshotAndOldReadersKeepTheirs) {
  Catalogs catalogs;
  catalogs.Replace(DemoSnapshot().accounts.at(kDemo));
  const auto before = catalogs.Current();
  EXPECT_EQ(catalogs.SetStatus({kDemo, "", "welcome_back", "en_GB", "PAUSED", "FIRST_PAUSE"}), 1);
  EXPECT_EQ(before->Find(kDemo)->Find("welcome_back", "en_GB")->status, "APPROVED");
  const Template* now = catalogs.Current()->Find(kDemo)->Find("welcome_back", "en_GB");
  EXPECT_EQ(now->status, "PAUSED");
  EXPECT_EQ(now->status_reason, "FIRST_PAUSE");
  // By Meta's id; the same status again changes nothing; an unknown one neither.
  EXPECT_EQ(catalogs.SetStatus({kDemo, "100000000000005", "", "", "APPROVED", "NONE"}), 1);
  EXPECT_EQ(catalogs.SetStatus({kDemo, "100000000000005", "", "", "APPROVED", ""}), 0);
  EXPECT_EQ(catalogs.SetStatus({kDemo, "999", "", "", "PAUSED", ""}), 0);
  EXPECT_EQ(catalogs.SetStatus({"other", "", "welcome_back", "en_GB", "PAUSED", ""}), 0);
  EXPECT_EQ(catalogs.Current()->Find(kDemo)->Find("welcome_back", "en_GB")->status_reason, "");
}

TEST(CatalogsTest, StoredDefinitionsReadBackToTheSameTemplate) {
  const Snapshot s = DemoSnapshot();
  for (const auto& [name, versions] : s.accounts.at(kDemo).by_name) {
    for (const auto& t : versions) {
      auto again = ReadTemplateDefinition(t.definition);
      ASSERT_TRUE(again) << again.error().message;
      EXPECT_EQ(again->name, t.name);
      EXPECT_EQ(again->header_format, t.header_format);
      EXPECT_EQ(again->body_variables.count, t.body_variables.count);
      EXPECT_EQ(again->buttons.size(), t.buttons.size());
      EXPECT_EQ(again->definition, t.definition);
    }
  }
  EXPECT_FALSE(ReadTemplateDefinition("{\"name\":\"x\"}"));
  EXPECT_FALSE(ReadTemplateDefinition("not json"));
}

}  // namespace
}  // namespace socialgate::templates
