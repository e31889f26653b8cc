// File: tests/integration/gateway_process.hpp
//
// Runs the real `socialgate serve` binary for an integration test (a ServerProcess): a fresh
// temporary directory (mkdtemp under /tmp) holding the test's config, the SQLite database (or a
// PostgreSQL URL of the test's) and the gateway's stderr log; 127.0.0.1 and port 0, the port read
// from the first stdout line
// ("socialgate: listening on http://127.0.0.1:PORT"). Every wait is bounded, and the destructor
// never leaves a process behind (and the child is also killed if the test process dies:
// PR_SET_PDEATHSIG).
//
//   GatewayProcess gateway(kConfigToml);
//   ASSERT_TRUE(gateway.Start());
//   client.Get(gateway.base_url() + "/healthz");
//   EXPECT_TRUE(gateway.Stop().ExitedWith(0));
//
// Thread safety: one thread drives a GatewayProcess. Start and Restart must be called from a
// thread that outlives the gateway (the test's main thread): PR_SET_PDEATHSIG fires when the
// thread that started the child ends. base_url() and ReadStderrLog() may be called from any
// thread while the gateway runs.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "server_process.hpp"

namespace socialgate::testing {

// The demo user's password and its argon2id hash (config/demo.toml): hashing costs about a
// second, so test configs reuse this one for every user.
inline constexpr std::string_view kTestPassword = "socialgate-demo";
inline constexpr std::string_view kTestPasswordHash =
    "$argon2id$v=19$m=65536,t=2,p=1$sQyRdP+8HPdD4+k1Vnox/Q$"
    "GlcattjXYFLkR1P5B/UehiB20yO/iyrLbKbsKmN33uw";

// "Basic " + base64("demo:" + kTestPassword): the Authorization header of user demo, for
// tests that write requests by hand.
inline constexpr std::string_view kTestDemoAuthorization = "Basic ZGVtbzpzb2NpYWxnYXRlLWRlbW8=";

// One [[domains]] table of a test config.
struct TestDomain {
  std::string name;
  std::string user;    // password kTestPassword
  std::string number;  // its one business number (sandbox provider)
  std::string ack = "provider";
};

// A config for tests: the given domains, a fast sandbox (sent, delivered and read 20, 40 and
// 60 ms after the send), quick polling and the shortest lease (1 s, so messages claimed by a
// killed gateway are sent again soon after a restart).
std::string TestConfig(const std::vector<TestDomain>& domains);

// `config_toml` with `keys` ("name = value\n" lines) added at the top of its [server] table.
std::string WithServerKeys(std::string config_toml, std::string_view keys);

class GatewayProcess;

// Runs `socialgate <args> --config <its config> --storage <storage_url>` (by default
// sqlite:<its database>) in the gateway's directory (while it serves or not), its standard
// output into `out` (its standard error appended to <dir>/command.err); the exit status, -1
// when it did not exit.
int RunCommand(const GatewayProcess& gateway, const std::string& args, std::string& out,
               const std::string& storage_url = "");

class GatewayProcess : public ServerProcess {
 public:
  static constexpr std::chrono::seconds kStartTimeout{15};
  static constexpr std::chrono::seconds kStopTimeout{ServerProcess::kStopTimeout};

  // Makes the temporary directory and writes `config_toml` to config.toml in it. The gateway
  // is started by Start(). The config needs no [server] listen or [storage] url: the command
  // line sets 127.0.0.1:0 and `storage_url`, by default sqlite:<dir>/db.sqlite (a PostgreSQL
  // test database: storage_engines.hpp). The gateway's working directory is dir(), so relative
  // paths in the config (e.g. access_token_file = "token.txt") name files there.
  explicit GatewayProcess(std::string config_toml, std::string storage_url = "");

  std::string config_path() const { return dir() + "/config.toml"; }
  std::string database_path() const { return dir() + "/db.sqlite"; }
};

}  // namespace socialgate::testing
