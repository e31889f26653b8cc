// Authentication against the real binary: CTLive's four mechanisms (HTTP Basic, a domain's
// Bearer API token, a login session as the `ctlivetoken` header or query parameter), login and
// logout, session expiry, tenancy (a user limited to some business numbers, domains kept
// apart), the failed-attempt limiter (slowed 401s, then 429 with Retry-After), and a log that
// never holds a credential. Every refusal is `{"result": false, "error": "..."}`.
#include <cctype>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gateway_process.hpp"
#include "http_client.hpp"

namespace socialgate::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Domain API tokens (CTLive's ct7Token) and their argon2id hashes, precomputed with
// `echo -n TOKEN | socialgate hash-secret` (hashing costs about a second).
// kAlphaTokenHash is the hash of "sg-api-token-alpha-5d1f9c" (kAlphaToken).
constexpr std::string_view kAlphaToken = "sg-api-token-alpha-5d1f9c";
constexpr std::string_view kAlphaTokenHash =
    "$argon2id$v=19$m=65536,t=2,p=1$d/vTEcH/bhmQ6EQMiwTLtQ$"
    "fvYTt63PXUnlONqq6SqgCba2+kqiBCx6i6aaTWQmOHg";
// kBravoTokenHash is the hash of "sg-api-token-bravo-83e2aa" (kBravoToken).
constexpr std::string_view kBravoToken = "sg-api-token-bravo-83e2aa";
constexpr std::string_view kBravoTokenHash =
    "$argon2id$v=19$m=65536,t=2,p=1$rpsA0AO63HMsFgdq8kO5nQ$"
    "jt9vQY7tfl93NFaIeVeeH6oPmvRC+vOtefPQo/ULnyM";

// Business numbers. Domain "default" has two; user "limited" may send from the first only.
constexpr std::string_view kDefaultNumber = "3902124122690";
constexpr std::string_view kSecondNumber = "3902124122692";
constexpr std::string_view kOtherNumber = "3902124122691";       // domain "other"
constexpr std::string_view kPlainNumber = "3902124122693";       // domain "plain"
constexpr std::string_view kShortLivedNumber = "3902124122694";  // domain "shortlived"

// Every user's password is kTestPassword (its hash kTestPasswordHash).
const Credentials kDemo{"demo", std::string(kTestPassword)};
const Credentials kLimited{"limited", std::string(kTestPassword)};
const Credentials kOther{"other", std::string(kTestPassword)};
const Credentials kPlain{"plain", std::string(kTestPassword)};
const Credentials kShortLived{"short", std::string(kTestPassword)};

std::string NumberToml(std::string_view phone) {
  return "  [[domains.numbers]]\n  phone = \"" + std::string(phone) +
         "\"\n  provider = \"sandbox\"\n"
         "  [domains.numbers.sandbox]\n  sent_after_ms = 20\n  delivered_after_ms = 40\n"
         "  read_after_ms = 60\n";
}

std::string UserToml(std::string_view name, const std::vector<std::string_view>& numbers = {}) {
  std::string toml = "  [[domains.users]]\n  name = \"" + std::string(name) +
                     "\"\n  password_hash = \"" + std::string(kTestPasswordHash) + "\"\n";
  if (!numbers.empty()) {
    toml += "  numbers = [";
    for (std::size_t i = 0; i < numbers.size(); ++i) {
      toml += (i == 0 ? "\"" : ", \"") + std::string(numbers[i]) + "\"";
    }
    toml += "]\n";
  }
  return toml;
}

// Four domains:
//   default     API token kAlphaToken; users demo (all numbers), limited (kDefaultNumber only),
//               victim and bystander (for the limiter); numbers kDefaultNumber, kSecondNumber
//   other       API token kBravoToken; user other; number kOtherNumber
//   plain       no API token; user plain; number kPlainNumber
//   shortlived  sessions expire after 1 s; user short; number kShortLivedNumber
std::string AuthConfig() {
  std::string toml = TestConfig({});  // the [server] and [dispatch] sections
  toml += "\n[[domains]]\nname = \"default\"\napi_token_hash = \"" + std::string(kAlphaTokenHash) +
          "\"\n";
  toml += UserToml("demo") + UserToml("limited", {kDefaultNumber}) + UserToml("victim") +
          UserToml("bystander");
  toml += NumberToml(kDefaultNumber) + NumberToml(kSecondNumber);
  toml += "\n[[domains]]\nname = \"other\"\napi_token_hash = \"" + std::string(kBravoTokenHash) +
          "\"\n";
  toml += UserToml("other") + NumberToml(kOtherNumber);
  toml += "\n[[domains]]\nname = \"plain\"\n";
  toml += UserToml("plain") + NumberToml(kPlainNumber);
  toml += "\n[[domains]]\nname = \"shortlived\"\nsession_ttl_ms = 1000\n";
  toml += UserToml("short") + NumberToml(kShortLivedNumber);
  return toml;
}

using Headers = std::vector<std::pair<std::string, std::string>>;

// The answer is 200 with "result": true.
::testing::AssertionResult IsOk(const HttpResponse& r) {
  const nlohmann::json j = r.Json();
  if (r.status != 200 || !j.is_object() || j.value("result", false) != true) {
    return ::testing::AssertionFailure() << "want HTTP 200 with result true, got " << r.Describe();
  }
  return ::testing::AssertionSuccess();
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out += {'%', kHex[u >> 4], kHex[u & 0xF]};
    }
  }
  return out;
}

// A test config with one gateway per test suite; the suites below differ in what they share.
class AuthTestBase : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    gateway_ = std::make_unique<GatewayProcess>(AuthConfig());
    ASSERT_TRUE(gateway_->Start());
  }
  static void TearDownTestSuite() { gateway_.reset(); }
  void SetUp() override { ASSERT_TRUE(gateway_ && gateway_->running()); }

  static std::string Base() { return gateway_->base_url(); }

  // POST the seed request (from `number`) to `domain`'s send endpoint.
  HttpResponse Send(std::string_view domain, std::string_view number, Headers headers,
                    std::optional<Credentials> basic = std::nullopt, std::string query = "") {
    HttpRequest request;
    request.method = "POST";
    request.url = SendUrl(Base(), domain) + query;
    headers.emplace_back("Content-Type", "application/json");
    request.headers = std::move(headers);
    request.body = SeedRequest(number).dump();
    request.basic = std::move(basic);
    return client_.Send(request);
  }
  HttpResponse SendBasic(std::string_view domain, std::string_view number,
                         const Credentials& credentials) {
    return Send(domain, number, {}, credentials);
  }
  HttpResponse SendBearer(std::string_view domain, std::string_view number,
                          std::string_view token) {
    return Send(domain, number, {{"Authorization", "Bearer " + std::string(token)}});
  }

  HttpResponse Get(const std::string& url, Headers headers,
                   std::optional<Credentials> basic = std::nullopt) {
    HttpRequest request;
    request.url = url;
    request.headers = std::move(headers);
    request.basic = std::move(basic);
    return client_.Send(request);
  }

  // POST .../login with Basic credentials.
  HttpResponse LoginBasic(std::string_view domain, const Credentials& credentials) {
    HttpRequest request;
    request.method = "POST";
    request.url = Base() + "/livechat/" + std::string(domain) + "/login";
    request.body = "";
    request.basic = credentials;
    return client_.Send(request);
  }
  // POST .../login with {"username", "password"}.
  HttpResponse LoginJson(std::string_view domain, const Credentials& credentials) {
    return client_.PostJson(
        Base() + "/livechat/" + std::string(domain) + "/login",
        nlohmann::json{{"username", credentials.user}, {"password", credentials.password}}.dump());
  }
  HttpResponse Logout(std::string_view domain, Headers headers,
                      std::optional<Credentials> basic = std::nullopt) {
    HttpRequest request;
    request.method = "POST";
    request.url = Base() + "/livechat/" + std::string(domain) + "/logout";
    request.body = "";
    request.headers = std::move(headers);
    request.basic = std::move(basic);
    return client_.Send(request);
  }

  // A session token of `credentials` in `domain` (Basic login); "" after a test failure.
  std::string Token(std::string_view domain, const Credentials& credentials) {
    const HttpResponse r = LoginBasic(domain, credentials);
    EXPECT_TRUE(IsOk(r));
    const nlohmann::json j = r.Json();
    if (!j.is_object() || !j.contains("token") || !j["token"].is_string()) {
      ADD_FAILURE() << "login gave no token: " << r.Describe();
      return {};
    }
    return j["token"].get<std::string>();
  }

  // The messageId of a 200 send answer; "" after a test failure.
  static std::string MessageId(const HttpResponse& r) {
    const nlohmann::json j = r.Json();
    if (r.status != 200 || !j.is_object() || !j.contains("messageId") ||
        !j["messageId"].is_string()) {
      ADD_FAILURE() << "want a 200 answer with a messageId: " << r.Describe();
      return {};
    }
    return j["messageId"].get<std::string>();
  }

  static inline std::unique_ptr<GatewayProcess> gateway_;
  HttpClient client_;
};

// ---- 1. HTTP Basic and 4. Bearer ----------------------------------------------------------------

class CredentialsTest : public AuthTestBase {};

TEST_F(CredentialsTest, BasicWithTheRightPasswordSends) {
  EXPECT_TRUE(IsOk(SendBasic("default", kDefaultNumber, kDemo)));
}

TEST_F(CredentialsTest, BasicWithAWrongPasswordIs401WithBasicChallenge) {
  const HttpResponse r = SendBasic("default", kDefaultNumber, {"demo", "not-the-password"});
  EXPECT_TRUE(IsError(r, 401, "password"));
  EXPECT_EQ(r.Header("www-authenticate").rfind("Basic", 0), 0u) << r.Header("www-authenticate");
}

TEST_F(CredentialsTest, BearerWithTheDomainsApiTokenSends) {
  EXPECT_TRUE(IsOk(SendBearer("default", kDefaultNumber, kAlphaToken)));
  // The API token may send from every number of its domain.
  EXPECT_TRUE(IsOk(SendBearer("default", kSecondNumber, kAlphaToken)));
}

TEST_F(CredentialsTest, BearerWithAWrongTokenIs401) {
  const HttpResponse r = SendBearer("default", kDefaultNumber, "sg-api-token-alpha-5d1f9d");
  EXPECT_TRUE(IsError(r, 401, "API token"));
  EXPECT_EQ(r.Header("www-authenticate").rfind("Basic", 0), 0u) << r.Header("www-authenticate");
}

TEST_F(CredentialsTest, DomainWithoutApiTokenRefusesEveryBearer) {
  EXPECT_TRUE(IsError(SendBearer("plain", kPlainNumber, kAlphaToken), 401, "API token"));
  EXPECT_TRUE(IsError(SendBearer("plain", kPlainNumber, "anything"), 401, "API token"));
  EXPECT_TRUE(IsError(SendBearer("plain", kPlainNumber, ""), 401, ""));
  // Its users still get in.
  EXPECT_TRUE(IsOk(SendBasic("plain", kPlainNumber, kPlain)));
}

TEST_F(CredentialsTest, BearerOfOneDomainIs401OnAnother) {
  EXPECT_TRUE(IsError(SendBearer("other", kOtherNumber, kAlphaToken), 401, "API token"));
  EXPECT_TRUE(IsError(SendBearer("default", kDefaultNumber, kBravoToken), 401, "API token"));
  EXPECT_TRUE(IsOk(SendBearer("other", kOtherNumber, kBravoToken)));
}

TEST_F(CredentialsTest, UnknownAuthorizationSchemeIs401) {
  const HttpResponse r = Send("default", kDefaultNumber, {{"Authorization", "Digest abc"}});
  EXPECT_TRUE(IsError(r, 401, "Basic or Bearer"));
}

// ---- 2./3. Sessions: login, ctlivetoken header and query parameter, logout, expiry --------------

class SessionTest : public AuthTestBase {};

TEST_F(SessionTest, LoginWithBasicReturnsATokenAndItsExpiry) {
  const HttpResponse r = LoginBasic("default", kDemo);
  ASSERT_TRUE(IsOk(r));
  const nlohmann::json j = r.Json();
  EXPECT_TRUE(j.contains("error") && j["error"].is_null()) << r.Describe();
  ASSERT_TRUE(j.contains("token") && j["token"].is_string()) << r.Describe();
  EXPECT_GE(j["token"].get<std::string>().size(), 32u) << r.Describe();
  ASSERT_TRUE(j.contains("expiresAt") && j["expiresAt"].is_string()) << r.Describe();
  EXPECT_EQ(j["expiresAt"].get<std::string>().rfind("20", 0), 0u) << r.Describe();  // a UTC date
}

TEST_F(SessionTest, LoginWithJsonBodyReturnsAToken) {
  const HttpResponse r = LoginJson("default", kDemo);
  ASSERT_TRUE(IsOk(r));
  const nlohmann::json j = r.Json();
  ASSERT_TRUE(j.contains("token") && j["token"].is_string()) << r.Describe();
  EXPECT_TRUE(j.contains("expiresAt") && j["expiresAt"].is_string()) << r.Describe();
  // Two logins, two sessions.
  const HttpResponse again = LoginJson("default", kDemo);
  ASSERT_TRUE(IsOk(again));
  EXPECT_NE(again.Json().value("token", ""), j["token"].get<std::string>());
}

TEST_F(SessionTest, LoginWithAWrongPasswordIs401) {
  const Credentials wrong{"demo", "wrong-login-password"};
  const HttpResponse basic = LoginBasic("default", wrong);
  EXPECT_TRUE(IsError(basic, 401, "password"));
  EXPECT_FALSE(basic.Json().contains("token")) << basic.Describe();
  const HttpResponse json = LoginJson("default", wrong);
  EXPECT_TRUE(IsError(json, 401, "password"));
  EXPECT_FALSE(json.Json().contains("token")) << json.Describe();
}

TEST_F(SessionTest, LoginWithoutCredentialsIsRefused) {
  EXPECT_TRUE(IsError(client_.PostJson(Base() + "/livechat/default/login", "{\"username\": 1}"),
                      400, "username"));
  HttpRequest request;
  request.method = "POST";
  request.url = Base() + "/livechat/default/login";
  request.body = "username=demo";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  EXPECT_TRUE(IsError(client_.Send(request), 415, "login"));
}

// A login body is parsed only within the send endpoint's nesting limit: a body of brackets
// from anyone would otherwise cost the gateway a parsed value per level.
TEST_F(SessionTest, LoginWithADeeplyNestedBodyIsRefusedBeforeParsing) {
  // Within server.max_unauthenticated_body_bytes (64 KiB) and the 10,000 values a body may
  // hold, so it is read and parsed, and refused by its depth.
  const std::string deep = R"({"username":"demo","password":"x","pad":)" + std::string(5'000, '[') +
                           std::string(5'000, ']') + "}";
  EXPECT_TRUE(IsError(client_.PostJson(Base() + "/livechat/default/login", deep), 400,
                      "nested more than 32"));
}

TEST_F(SessionTest, GetOnLoginIs405) {
  const HttpResponse r = client_.Get(Base() + "/livechat/default/login", kDemo);
  EXPECT_TRUE(IsError(r, 405, "POST"));
  EXPECT_NE(r.Header("allow").find("POST"), std::string::npos) << r.Describe();
}

TEST_F(SessionTest, TokenAsHeaderSendsAndReadsMessages) {
  const std::string token = Token("default", kDemo);
  ASSERT_FALSE(token.empty());
  const HttpResponse sent = Send("default", kDefaultNumber, {{"ctlivetoken", token}});
  ASSERT_TRUE(IsOk(sent));
  const std::string id = MessageId(sent);
  ASSERT_FALSE(id.empty());
  const HttpResponse read = Get(MessageUrl(Base(), "default", id), {{"ctlivetoken", token}});
  EXPECT_TRUE(IsOk(read));
  EXPECT_EQ(read.Json().value("messageId", ""), id) << read.Describe();
}

TEST_F(SessionTest, TokenAsQueryParameterSendsAndReadsMessages) {
  const std::string token = Token("default", kDemo);
  ASSERT_FALSE(token.empty());
  const std::string query = "?ctlivetoken=" + PercentEncode(token);
  const HttpResponse sent = Send("default", kDefaultNumber, {}, std::nullopt, query);
  ASSERT_TRUE(IsOk(sent));
  const std::string id = MessageId(sent);
  ASSERT_FALSE(id.empty());
  const HttpResponse read = Get(MessageUrl(Base(), "default", id) + query, {});
  EXPECT_TRUE(IsOk(read));
  EXPECT_EQ(read.Json().value("messageId", ""), id) << read.Describe();
}

TEST_F(SessionTest, TokenOfOneDomainIs401OnAnother) {
  const std::string token = Token("other", kOther);
  ASSERT_FALSE(token.empty());
  EXPECT_TRUE(
      IsError(Send("default", kDefaultNumber, {{"ctlivetoken", token}}), 401, "ctlivetoken"));
  EXPECT_TRUE(IsError(
      Send("default", kDefaultNumber, {}, std::nullopt, "?ctlivetoken=" + PercentEncode(token)),
      401, "ctlivetoken"));
  // Its own domain takes it.
  EXPECT_TRUE(IsOk(Send("other", kOtherNumber, {{"ctlivetoken", token}})));
}

TEST_F(SessionTest, UnknownTokenIs401) {
  EXPECT_TRUE(IsError(Send("default", kDefaultNumber, {{"ctlivetoken", "no-such-session"}}), 401,
                      "ctlivetoken"));
}

TEST_F(SessionTest, LogoutEndsTheSession) {
  const std::string token = Token("default", kDemo);
  ASSERT_FALSE(token.empty());
  ASSERT_TRUE(IsOk(Send("default", kDefaultNumber, {{"ctlivetoken", token}})));
  const HttpResponse out = Logout("default", {{"ctlivetoken", token}});
  EXPECT_TRUE(IsOk(out));
  EXPECT_TRUE(
      IsError(Send("default", kDefaultNumber, {{"ctlivetoken", token}}), 401, "ctlivetoken"));
  EXPECT_TRUE(IsError(Get(MessageUrl(Base(), "default", "any") + "?ctlivetoken=" + token, {}), 401,
                      "ctlivetoken"));
  // A second logout of the same token: the session is gone.
  EXPECT_TRUE(IsError(Logout("default", {{"ctlivetoken", token}}), 401, "ctlivetoken"));
}

TEST_F(SessionTest, LogoutWithBasicIs400) {
  EXPECT_TRUE(IsError(Logout("default", {}, kDemo), 400, "ctlivetoken"));
}

TEST_F(SessionTest, ExpiredSessionIs401) {
  // Domain "shortlived": session_ttl_ms = 1000.
  const auto issued_at = Clock::now();
  const std::string token = Token("shortlived", kShortLived);
  ASSERT_FALSE(token.empty());
  const HttpResponse sent = Send("shortlived", kShortLivedNumber, {{"ctlivetoken", token}});
  const std::string id = MessageId(sent);
  ASSERT_FALSE(id.empty());
  // Poll the message with the token until the session has expired (bounded).
  const std::string url = MessageUrl(Base(), "shortlived", id);
  // The time is taken when the refused request was sent: a 401 may be delayed by the limiter
  // when earlier tests of the suite failed to authenticate from this address.
  HttpResponse r;
  Clock::time_point sent_at;
  for (;;) {
    sent_at = Clock::now();
    r = Get(url, {{"ctlivetoken", token}});
    if (r.status != 200 || sent_at - issued_at > std::chrono::seconds(5)) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  const auto expired_after = std::chrono::duration_cast<milliseconds>(sent_at - issued_at).count();
  EXPECT_TRUE(IsError(r, 401, "expired")) << "after " << expired_after << " ms";
  EXPECT_GE(expired_after, 900) << "the session expired before its 1 s lifetime";
  // A new login works again.
  const std::string fresh = Token("shortlived", kShortLived);
  ASSERT_FALSE(fresh.empty());
  EXPECT_TRUE(IsOk(Get(url, {{"ctlivetoken", fresh}})));
}

// ---- Tenancy ------------------------------------------------------------------------------------

class TenancyTest : public AuthTestBase {};

TEST_F(TenancyTest, UserLimitedToANumberSendsFromIt) {
  EXPECT_TRUE(IsOk(SendBasic("default", kDefaultNumber, kLimited)));
}

TEST_F(TenancyTest, UserLimitedToANumberIs403FromAnotherNumberOfItsDomain) {
  const HttpResponse r = SendBasic("default", kSecondNumber, kLimited);
  EXPECT_TRUE(IsError(r, 403, "servicePhoneNumber"));
  EXPECT_TRUE(IsError(r, 403, "limited"));
  EXPECT_TRUE(IsError(r, 403, std::string(kSecondNumber)));
  // With a session the limit is the same.
  const std::string token = Token("default", kLimited);
  ASSERT_FALSE(token.empty());
  EXPECT_TRUE(
      IsError(Send("default", kSecondNumber, {{"ctlivetoken", token}}), 403, "servicePhoneNumber"));
  // A user without a limit sends from both.
  EXPECT_TRUE(IsOk(SendBasic("default", kSecondNumber, kDemo)));
}

TEST_F(TenancyTest, UserLimitedToANumberCannotReadMessagesFromAnother) {
  const std::string others = MessageId(SendBasic("default", kSecondNumber, kDemo));
  ASSERT_FALSE(others.empty());
  const std::string own = MessageId(SendBasic("default", kDefaultNumber, kLimited));
  ASSERT_FALSE(own.empty());
  EXPECT_TRUE(IsError(Get(MessageUrl(Base(), "default", others), {}, kLimited), 404, others));
  EXPECT_TRUE(IsOk(Get(MessageUrl(Base(), "default", own), {}, kLimited)));
  EXPECT_TRUE(IsOk(Get(MessageUrl(Base(), "default", others), {}, kDemo)));
}

TEST_F(TenancyTest, NumberOfAnotherDomainIs403) {
  // Valid credentials of "default", on its own path, sending from "other"'s number.
  const HttpResponse r = SendBasic("default", kOtherNumber, kDemo);
  EXPECT_TRUE(IsError(r, 403, "servicePhoneNumber"));
  EXPECT_TRUE(IsError(r, 403, "is not a business number of domain 'default'"));
  EXPECT_TRUE(IsError(SendBearer("default", kOtherNumber, kAlphaToken), 403, "servicePhoneNumber"));
}

TEST_F(TenancyTest, UserOfOneDomainIs401OnAnothersPath) {
  EXPECT_TRUE(IsError(SendBasic("other", kOtherNumber, kDemo), 401, ""));
  EXPECT_TRUE(IsError(SendBasic("default", kDefaultNumber, kOther), 401, ""));
  // A domain's messages are not readable from another domain's path either.
  const std::string id = MessageId(SendBasic("other", kOtherNumber, kOther));
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(IsError(Get(MessageUrl(Base(), "default", id), {}, kDemo), 404, id));
}

// ---- The failed-attempt limiter -----------------------------------------------------------------

// Each test here has its own gateway: the limiter counts per process.
class BruteForceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(gateway_.Start()); }

  HttpResponse SendAs(const Credentials& credentials) {
    return client_.PostJson(SendUrl(gateway_.base_url(), "default"),
                            SeedRequest(kDefaultNumber).dump(), credentials);
  }

  GatewayProcess gateway_{AuthConfig()};
  HttpClient client_;
};

TEST_F(BruteForceTest, WrongPasswordsAreSlowedThenLockedThenForgiven) {
  const Credentials victim{"victim", std::string(kTestPassword)};
  const Credentials bystander{"bystander", std::string(kTestPassword)};
  const std::vector<std::string> wrong = {"guess-one-7f3a", "guess-two-7f3a", "guess-three-7f3a",
                                          "guess-four-7f3a", "guess-five-7f3a"};
  // Five wrong passwords from 127.0.0.1: 401 each, from the third on held back 250 ms x (n - 2).
  Clock::time_point last_answered;
  for (std::size_t i = 0; i < wrong.size(); ++i) {
    const auto sent = Clock::now();
    const HttpResponse r = SendAs({"victim", wrong[i]});
    last_answered = Clock::now();
    const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - sent).count();
    EXPECT_TRUE(IsError(r, 401, "password")) << "attempt " << i + 1;
    if (i >= 3) {
      EXPECT_GE(took, 200) << "failure " << i + 1 << " was not slowed down";
    }
  }
  // Five failures lock the user at this address for 3 s: even the right password is refused,
  // without being checked. (The lock starts when the fifth failure is counted and the fifth
  // 401 is held back 750 ms from then: this attempt comes within the remaining 2.25 s.)
  const auto gap = std::chrono::duration_cast<milliseconds>(Clock::now() - last_answered).count();
  const HttpResponse locked = SendAs(victim);
  EXPECT_TRUE(IsError(locked, 429, "try again"))
      << "sent " << gap << " ms after the fifth 401 (the lock ends about 2.25 s after it)";
  const std::string retry_after = locked.Header("retry-after");
  EXPECT_FALSE(retry_after.empty()) << locked.Describe();
  EXPECT_EQ(retry_after.find_first_not_of("0123456789"), std::string::npos) << retry_after;
  if (!retry_after.empty()) {
    EXPECT_GE(std::stoi(retry_after), 1);
    EXPECT_LE(std::stoi(retry_after), 3);
  }

  // Another user from the same address is not locked (5 failures < 20 per address).
  EXPECT_TRUE(IsOk(SendAs(bystander)));

  // Once the lock has expired (bounded poll, 429 meanwhile), the right password works.
  HttpResponse r;
  const auto deadline = Clock::now() + std::chrono::seconds(6);
  for (;;) {
    r = SendAs(victim);
    if (r.status != 429 || Clock::now() > deadline) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_TRUE(IsOk(r)) << "after the lock";
  // ...and the success has reset the user's count: one more failure does not lock again (it
  // would be the sixth: a 6 s lock), so the right password right after it works.
  EXPECT_TRUE(IsError(SendAs({"victim", "guess-six-7f3a"}), 401, "password"));
  EXPECT_TRUE(IsOk(SendAs(victim)));

  // Info lines are written in batches: stopping writes the last of them.
  ASSERT_TRUE(gateway_.Stop().ExitedWith(0));
  const std::string log = gateway_.ReadStderrLog();
  for (const auto& password : wrong) {
    EXPECT_EQ(log.find(password), std::string::npos) << "the log holds the password " << password;
  }
  EXPECT_EQ(log.find(kTestPassword), std::string::npos) << "the log holds the password";
}

// ---- Logs ---------------------------------------------------------------------------------------

TEST(CredentialLogTest, LogNeverHoldsPasswordsOrTokens) {
  GatewayProcess gateway(AuthConfig());
  ASSERT_TRUE(gateway.Start());
  HttpClient client;
  const std::string base = gateway.base_url();
  const std::string send_url = SendUrl(base, "default");
  const std::string body = SeedRequest(kDefaultNumber).dump();
  const std::string wrong_password = "wrong-password-c0ffee";

  ASSERT_TRUE(IsOk(client.PostJson(send_url, body, kDemo)));
  EXPECT_TRUE(IsError(client.PostJson(send_url, body, Credentials{"demo", wrong_password}), 401,
                      "password"));
  std::vector<std::string> tokens;
  for (const bool json : {false, true}) {
    HttpRequest login;
    login.method = "POST";
    login.url = base + "/livechat/default/login";
    if (json) {
      login.headers = {{"Content-Type", "application/json"}};
      login.body = nlohmann::json{{"username", "demo"}, {"password", kTestPassword}}.dump();
    } else {
      login.body = "";
      login.basic = kDemo;
    }
    const HttpResponse r = client.Send(login);
    ASSERT_TRUE(IsOk(r));
    tokens.push_back(r.Json().value("token", ""));
    ASSERT_FALSE(tokens.back().empty()) << r.Describe();
  }
  HttpRequest with_header;
  with_header.method = "POST";
  with_header.url = send_url;
  with_header.headers = {{"Content-Type", "application/json"}, {"ctlivetoken", tokens[0]}};
  with_header.body = body;
  EXPECT_TRUE(IsOk(client.Send(with_header)));
  HttpRequest with_query = with_header;
  with_query.url = send_url + "?ctlivetoken=" + PercentEncode(tokens[1]);
  with_query.headers = {{"Content-Type", "application/json"}};
  EXPECT_TRUE(IsOk(client.Send(with_query)));
  HttpRequest bearer = with_query;
  bearer.url = send_url;
  bearer.headers = {{"Content-Type", "application/json"},
                    {"Authorization", "Bearer " + std::string(kAlphaToken)}};
  EXPECT_TRUE(IsOk(client.Send(bearer)));
  bearer.headers.back().second = "Bearer " + std::string(kBravoToken);  // the wrong domain's
  EXPECT_TRUE(IsError(client.Send(bearer), 401, "API token"));
  HttpRequest logout;
  logout.method = "POST";
  logout.url = base + "/livechat/default/logout";
  logout.body = "";
  logout.headers = {{"ctlivetoken", tokens[0]}};
  EXPECT_TRUE(IsOk(client.Send(logout)));

  // Info lines are written in batches: stopping writes the last of them.
  ASSERT_TRUE(gateway.Stop().ExitedWith(0));
  const std::string log = gateway.ReadStderrLog();
  ASSERT_NE(log.find("logged in"), std::string::npos) << "the log is not the gateway's:\n" << log;
  const std::vector<std::pair<std::string, std::string>> secrets = {
      {"the password", std::string(kTestPassword)},
      {"a wrong password", wrong_password},
      {"the Basic credentials", "ZGVtbzpzb2NpYWxnYXRlLWRlbW8"},  // base64 of demo:socialgate-demo
      {"the session token", tokens[0]},
      {"the second session token", tokens[1]},
      {"the API token", std::string(kAlphaToken)},
      {"another domain's API token", std::string(kBravoToken)},
  };
  for (const auto& [what, secret] : secrets) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "the gateway's log holds " << what;
  }
}

}  // namespace
}  // namespace socialgate::testing
