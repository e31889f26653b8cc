// The one catalog format: Meta's template listing, and the demo catalog in the same shape,
// read into templates with their variables and buttons in order; what cannot be used is left
// out with a sentence, and a page that is no listing at all is refused.
#include "templates/catalog_json.hpp"

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace socialgate::templates {
namespace {

std::string DemoCatalog() {
  std::ifstream in(std::string(SOCIALGATE_SOURCE_DIR) + "/config/demo-templates.json");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const Template* Find(const TemplatePage& page, const std::string& name) {
  for (const auto& t : page.templates) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

TEST(CatalogJsonTest, ReadsMetasExampleWithItsButtonsInOrder) {
  const auto page = ReadTemplatePage(
      R"({"data":[{"id":"920070352646140","name":"2023_april_promo","language":"en_US","status":"APPROVED","category":"MARKETING","parameter_format":"POSITIONAL","components":[{"type":"HEADER","format":"TEXT","text":"Fall Sale"},{"type":"BODY","text":"Hi {{1}}, use code {{2}} before {{1}}","example":{"body_text":[["Mark","FALL25"]]}},{"type":"FOOTER","text":"Not interested? Tap Stop Promotions"},{"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Stop promotions"},{"type":"QUICK_REPLY","text":"Later"},{"type":"URL","text":"Track","url":"https://ex.com/t/{{1}}","example":["https://ex.com/t/A1"]}]}]}],"paging":{"cursors":{"before":"MAZDZD","after":"MjQZD"},"next":"https://graph.facebook.com/v23.0/1/message_templates?after=MjQZD"}})");
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->templates.size(), 1u);
  EXPECT_TRUE(page->ignored.empty());
  EXPECT_EQ(page->next_after, "MjQZD");
  const Template& t = page->templates[0];
  EXPECT_EQ(t.id, "920070352646140");
  EXPECT_EQ(t.name, "2023_april_promo");
  EXPECT_EQ(t.language, "en_US");
  EXPECT_TRUE(t.approved());
  EXPECT_EQ(t.category, "MARKETING");
  EXPECT_EQ(t.header_format, HeaderFormat::kText);
  EXPECT_EQ(t.header_variables.count, 0);
  EXPECT_EQ(t.body_variables.count, 2) << "{{1}} twice is one variable";
  EXPECT_EQ(t.footer_text, "Not interested? Tap Stop Promotions");
  ASSERT_EQ(t.buttons.size(), 3u);
  EXPECT_EQ(t.buttons[2].type, "URL");
  EXPECT_TRUE(t.buttons[2].url_variable) << "the URL button is index 2, after two quick replies";
  EXPECT_FALSE(t.buttons[0].url_variable);
}

TEST(CatalogJsonTest, TheDemoCatalogHasTheFiveTemplatesOfTheSeed) {
  const auto page = ReadTemplatePage(DemoCatalog());
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_TRUE(page->ignored.empty());
  EXPECT_EQ(page->templates.size(), 5u);
  EXPECT_TRUE(page->next_after.empty()) << "no paging.next: the last page";
  for (const auto& t : page->templates) {
    EXPECT_EQ(t.language, "en_GB") << t.name;
    EXPECT_TRUE(t.approved()) << t.name;
  }
  const Template* shipping = Find(*page, "shipping_confirmation");
  ASSERT_NE(shipping, nullptr);
  EXPECT_EQ(shipping->header_format, HeaderFormat::kText);
  EXPECT_EQ(shipping->header_variables.count, 1);
  EXPECT_EQ(shipping->body_variables.count, 1);
  ASSERT_EQ(shipping->buttons.size(), 1u);
  EXPECT_TRUE(shipping->buttons[0].url_variable);
  EXPECT_EQ(Find(*page, "new_collection")->header_format, HeaderFormat::kImage);
  EXPECT_EQ(Find(*page, "new_collection")->body_variables.count, 1);
  EXPECT_EQ(Find(*page, "invoice_ready")->header_format, HeaderFormat::kDocument);
  EXPECT_EQ(Find(*page, "store_tour")->header_format, HeaderFormat::kVideo);
  EXPECT_EQ(Find(*page, "store_tour")->body_variables.count, 0);
  const Template* welcome = Find(*page, "welcome_back");
  EXPECT_EQ(welcome->header_format, HeaderFormat::kNone);
  EXPECT_EQ(welcome->body_variables.count, 0);
  EXPECT_TRUE(welcome->buttons.empty());
}

TEST(CatalogJsonTest, NamedParametersInTheOrderTheyFirstAppear) {
  const auto page = ReadTemplatePage(
      R"({"data":[{"name":"order_named","language":"en","status":"PAUSED","parameter_format":"NAMED","components":[{"type":"HEADER","format":"TEXT","text":"Hi {{first_name}}"},{"type":"BODY","text":"Order {{order_id}} for {{first_name}} ships {{ship_date}}"}]}]})");
  ASSERT_TRUE(page) << page.error().message;
  const Template& t = page->templates.at(0);
  EXPECT_EQ(t.parameter_format, ParameterFormat::kNamed);
  EXPECT_FALSE(t.approved());
  EXPECT_EQ(t.header_variables.names, (std::vector<std::string>{"first_name"}));
  EXPECT_EQ(t.body_variables.names,
            (std::vector<std::string>{"order_id", "first_name", "ship_date"}));
  EXPECT_EQ(t.body_variables.count, 3);
}

TEST(CatalogJsonTest, AnUnusableTemplateIsLeftOutWithASentence) {
  const auto page = ReadTemplatePage(
      R"({"data":[{"name":"gap","language":"en","status":"APPROVED","components":[{"type":"BODY","text":"{{1}} and {{3}}"}]},)"
      R"({"name":"no_body","language":"en","status":"APPROVED","components":[]},)"
      R"({"name":"bad_header","language":"en","status":"APPROVED","components":[{"type":"HEADER","format":"HOLOGRAM"},{"type":"BODY","text":"x"}]},)"
      R"({"language":"en"},)"
      R"({"name":"ok","language":"en","status":"APPROVED","components":[{"type":"BODY","text":"x"}]}]})");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->templates.size(), 1u);
  EXPECT_EQ(page->templates[0].name, "ok");
  ASSERT_EQ(page->ignored.size(), 4u);
  EXPECT_EQ(page->ignored[0], "template 'gap': components[0].text skips {{2}}");
  EXPECT_EQ(page->ignored[1], "template 'no_body': has no BODY component");
  EXPECT_EQ(page->ignored[2],
            "template 'bad_header': components[0].format is missing or not a header format");
  EXPECT_EQ(page->ignored[3], "data[3].name is missing");
}

TEST(CatalogJsonTest, APageThatIsNoListingIsRefused) {
  for (const std::string body : {"", "[]", "{}", R"({"data":{}})", "not json"}) {
    const auto page = ReadTemplatePage(body);
    ASSERT_FALSE(page) << body;
    EXPECT_EQ(page.error().code, core::ErrorCode::kMalformed);
  }
  EXPECT_FALSE(ReadTemplatePage(std::string(100, '[') + std::string(100, ']')));
  EXPECT_FALSE(ReadTemplatePage(std::string(kMaxPageBytes + 1, ' ')));
}

TEST(CatalogJsonTest, ANextPageWithoutAUsableCursorIsRefused) {
  const std::string entry =
      R"({"name":"a","language":"en","status":"APPROVED","components":[{"type":"BODY","text":"x"}]})";
  auto page = ReadTemplatePage(R"({"data":[)" + entry + R"(],"paging":{"next":"https://x"}})");
  ASSERT_FALSE(page) << "stopping here would store part of the catalog as all of it";
  EXPECT_EQ(page.error().message,
            "the listing has a next page (paging.next) but no usable paging.cursors.after");
  page = ReadTemplatePage(R"({"data":[)" + entry +
                          R"(],"paging":{"next":"https://x","cursors":{"after":"a b"}}})");
  EXPECT_FALSE(page);
  // Without next, the last page: a cursor alone means nothing.
  page = ReadTemplatePage(R"({"data":[)" + entry + R"(],"paging":{"cursors":{"after":"MQ"}}})");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->next_after, "");
}

TEST(CatalogJsonTest, AnAuthenticationTemplatesCodeButtonTakesADynamicUrlValue) {
  auto page = ReadTemplatePage(
      R"({"data":[{"name":"otp","language":"en","status":"APPROVED","category":"AUTHENTICATION",)"
      R"("components":[{"type":"BODY","text":"{{1}} is your code."},)"
      R"({"type":"BUTTONS","buttons":[{"type":"OTP","otp_type":"COPY_CODE","text":"Copy"}]}]}]})");
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->templates.size(), 1u);
  EXPECT_EQ(page->templates[0].UrlVariableCount(), 1);
}

TEST(CatalogJsonTest, AnOversizedTemplateIsLeftOutAlone) {
  const std::string big(kMaxDefinitionBytes, 'x');
  auto page = ReadTemplatePage(
      R"({"data":[{"name":"big","language":"en","status":"APPROVED","components":[)"
      R"({"type":"BODY","text":"x"},{"type":"CAROUSEL","cards":[")" +
      big +
      R"("]}]},)"
      R"({"name":"small","language":"en","status":"APPROVED","components":[)"
      R"({"type":"BODY","text":"x"}]}]})");
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->templates.size(), 1u);
  EXPECT_EQ(page->templates[0].name, "small");
  ASSERT_EQ(page->ignored.size(), 1u);
  EXPECT_NE(page->ignored[0].find("template 'big': is"), std::string::npos) << page->ignored[0];
}

}  // namespace
}  // namespace socialgate::templates
