// Transport (issue 5, item 4): HTTPS on the listener with TLS 1.2 and later only, and client
// addresses behind a trusted reverse proxy (X-Forwarded-For believed from listed peers only).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "gateway_process.hpp"
#include "http_client.hpp"
#include "raw_socket.hpp"
#include "tls_files.hpp"

namespace socialgate::testing {
namespace {

constexpr std::string_view kNumber = "3902124122690";

std::string DefaultConfig() {
  return TestConfig({{.name = "default", .user = "demo", .number = std::string(kNumber)}});
}

const std::string kTlsKeys = "[server.tls]\ncert_file = \"cert.pem\"\nkey_file = \"key.pem\"\n";

// The [server.tls] table must follow the [server] keys: put it at the end of the config.
std::string TlsConfig() { return DefaultConfig() + "\n" + kTlsKeys; }

// ---- HTTPS ----------------------------------------------------------------------------------

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    gateway_ = std::make_unique<GatewayProcess>(TlsConfig());
    files_ = WriteSelfSignedCertificate(gateway_->dir());
    ASSERT_FALSE(files_.cert_path.empty());
    ASSERT_TRUE(gateway_->Start());
  }
  static void TearDownTestSuite() { gateway_.reset(); }
  void SetUp() override { ASSERT_TRUE(gateway_ && gateway_->running()); }

  static HttpRequest Request(std::string method, std::string url) {
    HttpRequest r;
    r.method = std::move(method);
    r.url = std::move(url);
    r.ca_file = files_.cert_path;
    return r;
  }

  // A TLS handshake with only the protocol versions [min, max] offered; the negotiated version,
  // or 0 when the handshake failed.
  static int HandshakeVersion(int min_version, int max_version) {
    RawSocket socket(gateway_->base_url());
    if (!socket.connected()) return 0;
    timeval timeout{5, 0};  // bounded: a server that never answers fails the handshake
    setsockopt(socket.fd(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(socket.fd(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                          &SSL_CTX_free);
    SSL_CTX_set_security_level(ctx.get(), 0);  // let this client offer TLS 1.0 and 1.1 at all
    SSL_CTX_set_min_proto_version(ctx.get(), min_version);
    SSL_CTX_set_max_proto_version(ctx.get(), max_version);
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), &SSL_free);
    SSL_set_fd(ssl.get(), socket.fd());
    if (SSL_connect(ssl.get()) != 1) return 0;
    const int version = SSL_version(ssl.get());
    SSL_shutdown(ssl.get());
    return version;
  }

  static inline std::unique_ptr<GatewayProcess> gateway_;
  static inline TlsFiles files_;
};

TEST_F(TlsTest, ServesHttpsWithTheConfiguredCertificate) {
  EXPECT_EQ(gateway_->base_url().rfind("https://127.0.0.1:", 0), 0u) << gateway_->base_url();
  HttpClient client;
  const HttpResponse health = client.Send(Request("GET", gateway_->base_url() + "/healthz"));
  EXPECT_EQ(health.status, 200) << health.Describe();

  HttpRequest send = Request("POST", SendUrl(gateway_->base_url(), "default"));
  send.headers = {{"Content-Type", "application/json"}};
  send.body = SeedRequest(kNumber).dump();
  send.basic = Credentials{"demo", std::string(kTestPassword)};
  const HttpResponse sent = client.Send(send);
  ASSERT_EQ(sent.status, 200) << sent.Describe();
  const std::string id = sent.Json().value("messageId", "");
  ASSERT_FALSE(id.empty()) << sent.Describe();

  // Keep-alive works over TLS too: the status of that message on the same connection.
  HttpRequest get = Request("GET", MessageUrl(gateway_->base_url(), "default", id));
  get.basic = send.basic;
  const HttpResponse status = client.Send(get);
  EXPECT_EQ(status.status, 200) << status.Describe();
}

TEST_F(TlsTest, AClientThatDoesNotTrustTheCertificateCannotConnect) {
  // The client trusts another self-signed certificate for 127.0.0.1, not the gateway's.
  const std::string other_dir = gateway_->dir() + "/other";
  ASSERT_EQ(mkdir(other_dir.c_str(), 0700), 0);
  const TlsFiles other = WriteSelfSignedCertificate(other_dir);
  ASSERT_FALSE(other.cert_path.empty());
  HttpRequest r = Request("GET", gateway_->base_url() + "/healthz");
  r.ca_file = other.cert_path;
  HttpClient client;
  const HttpResponse answer = client.Send(r);
  EXPECT_EQ(answer.status, 0) << answer.Describe();
  // Refused for the certificate, not for anything else (a missing file, a closed port).
  EXPECT_NE(answer.transport_error.find("certificate"), std::string::npos)
      << answer.transport_error;
}

TEST_F(TlsTest, OffersTls12AndLaterOnly) {
  // The control: this client does complete a TLS 1.2 handshake...
  EXPECT_EQ(HandshakeVersion(TLS1_2_VERSION, TLS1_2_VERSION), TLS1_2_VERSION);
  EXPECT_EQ(HandshakeVersion(TLS1_3_VERSION, TLS1_3_VERSION), TLS1_3_VERSION);
  // ...and the same client is refused when it offers only TLS 1.0 or 1.1.
  EXPECT_EQ(HandshakeVersion(TLS1_VERSION, TLS1_1_VERSION), 0);
  EXPECT_EQ(HandshakeVersion(TLS1_1_VERSION, TLS1_1_VERSION), 0);
}

TEST_F(TlsTest, PlainHttpOnTheTlsPortIsNotServed) {
  RawSocket socket(gateway_->base_url());
  ASSERT_TRUE(socket.connected());
  ASSERT_TRUE(socket.SendAll("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  EXPECT_TRUE(socket.WaitForClose(std::chrono::seconds(5)));
  EXPECT_EQ(socket.received().find("HTTP/1.1"), std::string::npos) << socket.received();
}

TEST(TlsStartTest, AMissingCertificateStopsTheStartWithTheKeyNamed) {
  GatewayProcess gateway(TlsConfig());  // no cert.pem or key.pem written
  const auto started = gateway.Start();
  ASSERT_FALSE(started) << "started without its certificate";
  EXPECT_NE(std::string(started.message()).find("server.tls.cert_file"), std::string::npos)
      << started.message();
}

// ---- Behind a reverse proxy -----------------------------------------------------------------

// The failed-attempt limiter keys on the client's address, so which address the gateway
// believes shows in whom a lock falls on.
class ProxyTest : public ::testing::Test {
 protected:
  static HttpResponse Send(const GatewayProcess& gateway, const std::string& password,
                           const std::string& forwarded_for) {
    HttpRequest r;
    r.method = "POST";
    r.url = SendUrl(gateway.base_url(), "default");
    r.headers = {{"Content-Type", "application/json"}, {"X-Forwarded-For", forwarded_for}};
    r.body = SeedRequest(kNumber).dump();
    r.basic = Credentials{"demo", password};
    HttpClient client;
    return client.Send(r);
  }

  // Five wrong passwords lock the user at the client's address for 3 s.
  static void LockFrom(const GatewayProcess& gateway, const std::string& forwarded_for) {
    const std::vector<std::string> wrong = {"guess-a-51c2", "guess-b-51c2", "guess-c-51c2",
                                            "guess-d-51c2", "guess-e-51c2"};
    for (const auto& password : wrong) {
      EXPECT_TRUE(IsError(Send(gateway, password, forwarded_for), 401, "password"));
    }
  }
};

TEST_F(ProxyTest, BehindATrustedProxyEachForwardedClientIsAccountedApart) {
  GatewayProcess gateway(WithServerKeys(DefaultConfig(), "trusted_proxies = [\"127.0.0.1\"]\n"));
  ASSERT_TRUE(gateway.Start());
  LockFrom(gateway, "198.51.100.7");
  const std::string right(kTestPassword);
  // The locked client is refused; the same user through the proxy for another client is not.
  EXPECT_TRUE(IsError(Send(gateway, right, "198.51.100.7"), 429, "try again"));
  EXPECT_EQ(Send(gateway, right, "198.51.100.8").status, 200);
  // The client named is the first untrusted hop from the right: a forged left part is ignored.
  EXPECT_TRUE(IsError(Send(gateway, right, "203.0.113.1, 198.51.100.7"), 429, "try again"));
}

TEST_F(ProxyTest, WithoutTrustTheHeaderIsIgnored) {
  GatewayProcess gateway(
      TestConfig({{.name = "default", .user = "demo", .number = std::string(kNumber)}}));
  ASSERT_TRUE(gateway.Start());
  LockFrom(gateway, "198.51.100.7");
  // The peer (127.0.0.1) is the client: a new X-Forwarded-For does not escape its lock.
  EXPECT_TRUE(IsError(Send(gateway, std::string(kTestPassword), "198.51.100.8"), 429, "try again"));
}

}  // namespace
}  // namespace socialgate::testing
