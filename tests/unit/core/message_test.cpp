#include "core/message.hpp"

#include <string_view>
#include <variant>

#include <gtest/gtest.h>

namespace socialgate::core {
namespace {

TEST(MediaKindNameTest, NamesMatchTheJsonContract) {
  EXPECT_EQ(std::string_view(MediaKindName(MediaKind::kImage)), "image");
  EXPECT_EQ(std::string_view(MediaKindName(MediaKind::kVideo)), "video");
  EXPECT_EQ(std::string_view(MediaKindName(MediaKind::kDocument)), "document");
}

TEST(MediaKindNameTest, ParseMediaKindReadsBackEveryNameAndNothingElse) {
  for (const MediaKind kind : {MediaKind::kImage, MediaKind::kVideo, MediaKind::kDocument}) {
    EXPECT_EQ(ParseMediaKind(MediaKindName(kind)), kind);
  }
  EXPECT_FALSE(ParseMediaKind("Image"));
  EXPECT_FALSE(ParseMediaKind("audio"));
  EXPECT_FALSE(ParseMediaKind(""));
}

TEST(OutboundMessageTest, ATemplateNamesItsKindAndCarriesItsHeaderAsItsMedia) {
  OutboundMessage m;
  TemplateContent t;
  t.template_name = "shipping_confirmation";
  m.content = t;
  EXPECT_EQ(MessageKindName(m.content), "template");
  EXPECT_EQ(MessageLogLabel(m.content), "shipping_confirmation");
  EXPECT_EQ(MediaOf(m), nullptr);

  std::get<TemplateContent>(m.content).header =
      MediaHeader{MediaKind::kImage, "image/png", "png", "a.png", "bytes"};
  const OutboundMessage& read_only = m;
  ASSERT_NE(MediaOf(read_only), nullptr);
  EXPECT_EQ(MediaOf(read_only)->file_name, "a.png");
  MediaOf(m)->bytes.clear();  // what the store does: the bytes live apart
  EXPECT_TRUE(std::get<TemplateContent>(m.content).header->bytes.empty());
}

}  // namespace
}  // namespace socialgate::core
