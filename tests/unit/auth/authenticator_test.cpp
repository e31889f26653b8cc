#include "auth/authenticator.hpp"

#include <vector>

#include <gtest/gtest.h>
#include <sodium.h>

#include "auth/password.hpp"
#include "auth_fixture.hpp"

namespace socialgate::auth {
namespace {

class AuthenticatorTest : public AuthFixture {
 protected:
  core::Result<Principal> Auth(const config::Domain& d, std::string_view authorization,
                               std::string_view token = {}) {
    return authenticator_->Authenticate(d, Credentials{authorization, token});
  }
};

TEST_F(AuthenticatorTest, HashIsArgon2idAndVerifies) {
  EXPECT_EQ(hash_->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifySecret(*hash_, "s3cret:with colon"));
  EXPECT_FALSE(VerifySecret(*hash_, "s3cret:with colon "));
}

TEST_F(AuthenticatorTest, AnswersWithoutWaitingOnlyForCredentialsThatSucceededBefore) {
  const auto d = Domain("default");
  const auto other = Domain("other");
  const std::string basic = Basic("limited:s3cret:with colon");
  const std::string bearer = "Bearer s3cret:with colon";
  EXPECT_FALSE(authenticator_->AuthenticateRemembered(d, basic));  // never verified yet
  EXPECT_FALSE(authenticator_->AuthenticateRemembered(d, bearer));
  ASSERT_TRUE(Auth(d, basic));
  ASSERT_TRUE(Auth(d, bearer));

  auto p = authenticator_->AuthenticateRemembered(d, basic);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->user, "limited");
  EXPECT_EQ(p->mechanism, Mechanism::kBasic);
  EXPECT_EQ(p->numbers, std::vector<std::string>{"3902124122690"});
  auto t = authenticator_->AuthenticateRemembered(d, "bearer  s3cret:with colon ");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->mechanism, Mechanism::kBearer);

  EXPECT_FALSE(authenticator_->AuthenticateRemembered(d, Basic("limited:wrong")));
  EXPECT_FALSE(authenticator_->AuthenticateRemembered(d, Basic("alice:s3cret:with colon")));
  EXPECT_FALSE(authenticator_->AuthenticateRemembered(other, basic));  // another domain's cache
  EXPECT_FALSE(authenticator_->AuthenticateRemembered(other, bearer));
  EXPECT_FALSE(authenticator_->AuthenticateRemembered(d, "Bearer wrong"));
  EXPECT_FALSE(authenticator_->AuthenticateRemembered(d, "Digest abc"));
  EXPECT_FALSE(authenticator_->AuthenticateRemembered(d, ""));
}

TEST_F(AuthenticatorTest, AcceptsTheRightPasswordTwice) {
  const auto d = Domain("default");
  for (int i = 0; i < 2; ++i) {  // the second answer comes from the digest cache
    auto p = Auth(d, Basic("alice:s3cret:with colon"));
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->user, "alice");
    EXPECT_EQ(p->domain, "default");
  }
  // Scheme names are case-insensitive.
  EXPECT_TRUE(Auth(d, "basic " + Basic("alice:s3cret:with colon").substr(6)));
}

TEST_F(AuthenticatorTest, RejectsEverythingElseAsUnauthenticated) {
  const auto d = Domain("default");
  ASSERT_TRUE(Auth(d, Basic("alice:s3cret:with colon")));  // warm cache
  for (const std::string& header :
       {std::string(), Basic("alice:wrong"), Basic("alice:s3cret:with colo"),
        Basic("bob:s3cret:with colon"), Basic("no-colon"), std::string("Basic !!!notbase64"),
        std::string("Bearer abc"), std::string("Digest x"),
        std::string("Basic ") + std::string(2000, 'A')}) {
    auto p = Auth(d, header);
    ASSERT_FALSE(p) << header;
    EXPECT_EQ(p.error().code, core::ErrorCode::kUnauthenticated) << header;
    EXPECT_FALSE(p.error().message.empty());
  }
}

TEST_F(AuthenticatorTest, CredentialsOfOneDomainDoNotWorkOnAnother) {
  auto a = Domain("a");
  config::Domain b;
  b.name = "b";
  ASSERT_TRUE(Auth(a, Basic("alice:s3cret:with colon")));
  EXPECT_FALSE(Auth(b, Basic("alice:s3cret:with colon")));
}

TEST_F(AuthenticatorTest, BearerTokenIsTheDomainsApiToken) {
  auto p = Auth(Domain("default"), "Bearer s3cret:with colon");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->mechanism, Mechanism::kBearer);
  EXPECT_TRUE(p->MaySendFrom("anything"));
  config::Domain no_token = Domain("other");
  no_token.api_token_hash.clear();
  EXPECT_FALSE(Auth(no_token, "Bearer s3cret:with colon"));
  EXPECT_FALSE(Auth(Domain("default"), "Bearer wrong"));
}

TEST_F(AuthenticatorTest, SessionsAreIssuedCheckedAndRevoked) {
  const auto d = Domain("default");
  auto p = authenticator_->CheckPassword(d, "limited", "s3cret:with colon");
  ASSERT_TRUE(p);
  auto issued = authenticator_->Login(d, *p);
  ASSERT_TRUE(issued);
  EXPECT_GE(issued->token.size(), 43u);
  auto s = Auth(d, "", issued->token);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->mechanism, Mechanism::kSession);
  EXPECT_EQ(s->user, "limited");
  EXPECT_TRUE(s->MaySendFrom("3902124122690"));
  EXPECT_FALSE(s->MaySendFrom("441234567890"));
  // Another domain does not know the session.
  EXPECT_FALSE(Auth(Domain("other"), "", issued->token));
  // The store keeps only the token's hash.
  EXPECT_TRUE(*authenticator_->Logout(issued->token));
  EXPECT_FALSE(*authenticator_->Logout(issued->token));
  auto after = Auth(d, "", issued->token);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, core::ErrorCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, ExpiredSessionsAreRefused) {
  auto d = Domain("default");
  d.session_ttl = std::chrono::milliseconds(1);
  auto p = authenticator_->CheckPassword(d, "alice", "s3cret:with colon");
  ASSERT_TRUE(p);
  auto issued = authenticator_->Login(d, *p);
  ASSERT_TRUE(issued);
  EXPECT_TRUE(Auth(d, "", issued->token));
  clock_.Advance(std::chrono::milliseconds(1));
  EXPECT_FALSE(Auth(d, "", issued->token));  // expires_at is not "still valid"
}

TEST_F(AuthenticatorTest, RememberedChecksEndWithTheCacheLifetime) {
  auto d = Domain("default");
  const std::string basic = Basic("alice:s3cret:with colon");
  ASSERT_TRUE(Auth(d, basic));  // verified once, remembered
  EXPECT_TRUE(authenticator_->AuthenticateRemembered(d, basic));
  clock_.Advance(kCacheTtl - std::chrono::seconds(1));
  EXPECT_TRUE(authenticator_->AuthenticateRemembered(d, basic));
  clock_.Advance(std::chrono::seconds(2));
  EXPECT_FALSE(authenticator_->AuthenticateRemembered(d, basic));  // verify with argon2id again
}

TEST_F(AuthenticatorTest, AuthorizationHeaderWinsOverTheSessionToken) {
  EXPECT_FALSE(Auth(Domain("default"), "Basic !!!", "whatever"));
}

TEST_F(AuthenticatorTest, OversizedCredentialsAreToldTheyAreTooLong) {
  const auto d = Domain("default");
  // A 9 KB password in Basic credentials, and a 12 KB bearer token.
  auto basic = Auth(d, Basic("alice:" + std::string(9 * 1024, 'p')));
  ASSERT_FALSE(basic);
  EXPECT_EQ(basic.error().code, core::ErrorCode::kUnauthenticated);
  EXPECT_EQ(basic.error().message,
            "Authorization: the Basic credentials are longer than 1024 bytes");
  auto bearer = Auth(d, "Bearer " + std::string(12 * 1024, 't'));
  ASSERT_FALSE(bearer);
  EXPECT_EQ(bearer.error().message, "Authorization: the bearer token is longer than 1024 bytes");
  auto session = Auth(d, "", std::string(2048, 's'));
  ASSERT_FALSE(session);
  EXPECT_NE(session.error().message.find("longer than 1024 bytes"), std::string::npos);
  EXPECT_EQ(Auth(d, "Bearer ").error().message, "Authorization: the bearer token is missing");
  EXPECT_EQ(Auth(d, "Basic !!!").error().message,
            "Authorization: Basic credentials must be base64 of user:password");
}

TEST_F(AuthenticatorTest, FingerprintsNameTheCheckNotTheSecret) {
  const auto d = Domain("default");
  const auto a = authenticator_->CheckFingerprint(d, Basic("alice:one"));
  const auto b = authenticator_->CheckFingerprint(d, Basic("alice:two"));
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(*a, *authenticator_->CheckFingerprint(d, Basic("alice:one")));
  EXPECT_EQ(*a, authenticator_->PasswordFingerprint(d, "alice", "one"));
  EXPECT_EQ(a->find("one"), std::string::npos);
  EXPECT_NE(*authenticator_->CheckFingerprint(d, "Bearer one"), *a);
  EXPECT_FALSE(authenticator_->CheckFingerprint(d, "Basic !!!"));
  EXPECT_FALSE(authenticator_->CheckFingerprint(d, "Digest x"));
  EXPECT_FALSE(authenticator_->CheckFingerprint(d, ""));
}

TEST(BasicUserTest, NamesTheUserOfBasicCredentials) {
  EXPECT_EQ(Authenticator::BasicUser("Basic YWxpY2U6cHc="), "alice");  // alice:pw
  EXPECT_EQ(Authenticator::BasicUser("Bearer x"), "");
  EXPECT_EQ(Authenticator::BasicUser("Basic ???"), "");
}

}  // namespace
}  // namespace socialgate::auth
