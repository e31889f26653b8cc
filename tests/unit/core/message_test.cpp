#include "core/message.hpp"

#include <string_view>

#include <gtest/gtest.h>

namespace socialgate::core {
namespace {

TEST(MediaKindNameTest, NamesMatchTheJsonContract) {
  EXPECT_EQ(std::string_view(MediaKindName(MediaKind::kImage)), "image");
  EXPECT_EQ(std::string_view(MediaKindName(MediaKind::kVideo)), "video");
  EXPECT_EQ(std::string_view(MediaKindName(MediaKind::kDocument)), "document");
}

}  // namespace
}  // namespace socialgate::core
