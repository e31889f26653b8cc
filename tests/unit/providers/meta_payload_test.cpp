#include "providers/meta/meta_payload.hpp"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

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

// The payload as nlohmann::ordered_json built it before JsonWriter (its dump is the bytes Prism
// and the client it was compared with saw): BuildPayload must write the same bytes for any
// message and template shape.
using Ordered = nlohmann::ordered_json;

Ordered ReferenceTextParameters(const std::vector<std::string>& values,
                                const std::vector<std::string>* names) {
  Ordered params = Ordered::array();
  const std::size_t count =
      names == nullptr ? values.size() : std::min(values.size(), names->size());
  for (std::size_t i = 0; i < count; ++i) {
    Ordered p = {{"type", "text"}, {"text", values[i]}};
    if (names != nullptr) p["parameter_name"] = (*names)[i];
    params.push_back(std::move(p));
  }
  return params;
}

std::string ReferencePayload(const core::OutboundMessage& message, std::string_view media_id,
                             std::string_view message_id, const templates::Template* shape) {
  Ordered body = {{"messaging_product", "whatsapp"},
                  {"recipient_type", "individual"},
                  {"to", "+" + message.customer_phone}};
  if (const auto* t = std::get_if<core::TemplateContent>(&message.content)) {
    using templates::HeaderFormat;
    const bool named =
        shape != nullptr && shape->parameter_format == templates::ParameterFormat::kNamed;
    const bool has_header = shape == nullptr || shape->header_format != HeaderFormat::kNone;
    const bool has_header_text = shape == nullptr || (shape->header_format == HeaderFormat::kText &&
                                                      shape->header_variables.count > 0);
    const bool has_body = shape == nullptr || shape->body_variables.count > 0;
    Ordered components = Ordered::array();
    if (t->header && has_header) {
      const char* kind = core::MediaKindName(t->header->kind);
      Ordered media = {{"id", media_id}};
      if (t->header->kind == core::MediaKind::kDocument) media["filename"] = t->header->file_name;
      components.push_back(
          {{"type", "header"}, {"parameters", Ordered::array({{{"type", kind}, {kind, media}}})}});
    } else if (!t->header_params.empty() && has_header_text) {
      components.push_back({{"type", "header"},
                            {"parameters", ReferenceTextParameters(
                                               t->header_params,
                                               named ? &shape->header_variables.names : nullptr)}});
    }
    if (!t->body_params.empty() && has_body) {
      components.push_back(
          {{"type", "body"},
           {"parameters", ReferenceTextParameters(
                              t->body_params, named ? &shape->body_variables.names : nullptr)}});
    }
    std::vector<std::size_t> indexes;
    if (shape == nullptr) {
      for (std::size_t i = 0; i < t->url_params.size(); ++i) indexes.push_back(i);
    } else {
      for (std::size_t i = 0; i < shape->buttons.size() && indexes.size() < t->url_params.size();
           ++i) {
        if (shape->buttons[i].url_variable) indexes.push_back(i);
      }
    }
    for (std::size_t i = 0; i < indexes.size(); ++i) {
      components.push_back(
          {{"type", "button"},
           {"sub_type", "url"},
           {"index", std::to_string(indexes[i])},
           {"parameters", Ordered::array({{{"type", "text"}, {"text", t->url_params[i]}}})}});
    }
    Ordered tmpl = {{"name", t->template_name},
                    {"language", {{"code", t->language}, {"policy", "deterministic"}}}};
    if (!components.empty()) tmpl["components"] = std::move(components);
    body["type"] = "template";
    body["template"] = std::move(tmpl);
  } else if (const auto* x = std::get_if<core::TextContent>(&message.content)) {
    body["type"] = "text";
    body["text"] = {{"preview_url", false}, {"body", x->text}};
  } else {
    const auto& m = std::get<core::MediaContent>(message.content);
    const char* kind = core::MediaKindName(m.media.kind);
    Ordered media = {{"id", media_id}};
    if (m.media.kind == core::MediaKind::kDocument) media["filename"] = m.media.file_name;
    body["type"] = kind;
    body[kind] = std::move(media);
  }
  if (!message_id.empty()) body["biz_opaque_callback_data"] = message_id;
  return body.dump(-1, ' ', false, Ordered::error_handler_t::replace);
}

// A random parameter value: text with the characters JSON escapes, multi-byte UTF-8, and now
// and then an invalid byte.
std::string RandomText(std::mt19937& random) {
  static const std::string kPieces[] = {"ab",
                                        "Z 9",
                                        "\"",
                                        "\\",
                                        "\n",
                                        "\t",
                                        "\x01",
                                        "/",
                                        "\xC3\xA9",
                                        "\xE2\x82\xAC",
                                        "\xF0\x9F\x98\x80",
                                        "\xFF"};
  std::uniform_int_distribution<std::size_t> piece(0, std::size(kPieces) - 1);
  std::string s;
  for (int i = static_cast<int>(random() % 6); i > 0; --i) s += kPieces[piece(random)];
  return s;
}

std::vector<std::string> RandomTexts(std::mt19937& random, int most) {
  std::vector<std::string> out(random() % static_cast<unsigned>(most + 1));
  for (auto& s : out) s = RandomText(random);
  return out;
}

core::MediaHeader RandomMedia(std::mt19937& random) {
  const core::MediaKind kinds[] = {core::MediaKind::kImage, core::MediaKind::kVideo,
                                   core::MediaKind::kDocument};
  return core::MediaHeader{kinds[random() % 3], "x/y", "pdf", RandomText(random), "bytes"};
}

templates::Template RandomShape(std::mt19937& random) {
  using templates::HeaderFormat;
  const HeaderFormat formats[] = {HeaderFormat::kNone, HeaderFormat::kText, HeaderFormat::kImage,
                                  HeaderFormat::kDocument};
  templates::Template t;
  t.parameter_format = random() % 2 == 0 ? templates::ParameterFormat::kPositional
                                         : templates::ParameterFormat::kNamed;
  t.header_format = formats[random() % 4];
  t.header_variables.count = static_cast<int>(random() % 2);
  t.body_variables.count = static_cast<int>(random() % 4);
  if (t.parameter_format == templates::ParameterFormat::kNamed) {
    for (int i = 0; i < t.header_variables.count; ++i) t.header_variables.names.push_back("h");
    for (int i = 0; i < t.body_variables.count; ++i) {
      t.body_variables.names.push_back("name_" + std::to_string(i));
    }
  }
  for (int i = static_cast<int>(random() % 4); i > 0; --i) {
    templates::Button b;
    b.type = random() % 2 == 0 ? "URL" : "QUICK_REPLY";
    b.url_variable = b.type == "URL" && random() % 2 == 0;
    t.buttons.push_back(b);
  }
  return t;
}

TEST(MetaPayloadTest, WritesTheBytesNlohmannWroteForAnyMessageAndShape) {
  std::mt19937 random(20261207);
  for (int n = 0; n < 5000; ++n) {
    core::OutboundMessage m = Seed();
    m.customer_phone = std::to_string(390000000000 + random() % 1000000);
    switch (random() % 4) {
      case 0:
        m.content = core::TextContent{RandomText(random)};
        break;
      case 1:
        m.content = core::MediaContent{RandomMedia(random)};
        break;
      default: {
        core::TemplateContent& t = Template(m);
        t.template_name = RandomText(random);
        t.language = random() % 2 == 0 ? "en_GB" : "it";
        if (random() % 3 == 0) t.header = RandomMedia(random);
        t.header_params = RandomTexts(random, 1);
        t.body_params = RandomTexts(random, 4);
        t.url_params = RandomTexts(random, 3);
      }
    }
    const templates::Template shape = RandomShape(random);
    const templates::Template* known = random() % 2 == 0 ? &shape : nullptr;
    const std::string media_id = random() % 2 == 0 ? "4490709327384033" : "";
    const std::string message_id = random() % 4 == 0 ? "" : "01a24f95-" + RandomText(random);
    ASSERT_EQ(BuildPayload(m, media_id, message_id, known),
              ReferencePayload(m, media_id, message_id, known))
        << "message " << n;
  }
}

}  // namespace
}  // namespace socialgate::providers::meta
