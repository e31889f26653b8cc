// The routing table: patterns, parameters, 404 and 405 with the methods allowed.
#include "api/router.hpp"

#include <gtest/gtest.h>

namespace socialgate::api {
namespace {

TEST(RouterTest, LiteralAndParameterSegments) {
  Router router;
  const auto health = router.Add("GET", "/healthz");
  const auto message = router.Add("GET", "/livechat/{domain}/messages/{messageId}");
  ASSERT_TRUE(health && message);

  auto m = router.Find("GET", "/healthz");
  ASSERT_TRUE(m.found);
  EXPECT_EQ(m.found->route, *health);

  m = router.Find("GET", "/livechat/acme/messages/0190-ab");
  ASSERT_TRUE(m.found);
  EXPECT_EQ(m.found->route, *message);
  EXPECT_EQ(m.found->params.Get("domain"), "acme");
  EXPECT_EQ(m.found->params.Get("messageId"), "0190-ab");
  EXPECT_EQ(m.found->params.Get("other"), std::nullopt);
}

TEST(RouterTest, OptionalParameterMatchesWithAndWithoutItsSegment) {
  Router router;
  const auto login = router.Add("POST", "/livechat/{domain?}/login");
  ASSERT_TRUE(login);
  auto with = router.Find("POST", "/livechat/acme/login");
  ASSERT_TRUE(with.found);
  EXPECT_EQ(with.found->route, *login);
  EXPECT_EQ(with.found->params.Get("domain"), "acme");
  auto without = router.Find("POST", "/livechat/login");
  ASSERT_TRUE(without.found);
  EXPECT_EQ(without.found->route, *login);
  EXPECT_EQ(without.found->params.Get("domain"), std::nullopt);
  EXPECT_FALSE(router.Find("POST", "/livechat/a/b/login").found);
}

TEST(RouterTest, NoMatchingPatternIs404) {
  Router router;
  ASSERT_TRUE(router.Add("GET", "/livechat/{domain}/messages/{messageId}"));
  for (const char* path :
       {"/", "", "livechat/a/messages/b", "/livechat/a/messages", "/livechat/a/messages/b/c",
        "/livechat/a/Messages/b", "/livechat//messages/b", "/livechat/a/messages//"}) {
    const auto m = router.Find("GET", path);
    EXPECT_FALSE(m.found) << path;
    EXPECT_FALSE(m.not_allowed) << path;
  }
}

TEST(RouterTest, TrailingSlashIsTolerated) {
  Router router;
  ASSERT_TRUE(router.Add("GET", "/healthz"));
  EXPECT_TRUE(router.Find("GET", "/healthz/").found);
  EXPECT_FALSE(router.Find("GET", "/healthz//").found);
}

TEST(RouterTest, OtherMethodsOnlyIs405WithAllow) {
  Router router;
  ASSERT_TRUE(router.Add("GET", "/healthz"));
  ASSERT_TRUE(router.Add("POST", "/livechat/{domain}/things"));
  ASSERT_TRUE(router.Add("GET", "/livechat/{domain}/things"));
  ASSERT_TRUE(router.Add("DELETE", "/livechat/{domain}/things"));

  auto m = router.Find("POST", "/healthz");
  EXPECT_FALSE(m.found);
  ASSERT_TRUE(m.not_allowed);
  EXPECT_EQ(m.not_allowed->allow, "GET");

  m = router.Find("HEAD", "/healthz");
  ASSERT_TRUE(m.not_allowed);
  EXPECT_EQ(m.not_allowed->allow, "GET");
  m = router.Find("get", "/healthz");
  ASSERT_TRUE(m.not_allowed);

  m = router.Find("PUT", "/livechat/acme/things");
  ASSERT_TRUE(m.not_allowed);
  EXPECT_EQ(m.not_allowed->allow, "POST, GET, DELETE");
}

TEST(RouterTest, TheMostSpecificPatternWins) {
  Router router;
  const auto any = router.Add("GET", "/livechat/{domain}/{method}");
  const auto login = router.Add("GET", "/livechat/{domain}/login");
  const auto fixed = router.Add("GET", "/livechat/default/{method}");
  const auto twin = router.Add("GET", "/livechat/default/{other}");
  ASSERT_TRUE(any && login && fixed && twin);
  EXPECT_EQ(router.Find("GET", "/livechat/acme/login").found->route, *login);
  EXPECT_EQ(router.Find("GET", "/livechat/acme/logout").found->route, *any);
  // A literal earlier in the path counts first; between equals, the first added.
  EXPECT_EQ(router.Find("GET", "/livechat/default/login").found->route, *fixed);
  EXPECT_EQ(router.Find("GET", "/livechat/default/x").found->route, *fixed);
}

TEST(RouterTest, ARouteOfTheRightMethodBeatsAMoreSpecificOneOfAnother) {
  Router router;
  const auto post = router.Add("POST", "/livechat/{domain}/{method}");
  ASSERT_TRUE(router.Add("GET", "/livechat/{domain}/login"));
  const auto m = router.Find("POST", "/livechat/acme/login");
  ASSERT_TRUE(m.found);
  EXPECT_EQ(m.found->route, *post);
}

TEST(RouterTest, MalformedPatternsAreRefused) {
  Router router;
  for (const char* pattern : {"", "healthz", "//a", "/a//b", "/{}", "/{?}", "/{a", "/a}", "/x{a}",
                              "/{a}/{a}", "/{a?b}"}) {
    const auto added = router.Add("GET", pattern);
    ASSERT_FALSE(added) << pattern;
    EXPECT_EQ(added.error().code, core::ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(*router.Add("GET", "/"), 0u);  // numbers count only what was added
  EXPECT_TRUE(router.Find("GET", "/").found);
}

}  // namespace
}  // namespace socialgate::api
