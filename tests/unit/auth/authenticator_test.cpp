#include "auth/authenticator.hpp"

#include <vector>

#include <gtest/gtest.h>
#include <sodium.h>

#include "auth/password.hpp"

namespace socialgate::auth {
namespace {

std::string Basic(const std::string& user_colon_password) {
  std::vector<char> out(
      sodium_base64_ENCODED_LEN(user_colon_password.size(), sodium_base64_VARIANT_ORIGINAL));
  sodium_bin2base64(out.data(), out.size(),
                    reinterpret_cast<const unsigned char*>(user_colon_password.data()),
                    user_colon_password.size(), sodium_base64_VARIANT_ORIGINAL);
  return "Basic " + std::string(out.data());
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_GE(sodium_init(), 0);
    auto hash = HashSecret("s3cret:with colon");
    ASSERT_TRUE(hash);
    hash_ = new std::string(*hash);
  }
  static void TearDownTestSuite() { delete hash_; }

  config::Domain Domain(const std::string& name) {
    config::Domain d;
    d.name = name;
    d.users.push_back(config::User{"alice", *hash_});
    return d;
  }

  static std::string* hash_;
  Authenticator authenticator_;
};
std::string* AuthenticatorTest::hash_ = nullptr;

TEST_F(AuthenticatorTest, HashIsArgon2idAndVerifies) {
  EXPECT_EQ(hash_->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifySecret(*hash_, "s3cret:with colon"));
  EXPECT_FALSE(VerifySecret(*hash_, "s3cret:with colon "));
}

TEST_F(AuthenticatorTest, AcceptsTheRightPasswordTwice) {
  const auto d = Domain("default");
  for (int i = 0; i < 2; ++i) {  // the second answer comes from the digest cache
    auto p = authenticator_.Authenticate(d, Basic("alice:s3cret:with colon"));
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->user, "alice");
    EXPECT_EQ(p->domain, "default");
  }
  // Scheme names are case-insensitive.
  EXPECT_TRUE(
      authenticator_.Authenticate(d, "basic " + Basic("alice:s3cret:with colon").substr(6)));
}

TEST_F(AuthenticatorTest, RejectsEverythingElseAsUnauthenticated) {
  const auto d = Domain("default");
  ASSERT_TRUE(authenticator_.Authenticate(d, Basic("alice:s3cret:with colon")));  // warm cache
  for (const std::string& header :
       {std::string(), Basic("alice:wrong"), Basic("alice:s3cret:with colo"),
        Basic("bob:s3cret:with colon"), Basic("no-colon"), std::string("Basic !!!notbase64"),
        std::string("Bearer abc"), std::string("Basic ") + std::string(2000, 'A')}) {
    auto p = authenticator_.Authenticate(d, header);
    ASSERT_FALSE(p) << header;
    EXPECT_EQ(p.error().code, core::ErrorCode::kUnauthenticated) << header;
    EXPECT_FALSE(p.error().message.empty());
  }
}

TEST_F(AuthenticatorTest, CredentialsOfOneDomainDoNotWorkOnAnother) {
  auto a = Domain("a");
  config::Domain b;
  b.name = "b";
  ASSERT_TRUE(authenticator_.Authenticate(a, Basic("alice:s3cret:with colon")));
  EXPECT_FALSE(authenticator_.Authenticate(b, Basic("alice:s3cret:with colon")));
}

}  // namespace
}  // namespace socialgate::auth
