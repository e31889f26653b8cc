#include "config/config.hpp"

#include <chrono>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

namespace socialgate::config {
namespace {

constexpr const char* kHash =
    "$argon2id$v=19$m=65536,t=2,p=1$sQyRdP+8HPdD4+k1Vnox/Q$"
    "GlcattjXYFLkR1P5B/UehiB20yO/iyrLbKbsKmN33uw";

std::string Minimal(const std::string& extra_domain_keys = "", const std::string& tail = "") {
  return std::string("[[domains]]\nname = \"Default\"\n") + extra_domain_keys +
         "\n[[domains.users]]\nname = \"demo\"\npassword_hash = \"" + kHash +
         "\"\n[[domains.numbers]]\nphone = \"+39 02 1241 22690\"\n" + tail;
}

void ExpectError(const std::string& toml, const std::string& fragment) {
  auto c = ParseConfig(toml, "test.toml");
  ASSERT_FALSE(c) << "accepted: " << toml;
  EXPECT_EQ(c.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_NE(c.error().message.find(fragment), std::string::npos) << c.error().message;
}

TEST(ConfigTest, DemoConfigurationLoads) {
  // As `make run` reads it: from the repository's root, where its relative paths (the sandbox
  // number's templates_file) are.
  char previous[4096];
  ASSERT_NE(getcwd(previous, sizeof previous), nullptr);
  ASSERT_EQ(chdir(SOCIALGATE_SOURCE_DIR), 0);
  auto c = LoadConfig("config/demo.toml");
  ASSERT_EQ(chdir(previous), 0);
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->domains.size(), 1u);
  EXPECT_EQ(c->domains[0].name, "default");
  EXPECT_EQ(c->domains[0].numbers.at(0).phone, "3902124122690");
  EXPECT_EQ(c->domains[0].numbers.at(0).templates_file, "config/demo-templates.json");
  EXPECT_EQ(c->domains[0].TemplatePolicyFor(c->domains[0].numbers.at(0)), TemplatePolicy::kStrict);
  EXPECT_EQ(c->server.host, "127.0.0.1");
  EXPECT_EQ(c->server.port, 8080);
  ASSERT_TRUE(c->example.has_value());
}

TEST(ConfigTest, DefaultsAndNormalisation) {
  auto c = ParseConfig(Minimal(), "test.toml");
  ASSERT_TRUE(c) << c.error().message;
  const Domain& d = c->domains[0];
  EXPECT_EQ(d.name, "default");  // lower-cased
  EXPECT_EQ(d.ack, AckMode::kProvider);
  EXPECT_EQ(d.ack_timeout, std::chrono::milliseconds(10'000));
  EXPECT_EQ(d.numbers[0].phone, "3902124122690");  // E.164 digits
  EXPECT_EQ(d.numbers[0].provider, ProviderKind::kSandbox);
  EXPECT_EQ(c->FindDomain("DEFAULT"), &c->domains[0]);
  EXPECT_EQ(c->FindDomain("other"), nullptr);
}

TEST(ConfigTest, ReadsEverySection) {
  auto c = ParseConfig(
      "[server]\nlisten = \"0.0.0.0:9000\"\nthreads = 3\nmax_body_bytes = 2048\n"
      "[storage]\nurl = \"sqlite::memory:\"\n"
      "[dispatch]\nworkers = 7\nmax_attempts = 3\n"
      "[languages]\nextra = [\"xx_YY\"]\n" +
          Minimal("ack = \"stored\"\nack_timeout_ms = 500\n",
                  "[domains.numbers.sandbox]\nread_after_ms = 42\n"),
      "test.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server.host, "0.0.0.0");
  EXPECT_EQ(c->server.port, 9000);
  EXPECT_EQ(c->server.threads, 3);
  EXPECT_EQ(c->server.max_body_bytes, 2048u);
  EXPECT_EQ(c->storage_url, "sqlite::memory:");
  EXPECT_EQ(c->dispatch.workers, 7);
  EXPECT_EQ(c->dispatch.max_attempts, 3);
  EXPECT_EQ(c->extra_languages, std::vector<std::string>{"xx_YY"});
  EXPECT_EQ(c->domains[0].ack, AckMode::kStored);
  EXPECT_EQ(c->domains[0].ack_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(c->domains[0].numbers[0].sandbox.read_after, std::chrono::milliseconds(42));
}

TEST(ConfigTest, RejectsMistakesWithTheKeyNamed) {
  ExpectError("[[domains]]\nname = \"a\"\nack = \"later\"\n", "domains[0].ack");
  ExpectError(Minimal() + "[server]\nlisten = \"nonsense\"\n", "server.listen");
  ExpectError("[server]\nthreds = 2\n" + Minimal(), "server.threds: unknown key");
  ExpectError("[server]\nthreads = \"two\"\n" + Minimal(), "server.threads: must be an integer");
  ExpectError("[server]\nthreads = 0\n" + Minimal(), "server.threads: must be between");
  ExpectError("", "domains: at least one");
  ExpectError("[[domains]]\nname = \"a b\"\n", "domains[0].name");
  ExpectError(Minimal("", "[[domains.numbers]]\nphone = \"3902124122690\"\n"),
              "configured more than once");
  ExpectError("[[domains]]\nname = \"a\"\n[[domains.numbers]]\nphone = \"12\"\n",
              "domains[0].numbers[0].phone");
  ExpectError(
      "[[domains]]\nname = \"a\"\n[[domains.numbers]]\nphone = \"3902124122690\"\n"
      "provider = \"carrier-pigeon\"\n",
      "domains[0].numbers[0].provider: must be \"sandbox\" or \"meta\" (got \"carrier-pigeon\")");
  ExpectError(
      "[[domains]]\nname = \"a\"\n[[domains.users]]\nname = \"u\"\n"
      "password_hash = \"plain\"\n",
      "password_hash: must be an argon2id hash");
  ExpectError("[[domains]]\nname = \"a\"\n[[domains]]\nname = \"A\"\n", "duplicate domain");
  ExpectError(Minimal() + "[example]\ndomain = \"nope\"\nuser = \"demo\"\npassword = \"x\"\n",
              "example.domain");
  ExpectError("this is not toml", "test.toml:1");
}

TEST(ConfigTest, TheLogTableSetsTheLevelAndTheFormat) {
  auto defaults = ParseConfig(Minimal(), "test.toml");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->log.level, "info");
  EXPECT_EQ(defaults->log.format, "text");
  auto set = ParseConfig("[log]\nlevel = \"warn\"\nformat = \"json\"\n" + Minimal(), "test.toml");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->log.level, "warn");
  EXPECT_EQ(set->log.format, "json");
  ExpectError("[log]\nlevel = \"loud\"\n" + Minimal(),
              "log.level: must be trace, debug, info, warn or error, not 'loud'");
  ExpectError("[log]\nformat = \"xml\"\n" + Minimal(),
              "log.format: must be \"text\" or \"json\", not 'xml'");
  ExpectError("[log]\nfile = \"/var/log/x\"\n" + Minimal(), "log.file: unknown key");
  ExpectError("[log]\nlevel = 3\n" + Minimal(), "log.level: must be a string");
}

TEST(ConfigTest, ReadsTrustedProxiesAndTls) {
  auto c = ParseConfig(
      "[server]\ntrusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\", \"fd00::/8\"]\n"
      "[server.tls]\ncert_file = \"/etc/socialgate/cert.pem\"\n"
      "key_file = \"/etc/socialgate/key.pem\"\n" +
          Minimal(),
      "test.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server.trusted_proxies,
            (std::vector<std::string>{"127.0.0.1", "10.0.0.0/8", "fd00::/8"}));
  EXPECT_EQ(c->server.tls_cert_file, "/etc/socialgate/cert.pem");
  EXPECT_EQ(c->server.tls_key_file, "/etc/socialgate/key.pem");

  ExpectError("[server]\ntrusted_proxies = [\"10.0.0.0/33\"]\n" + Minimal(),
              "server.trusted_proxies: [0]: '10.0.0.0/33' has a bad prefix length");
  ExpectError("[server]\ntrusted_proxies = \"10.0.0.0/8\"\n" + Minimal(),
              "server.trusted_proxies: must be an array of strings");
  ExpectError("[server.tls]\ncert_file = \"c.pem\"\n" + Minimal(),
              "server.tls: needs both cert_file and key_file");
  ExpectError("[server.tls]\ncert = \"c.pem\"\n" + Minimal(), "server.tls.cert: unknown key");
}

TEST(ConfigTest, MissingFileIsNotFound) {
  auto c = LoadConfig("/nonexistent/socialgate.toml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::ErrorCode::kNotFound);
}

TEST(ConfigTest, ParsesListenAddresses) {
  auto a = ParseListenAddress("127.0.0.1:0");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->first, "127.0.0.1");
  EXPECT_EQ(a->second, 0);
  auto v6 = ParseListenAddress("[::1]:8080");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->first, "::1");
  EXPECT_FALSE(ParseListenAddress("localhost"));
  EXPECT_FALSE(ParseListenAddress("127.0.0.1:70000"));
  EXPECT_FALSE(ParseListenAddress("127.0.0.1:80x"));
  EXPECT_FALSE(ParseListenAddress(":80"));
}

TEST(ProviderKindTest, NamesParseBackAndNothingElseParses) {
  for (const auto& [kind, name] : kProviderNames) {
    EXPECT_EQ(ProviderKindName(kind), name);
    EXPECT_EQ(ParseProviderKind(name), kind);
  }
  EXPECT_EQ(ParseProviderKind("sandbox"), ProviderKind::kSandbox);
  EXPECT_EQ(ParseProviderKind("meta"), ProviderKind::kMeta);
  EXPECT_EQ(ParseProviderKind("Meta"), std::nullopt);
  EXPECT_EQ(ParseProviderKind("carrier-pigeon"), std::nullopt);
  EXPECT_EQ(ParseProviderKind(""), std::nullopt);
}

}  // namespace
}  // namespace socialgate::config

namespace socialgate::config {
namespace {

TEST(WebhooksConfigTest, NoMetaEndpointUnlessConfigured) {
  auto c = ParseConfig(Minimal(), "test.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(c->webhooks.meta);
  EXPECT_EQ(c->webhooks.hold_unmatched, std::chrono::milliseconds(3'600'000));
  EXPECT_EQ(c->webhooks.keep_events, std::chrono::hours(24));
}

TEST(WebhooksConfigTest, ReadsTheMetaEndpointsSecretsFromTheEnvironmentAndFiles) {
  ::setenv("SG_TEST_VERIFY_TOKEN", "verify-me", 1);
  char path[] = "/tmp/sg-app-secret-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string secret = "app-secret-value \r\n";
  ASSERT_EQ(::write(fd, secret.data(), secret.size()), static_cast<ssize_t>(secret.size()));
  ::close(fd);
  auto c = ParseConfig(
      "[webhooks]\nhold_unmatched_ms = 60000\nkeep_events_ms = 120000\n[webhooks.meta]\n"
      "verify_token_env = \"SG_TEST_VERIFY_TOKEN\"\napp_secret_file = \"" +
          std::string(path) + "\"\n" + Minimal(),
      "test.toml");
  ::unlink(path);
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE(c->webhooks.meta);
  EXPECT_EQ(c->webhooks.meta->path, "/webhooks/meta");
  EXPECT_EQ(c->webhooks.meta->verify_token, "verify-me");
  EXPECT_EQ(c->webhooks.meta->verify_token_source, "env:SG_TEST_VERIFY_TOKEN");
  EXPECT_EQ(c->webhooks.meta->app_secret, "app-secret-value");
  EXPECT_EQ(c->webhooks.meta->app_secret_source, "file:" + std::string(path));
  EXPECT_EQ(c->webhooks.hold_unmatched, std::chrono::milliseconds(60'000));
  EXPECT_EQ(c->webhooks.keep_events, std::chrono::milliseconds(120'000));
}

TEST(WebhooksConfigTest, RefusesMistakesWithTheKeyNamed) {
  ::setenv("SG_TEST_SECRET", "s", 1);
  const std::string secrets =
      "verify_token_env = \"SG_TEST_SECRET\"\napp_secret_env = \"SG_TEST_SECRET\"\n";
  ExpectError("[webhooks]\nhold = 1\n" + Minimal(), "webhooks.hold: unknown key");
  ExpectError("[webhooks.meta]\napp_secret_env = \"SG_TEST_SECRET\"\n" + Minimal(),
              "webhooks.meta: needs exactly one of verify_token_env or verify_token_file");
  ExpectError("[webhooks.meta]\n" + secrets + "app_secret = \"inline\"\n" + Minimal(),
              "webhooks.meta.app_secret: unknown key");
  ExpectError(
      "[webhooks.meta]\nverify_token_env = \"SG_TEST_UNSET_VARIABLE\"\n"
      "app_secret_env = \"SG_TEST_SECRET\"\n" +
          Minimal(),
      "webhooks.meta.verify_token_env: environment variable SG_TEST_UNSET_VARIABLE is not set");
  ExpectError("[webhooks.meta]\n" + secrets + "path = \"webhooks\"\n" + Minimal(),
              "webhooks.meta.path: must be an absolute path");
  ExpectError("[webhooks.meta]\n" + secrets + "path = \"/livechat/meta\"\n" + Minimal(),
              "webhooks.meta.path: \"/livechat/meta\" is a path of the gateway's own API");
  ExpectError("[webhooks.meta]\n" + secrets + "path = \"/hooks/{x}\"\n" + Minimal(),
              "webhooks.meta.path: may hold only");
  ExpectError("[webhooks]\nmeta = 1\n" + Minimal(), "webhooks.meta: must be a table");
  ExpectError("[webhooks.meta]\n" + secrets + "path = \"/webhooks//meta\"\n" + Minimal(),
              "webhooks.meta.path: must not hold an empty segment");
  ExpectError("[webhooks.meta]\n" + secrets + "path = \"/healthz/\"\n" + Minimal(),
              "webhooks.meta.path: must not hold an empty segment or end in '/'");
}

}  // namespace
}  // namespace socialgate::config

namespace socialgate::config {
namespace {

TEST(CallbacksConfigTest, ReadsADomainsCallbackUrlAndSecret) {
  // 32 bytes: "0123456789abcdef0123456789abcdef".
  ::setenv("SG_TEST_CALLBACK_SECRET", "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", 1);
  auto c = ParseConfig(Minimal("",
                               "[domains.callbacks]\nurl = \"https://crm.example.com/socialgate\"\n"
                               "secret_env = \"SG_TEST_CALLBACK_SECRET\"\nmax_age_ms = 3600000\n"),
                       "test.toml");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE(c->domains[0].callbacks);
  const CallbackSettings& cb = *c->domains[0].callbacks;
  EXPECT_EQ(cb.url, "https://crm.example.com/socialgate");
  EXPECT_EQ(cb.secret, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(cb.secret_source, "env:SG_TEST_CALLBACK_SECRET");
  EXPECT_EQ(cb.timeout, std::chrono::milliseconds(15'000));
  EXPECT_EQ(cb.max_age, std::chrono::milliseconds(3'600'000));
  EXPECT_FALSE(ParseConfig(Minimal(), "test.toml")->domains[0].callbacks);
}

TEST(CallbacksConfigTest, RefusesMistakesWithTheKeyNamed) {
  ::setenv("SG_TEST_CALLBACK_SECRET", "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", 1);
  ::setenv("SG_TEST_SHORT_SECRET", "whsec_c2hvcnQ=", 1);
  ::setenv("SG_TEST_PLAIN_SECRET", "not-a-whsec-secret", 1);
  ::setenv("SG_TEST_BAD_BASE64", "whsec_!!!!", 1);
  const auto with = [](const std::string& keys) {
    return Minimal("", "[domains.callbacks]\n" + keys);
  };
  ExpectError(with("secret_env = \"SG_TEST_CALLBACK_SECRET\"\n"),
              "domains[0].callbacks.url: is required");
  ExpectError(with("url = \"ftp://x\"\nsecret_env = \"SG_TEST_CALLBACK_SECRET\"\n"),
              "domains[0].callbacks.url: is required: an https:// or http:// URL");
  ExpectError(with("url = \"https://x/a b\"\nsecret_env = \"SG_TEST_CALLBACK_SECRET\"\n"),
              "must be printable ASCII without spaces");
  ExpectError(with("url = \"https://x\"\n"),
              "domains[0].callbacks: needs exactly one of secret_env or secret_file");
  ExpectError(with("url = \"https://x\"\nsecret_env = \"SG_TEST_PLAIN_SECRET\"\n"),
              "domains[0].callbacks.secret_env: the secret must start with \"whsec_\"");
  ExpectError(with("url = \"https://x\"\nsecret_env = \"SG_TEST_BAD_BASE64\"\n"), "must be base64");
  ExpectError(with("url = \"https://x\"\nsecret_env = \"SG_TEST_SHORT_SECRET\"\n"),
              "the secret must encode 24 to 64 bytes, not 5");
  ExpectError(with("url = \"https://x\"\nsecret_env = \"SG_TEST_CALLBACK_SECRET\"\n"
                   "max_age_ms = 10\n"),
              "domains[0].callbacks.max_age_ms: must be at least 1000");
  ExpectError(with("url = \"https://x\"\nsecret_env = \"SG_TEST_CALLBACK_SECRET\"\nretries = 3\n"),
              "domains[0].callbacks.retries: unknown key");
}

TEST(ConfigTest, TemplateCatalogSettings) {
  const std::string file = std::string(SOCIALGATE_SOURCE_DIR) + "/config/demo-templates.json";
  auto c = ParseConfig(Minimal("templates = \"lenient\"\n",
                               "[domains.numbers.sandbox]\ntemplates_file = \"" + file +
                                   "\"\n[[domains.numbers]]\nphone = \"+44 7911 123456\"\n"
                                   "provider = \"meta\"\n[domains.numbers.meta]\n"
                                   "phone_number_id = \"1\"\nwaba_id = \"102290129340398\"\n"
                                   "access_token_env = \"PATH\"\n") +
                           "[templates]\nsync_interval_ms = 60000\nreload_interval_ms = 500\n",
                       "test.toml");
  ASSERT_TRUE(c) << c.error().message;
  const Domain& d = c->domains[0];
  EXPECT_EQ(d.numbers[0].TemplateAccount(), "file:" + file);
  EXPECT_EQ(d.numbers[1].TemplateAccount(), "102290129340398");
  EXPECT_EQ(d.TemplatePolicyFor(d.numbers[0]), TemplatePolicy::kLenient);
  EXPECT_EQ(c->templates.sync_interval, std::chrono::milliseconds(60000));
  EXPECT_EQ(c->templates.reload_interval, std::chrono::milliseconds(500));
  // Unset: strict where the number has a catalog, off where it has none.
  auto plain = ParseConfig(Minimal("", "templates_file = \"" + file + "\"\n"), "test.toml");
  ASSERT_TRUE(plain) << plain.error().message;
  Domain& p = plain->domains[0];
  EXPECT_EQ(p.TemplatePolicyFor(p.numbers[0]), TemplatePolicy::kStrict);
  p.numbers[0].templates_file.clear();
  EXPECT_EQ(p.TemplatePolicyFor(p.numbers[0]), TemplatePolicy::kOff);

  ExpectError(Minimal("templates = \"loose\"\n"),
              "domains[0].templates: must be \"strict\", \"lenient\" or \"off\"");
  ExpectError(Minimal("", "templates_file = \"/no/such/file.json\"\n"),
              "domains[0].numbers[0].templates_file: cannot read '/no/such/file.json'");
  ExpectError(Minimal("",
                      "provider = \"meta\"\n[domains.numbers.meta]\nphone_number_id = "
                      "\"1\"\nwaba_id = \"12ab\"\naccess_token_env = \"PATH\"\n"),
              "domains[0].numbers[0].meta.waba_id: must be Meta's numeric id");
  ExpectError(Minimal("", "templates_file = \"" + file +
                              "\"\nprovider = \"meta\"\n"
                              "[domains.numbers.meta]\nphone_number_id = \"1\"\n"
                              "access_token_env = \"PATH\"\n"),
              "templates_file: is for sandbox numbers");
  ExpectError(Minimal("", "") + "[templates]\nsync_interval_ms = 5\n",
              "templates.sync_interval_ms: must be at least 1000");
}

TEST(ConfigTest, MessageRetentionIsThirtyDaysUnlessTheDomainSaysOtherwise) {
  auto c = ParseConfig(Minimal(), "test.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->domains[0].message_retention, std::chrono::hours(30 * 24));
  c = ParseConfig(Minimal("message_retention_ms = 0\n"), "test.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->domains[0].message_retention.count(), 0) << "0: kept for ever";
  c = ParseConfig(Minimal("message_retention_ms = 1500\n"), "test.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->domains[0].message_retention, std::chrono::milliseconds(1500));
  ExpectError(Minimal("message_retention_ms = 999\n"),
              "domains[0].message_retention_ms: must be 0 (messages kept for ever) or at least "
              "1000");
  ExpectError(Minimal("message_retention_ms = -1\n"), "domains[0].message_retention_ms");
  ExpectError(Minimal("message_retention_ms = \"30d\"\n"), "domains[0].message_retention_ms");
}

}  // namespace
}  // namespace socialgate::config
