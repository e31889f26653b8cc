#include "meta_test_config.hpp"

#include <fstream>

namespace socialgate::testing {
namespace {

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

}  // namespace

std::string MetaTestConfig(const MetaTestDomain& domain, const MetaTestDispatch& dispatch) {
  std::string toml = "[server]\nthreads = 2\nworkers = 4\n\n[dispatch]\n";
  toml += "workers = " + std::to_string(dispatch.workers) + "\n";
  toml += "poll_interval_ms = " + std::to_string(dispatch.poll_interval_ms) + "\n";
  toml += "lease_ms = 1000\n";
  toml += "base_backoff_ms = " + std::to_string(dispatch.base_backoff_ms) + "\n";
  toml += "max_backoff_ms = " + std::to_string(dispatch.max_backoff_ms) + "\n";
  toml += "max_attempts = " + std::to_string(dispatch.max_attempts) + "\n";
  toml += "\n[[domains]]\nname = " + Quoted(domain.name) + "\nack = " + Quoted(domain.ack) + "\n";
  toml += "  [[domains.users]]\n  name = " + Quoted(domain.user) +
          "\n  password_hash = " + Quoted(kTestPasswordHash) + "\n";
  toml += "  [[domains.numbers]]\n  phone = " + Quoted(domain.number) + "\n  provider = \"meta\"\n";
  toml += "  [domains.numbers.meta]\n";
  toml += "  phone_number_id = " + Quoted(domain.phone_number_id) + "\n";
  toml += "  base_url = " + Quoted(domain.base_url) + "\n";
  toml += "  api_version = " + Quoted(domain.api_version) + "\n";
  toml += "  access_token_file = " + Quoted(domain.access_token_file) + "\n";
  toml += "  connect_timeout_ms = " + std::to_string(domain.connect_timeout_ms) + "\n";
  toml += "  timeout_ms = " + std::to_string(domain.timeout_ms) + "\n";
  return toml;
}

::testing::AssertionResult WriteTokenFile(const GatewayProcess& gateway, std::string_view token,
                                          std::string_view file_name) {
  if (gateway.dir().empty()) return ::testing::AssertionFailure() << "the gateway has no dir";
  const std::string path = gateway.dir() + "/" + std::string(file_name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << token << '\n';
  if (!out.flush()) return ::testing::AssertionFailure() << "cannot write " << path;
  return ::testing::AssertionSuccess();
}

}  // namespace socialgate::testing
