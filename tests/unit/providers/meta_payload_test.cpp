#include "providers/meta/meta_payload.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "templates/catalog_json.hpp"

namespace socialgate::providers::meta {
namespace {

core::OutboundMessage Seed() {
  core::OutboundMessage m;
  m.customer_phone = "393403603062";
  m.service_phone = "3902124122690";
  core::TemplateContent t;
  t.template_name = "shipping_confirmation";
  t.language = "en_GB";
  t.header_params = {"Griffin"};
  t.body_params = {"5"};
  t.url_params = {"contact-highway/"};
  m.content = std::move(t);
  return m;
}

core::TemplateContent& Template(core::OutboundMessage& m) {
  return std::get<core::TemplateContent>(m.content);
}

TEST(MetaPayloadTest, SeedExampleIsExactlyWhatMetaDocuments) {
  EXPECT_EQ(
      BuildPayload(Seed(), "", "msg-1"),
      R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+393403603062",)"
      R"("type":"template","template":{"name":"shipping_confirmation","language":{"code":"en_GB",)"
      R"("policy":"deterministic"},"components":[{"type":"header","parameters":[{"type":"text",)"
      R"("text":"Griffin"}]},{"type":"body","parameters":[{"type":"text","text":"5"}]},)"
      R"({"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text",)"
      R"("text":"contact-highway/"}]}]},"biz_opaque_callback_data":"msg-1"})");
}

TEST(MetaPayloadTest, NoParametersMeansNoComponents) {
  core::OutboundMessage m = Seed();
  Template(m).header_params.clear();
  Template(m).body_params.clear();
  Template(m).url_params.clear();
  const auto j = nlohmann::json::parse(BuildPayload(m, "", ""));
  EXPECT_FALSE(j["template"].contains("components"));
  EXPECT_FALSE(j.contains("biz_opaque_callback_data"));
}

TEST(MetaPayloadTest, MediaHeadersReferenceTheUploadedId) {
  for (auto kind : {core::MediaKind::kImage, core::MediaKind::kVideo, core::MediaKind::kDocument}) {
    core::OutboundMessage m = Seed();
    Template(m).header_params.clear();
    Template(m).header = core::MediaHeader{kind, "x/y", "pdf", "invoice-42.pdf", "bytes"};
    const auto j = nlohmann::json::parse(BuildPayload(m, "4490709327384033", "id"));
    const auto& header = j["template"]["components"][0];
    const std::string name = core::MediaKindName(kind);
    EXPECT_EQ(header["type"], "header");
    ASSERT_EQ(header["parameters"].size(), 1u);
    EXPECT_EQ(header["parameters"][0]["type"], name);
    EXPECT_EQ(header["parameters"][0][name]["id"], "4490709327384033");
    if (kind == core::MediaKind::kDocument) {
      EXPECT_EQ(header["parameters"][0][name]["filename"], "invoice-42.pdf");
    } else {
      EXPECT_FALSE(header["parameters"][0][name].contains("filename"));
    }
  }
}

core::OutboundMessage WithContent(core::MessageContent content) {
  core::OutboundMessage m = Seed();
  m.content = std::move(content);
  return m;
}

TEST(MetaPayloadTest, ATextIsItsBodyWithoutALinkPreview) {
  EXPECT_EQ(
      BuildPayload(WithContent(core::TextContent{"Messaggio da external ws\n\"ok\" https://x.y"}),
                   "", "msg-1"),
      R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+393403603062",)"
      R"("type":"text","text":{"preview_url":false,"body":"Messaggio da external ws\n\"ok\" )"
      R"(https://x.y"},"biz_opaque_callback_data":"msg-1"})");
}

TEST(MetaPayloadTest, AnImageIsTheUploadedIdAlone) {
  const core::MediaHeader image{core::MediaKind::kImage, "image/png", "png", "infobip-logo.png",
                                "bytes"};
  EXPECT_EQ(BuildPayload(WithContent(core::MediaContent{image}), "4490709327384033", "msg-2"),
            R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+393403603062",)"
            R"("type":"image","image":{"id":"4490709327384033"},)"
            R"("biz_opaque_callback_data":"msg-2"})");
}

TEST(MetaPayloadTest, ADocumentIsTheUploadedIdWithItsFileName) {
  const core::MediaHeader pdf{core::MediaKind::kDocument, "application/pdf", "pdf",
                              "Fattura n\xC2\xB0 42.pdf", "bytes"};
  EXPECT_EQ(BuildPayload(WithContent(core::MediaContent{pdf}), "4490709327384033", "msg-3"),
            "{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":"
            "\"+393403603062\",\"type\":\"document\",\"document\":{\"id\":\"4490709327384033\","
            "\"filename\":\"Fattura n\xC2\xB0 42.pdf\"},\"biz_opaque_callback_data\":\"msg-3\"}");
}

TEST(MetaPayloadTest, UrlButtonsKeepTheirOrder) {
  core::OutboundMessage m = Seed();
  Template(m).url_params = {"first", "second"};
  const auto j = nlohmann::json::parse(BuildPayload(m, "", ""));
  const auto& c = j["template"]["components"];
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[2]["index"], "0");
  EXPECT_EQ(c[2]["parameters"][0]["text"], "first");
  EXPECT_EQ(c[3]["index"], "1");
  EXPECT_EQ(c[3]["sub_type"], "url");
  EXPECT_EQ(c[3]["parameters"][0]["text"], "second");
}

// The template as the catalog knows it, read by the one reader.
templates::Template Known(const std::string& listing_entry) {
  auto page = templates::ReadTemplatePage(R"({"data":[)" + listing_entry + "]}");
  EXPECT_TRUE(page && page->templates.size() == 1);
  return page->templates.at(0);
}

TEST(MetaPayloadTest, AUrlButtonAfterTwoQuickRepliesHasIndexTwo) {
  const auto shape = Known(
      R"({"name":"shipping_confirmation","language":"en_GB","status":"APPROVED","components":[)"
      R"({"type":"HEADER","format":"TEXT","text":"Hello {{1}}"},)"
      R"({"type":"BODY","text":"Ships in {{1}} days"},{"type":"BUTTONS","buttons":[)"
      R"({"type":"QUICK_REPLY","text":"Yes"},{"type":"QUICK_REPLY","text":"No"},)"
      R"({"type":"URL","text":"Track","url":"https://ex.com/{{1}}"}]}]})");
  const auto j = nlohmann::json::parse(BuildPayload(Seed(), "", "", &shape));
  const auto& c = j["template"]["components"];
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[2]["sub_type"], "url");
  EXPECT_EQ(c[2]["index"], "2");
  EXPECT_EQ(c[2]["parameters"][0]["text"], "contact-highway/");
  EXPECT_FALSE(c[1]["parameters"][0].contains("parameter_name")) << "positional";
}

TEST(MetaPayloadTest, NamedTemplatesNameEachParameterInTheCatalogsOrder) {
  const auto shape = Known(
      R"({"name":"order_named","language":"en_GB","status":"APPROVED","parameter_format":"NAMED",)"
      R"("components":[{"type":"HEADER","format":"TEXT","text":"Hi {{first_name}}"},)"
      R"({"type":"BODY","text":"Order {{order_id}} ships in {{days}} days, {{first_name}}"}]})");
  core::OutboundMessage m = Seed();
  Template(m).body_params = {"A-1", "5", "Griffin"};
  Template(m).url_params.clear();
  const auto j = nlohmann::json::parse(BuildPayload(m, "", "", &shape));
  const auto& c = j["template"]["components"];
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0]["parameters"][0]["parameter_name"], "first_name");
  EXPECT_EQ(c[1]["parameters"][0]["parameter_name"], "order_id");
  EXPECT_EQ(c[1]["parameters"][1]["parameter_name"], "days");
  EXPECT_EQ(c[1]["parameters"][2]["parameter_name"], "first_name");
  EXPECT_EQ(c[1]["parameters"][2]["text"], "Griffin");
}

TEST(MetaPayloadTest, ComponentsTheTemplateLacksAreNotSent) {
  const auto shape =
      Known(R"({"name":"welcome_back","language":"en_GB","status":"APPROVED","components":[)"
            R"({"type":"BODY","text":"Welcome back"},{"type":"BUTTONS","buttons":[)"
            R"({"type":"URL","text":"Shop","url":"https://ex.com/shop"}]}]})");
  // A lenient send that gives parameters the template has no place for.
  const auto j = nlohmann::json::parse(BuildPayload(Seed(), "", "", &shape));
  EXPECT_FALSE(j["template"].contains("components")) << j.dump();
}

TEST(MetaPayloadTest, ALenientSendKeepsOnlyWhatTheTemplateHasPlaceFor) {
  // A text header without a variable takes no header parameter; a NAMED body takes as many
  // values as it has names.
  const auto shape =
      Known(R"({"name":"hello","language":"en_GB","status":"APPROVED","parameter_format":"NAMED",)"
            R"("components":[{"type":"HEADER","format":"TEXT","text":"Hello"},)"
            R"({"type":"BODY","text":"Hi {{first_name}}"}]})");
  core::OutboundMessage m = Seed();
  Template(m).body_params = {"Griffin", "extra"};
  Template(m).url_params.clear();
  const auto j = nlohmann::json::parse(BuildPayload(m, "", "", &shape));
  const auto& c = j["template"]["components"];
  ASSERT_EQ(c.size(), 1u) << j.dump();
  EXPECT_EQ(c[0]["type"], "body");
  ASSERT_EQ(c[0]["parameters"].size(), 1u);
  EXPECT_EQ(c[0]["parameters"][0]["parameter_name"], "first_name");
}

}  // namespace
}  // namespace socialgate::providers::meta
