// Meta's subscription handshake: the challenge is echoed only for the configured verify token,
// and only when it looks like Meta's.
#include "webhooks/meta_handshake.hpp"

#include <string>

#include <gtest/gtest.h>
#include <sodium.h>

namespace socialgate::webhooks {
namespace {

class MetaHandshakeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_GE(sodium_init(), 0); }
};

TEST_F(MetaHandshakeTest, EchoesTheChallengeForTheConfiguredToken) {
  const auto r = AnswerHandshake("verify-me", {"subscribe", "verify-me", "1158201444"});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "1158201444");
}

TEST_F(MetaHandshakeTest, RefusesWithASentenceNamingTheParameter) {
  const struct {
    HandshakeRequest request;
    const char* names;
  } cases[] = {
      {{"", "verify-me", "1"}, "hub.mode"},
      {{"unsubscribe", "verify-me", "1"}, "hub.mode"},
      {{"subscribe", "", "1"}, "hub.verify_token"},
      {{"subscribe", "verify-m", "1"}, "hub.verify_token"},
      {{"subscribe", "verify-me!", "1"}, "hub.verify_token"},
      {{"subscribe", "verify-me", ""}, "hub.challenge"},
      {{"subscribe", "verify-me", "<script>"}, "hub.challenge"},
      {{"subscribe", "verify-me", std::string_view("12\n3")}, "hub.challenge"},
  };
  for (const auto& c : cases) {
    const auto r = AnswerHandshake("verify-me", c.request);
    ASSERT_FALSE(r) << c.names;
    EXPECT_EQ(r.error().code, core::ErrorCode::kPermissionDenied);
    EXPECT_NE(r.error().message.find(c.names), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("verify-me"), std::string::npos) << "the token is never told";
  }
  const std::string long_challenge(kMaxChallenge + 1, '7');
  EXPECT_FALSE(AnswerHandshake("verify-me", {"subscribe", "verify-me", long_challenge}));
}

TEST_F(MetaHandshakeTest, NoConfiguredTokenMeansNoHandshake) {
  EXPECT_FALSE(AnswerHandshake("", {"subscribe", "", "1"}));
}

}  // namespace
}  // namespace socialgate::webhooks
