#include "core/language.hpp"

#include <string>

#include <gtest/gtest.h>

namespace socialgate::core {
namespace {

class DefaultLanguageTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DefaultLanguageTest, MetaCodeIsAccepted) {
  EXPECT_TRUE(LanguageCatalog::Default().Contains(GetParam())) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(MetaList, DefaultLanguageTest,
                         ::testing::Values("af", "sq", "ar", "ar_EG", "ar_AE", "en", "en_GB",
                                           "en_US", "fil", "prs_AF", "pt_BR", "pt_PT", "es_AR",
                                           "es_ES", "es_MX", "zh_CN", "zh_HK", "zh_TW", "rw_RW",
                                           "ky_KG", "it", "zu"));

class NotALanguageTest : public ::testing::TestWithParam<std::string> {};

TEST_P(NotALanguageTest, IsRejected) {
  EXPECT_FALSE(LanguageCatalog::Default().Contains(GetParam())) << GetParam();
}

// Matching is exact: wrong case, BCP 47 hyphens, padding and unknown codes all fail.
INSTANTIATE_TEST_SUITE_P(Invalid, NotALanguageTest,
                         ::testing::Values("", "xx_YY", "en_gb", "EN_GB", "en-GB", "En", " en",
                                           "en ", "pt", "english", "#", "it_IT"));

TEST(LanguageCatalogTest, DefaultHasMetasWholeList) {
  // Meta's list has over a hundred codes; a much smaller number means the data file was not
  // embedded or parsed (comments or blank lines counted, lines merged...).
  EXPECT_GE(LanguageCatalog::Default().size(), 100u);
  EXPECT_LE(LanguageCatalog::Default().size(), 200u);
}

TEST(LanguageCatalogTest, EmptyCatalogContainsNothing) {
  const LanguageCatalog empty;
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_FALSE(empty.Contains("en"));
}

TEST(LanguageCatalogTest, AddExtendsTheCatalog) {
  LanguageCatalog catalog = LanguageCatalog::Default();
  const std::size_t before = catalog.size();
  ASSERT_FALSE(catalog.Contains("xx_YY"));
  catalog.Add("xx_YY");
  EXPECT_TRUE(catalog.Contains("xx_YY"));
  EXPECT_FALSE(catalog.Contains("xx_yy"));
  EXPECT_EQ(catalog.size(), before + 1);
}

TEST(LanguageCatalogTest, AddDoesNotChangeTheDefault) {
  LanguageCatalog catalog = LanguageCatalog::Default();
  catalog.Add("xx_YY");
  EXPECT_FALSE(LanguageCatalog::Default().Contains("xx_YY"));
}

TEST(LanguageCatalogTest, AddTrimsAndIgnoresEmptyAndDuplicates) {
  LanguageCatalog catalog;
  catalog.Add("  ab_CD \t");
  catalog.Add("");
  catalog.Add("   ");
  catalog.Add("ab_CD");
  EXPECT_TRUE(catalog.Contains("ab_CD"));
  EXPECT_EQ(catalog.size(), 1u);
}

}  // namespace
}  // namespace socialgate::core
