// The X-Hub-Signature-256 check: RFC 4231's HMAC-SHA256 vector, and every way a signature can be
// missing, malformed or wrong, including a body re-serialised with the same meaning.
#include "webhooks/meta_signature.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sodium.h>

namespace socialgate::webhooks {
namespace {

class MetaSignatureTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_GE(sodium_init(), 0); }
};

TEST_F(MetaSignatureTest, MatchesRfc4231TestCase2) {
  EXPECT_EQ(MetaSignature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_TRUE(CheckMetaSignature(
      "Jefe", "what do ya want for nothing?",
      "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
  // Upper-case hex and the prefix's case are Meta's to choose.
  EXPECT_TRUE(CheckMetaSignature(
      "Jefe", "what do ya want for nothing?",
      "SHA256=5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843"));
}

TEST_F(MetaSignatureTest, TheSignatureOfTheRawBytesOnly) {
  const std::string body = R"({"object":"whatsapp_business_account","entry":[]})";
  const std::string header = MetaSignature("app-secret", body);
  EXPECT_TRUE(CheckMetaSignature("app-secret", body, header));
  // The same JSON, re-serialised: another body, another signature.
  const auto reserialised = CheckMetaSignature(
      "app-secret", R"({"object": "whatsapp_business_account", "entry": []})", header);
  ASSERT_FALSE(reserialised);
  EXPECT_EQ(reserialised.error().code, core::ErrorCode::kUnauthenticated);
  EXPECT_FALSE(CheckMetaSignature("another-secret", body, header));
  EXPECT_FALSE(CheckMetaSignature("app-secret", body + " ", header));
}

TEST_F(MetaSignatureTest, MissingMalformedAndWrongAreEachNamed) {
  const std::string body = "{}";
  const auto missing = CheckMetaSignature("s", body, "");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("missing"), std::string::npos);
  const std::vector<std::string> malformed = {"sha1=abc",
                                              "sha256=",
                                              "sha256=xyz",
                                              "sha256=" + std::string(63, 'a'),
                                              "sha256=" + std::string(65, 'a'),
                                              std::string(300, 'a')};
  for (const std::string& bad : malformed) {
    const auto r = CheckMetaSignature("s", body, bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, core::ErrorCode::kUnauthenticated);
    EXPECT_EQ(r.error().message.find(MetaSignature("s", body).substr(7)), std::string::npos)
        << "the right signature is never told";
  }
  const auto wrong = CheckMetaSignature("s", body, "sha256=" + std::string(64, '0'));
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("does not match"), std::string::npos);
}

}  // namespace
}  // namespace socialgate::webhooks
