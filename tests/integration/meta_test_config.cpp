#include "meta_test_config.hpp"

#include <fstream>
#include <iomanip>
#include <sstream>

namespace socialgate::testing {
namespace {

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// "key = value\n" when `value` is set; a double is written as TOML float (1.0, never 1).
void AppendIfSet(std::string& toml, std::string_view key, const std::optional<int>& value) {
  if (value) toml += std::string(key) + " = " + std::to_string(*value) + "\n";
}

void AppendIfSet(std::string& toml, std::string_view key, const std::optional<double>& value) {
  if (!value) return;
  std::ostringstream text;
  text << std::fixed << std::setprecision(3) << *value;
  toml += std::string(key) + " = " + text.str() + "\n";
}

}  // namespace

std::string MetaMultiDomainConfig(const std::vector<MetaTestDomain>& domains,
                                  const MetaTestDispatch& dispatch) {
  std::string toml = "[server]\nthreads = 2\nworkers = 4\n\n[dispatch]\n";
  toml += "workers = " + std::to_string(dispatch.workers) + "\n";
  toml += "max_in_flight = " + std::to_string(dispatch.max_in_flight) + "\n";
  toml += "poll_interval_ms = " + std::to_string(dispatch.poll_interval_ms) + "\n";
  toml += "lease_ms = " + std::to_string(dispatch.lease_ms) + "\n";
  toml += "number_lease_ms = " + std::to_string(dispatch.number_lease_ms) + "\n";
  toml += "base_backoff_ms = " + std::to_string(dispatch.base_backoff_ms) + "\n";
  toml += "max_backoff_ms = " + std::to_string(dispatch.max_backoff_ms) + "\n";
  toml += "max_attempts = " + std::to_string(dispatch.max_attempts) + "\n";
  AppendIfSet(toml, "pair_per_minute", dispatch.pair_per_minute);
  AppendIfSet(toml, "pair_burst", dispatch.pair_burst);
  AppendIfSet(toml, "breaker_failures", dispatch.breaker_failures);
  AppendIfSet(toml, "breaker_cooldown_ms", dispatch.breaker_cooldown_ms);
  AppendIfSet(toml, "breaker_max_cooldown_ms", dispatch.breaker_max_cooldown_ms);
  AppendIfSet(toml, "max_outbox", dispatch.max_outbox);
  AppendIfSet(toml, "max_age_ms", dispatch.max_age_ms);
  for (const MetaTestDomain& domain : domains) {
    toml += "\n[[domains]]\nname = " + Quoted(domain.name) + "\nack = " + Quoted(domain.ack) + "\n";
    AppendIfSet(toml, "ack_timeout_ms", domain.ack_timeout_ms);
    AppendIfSet(toml, "max_attempts", domain.max_attempts);
    if (domain.templates) toml += "templates = " + Quoted(*domain.templates) + "\n";
    toml += "  [[domains.users]]\n  name = " + Quoted(domain.user) +
            "\n  password_hash = " + Quoted(kTestPasswordHash) + "\n";
    toml +=
        "  [[domains.numbers]]\n  phone = " + Quoted(domain.number) + "\n  provider = \"meta\"\n";
    AppendIfSet(toml, "  messages_per_second", domain.messages_per_second);
    toml += "  [domains.numbers.meta]\n";
    toml += "  phone_number_id = " + Quoted(domain.phone_number_id) + "\n";
    toml += "  base_url = " + Quoted(domain.base_url) + "\n";
    toml += "  api_version = " + Quoted(domain.api_version) + "\n";
    toml += "  access_token_file = " + Quoted(domain.access_token_file) + "\n";
    toml += "  connect_timeout_ms = " + std::to_string(domain.connect_timeout_ms) + "\n";
    toml += "  timeout_ms = " + std::to_string(domain.timeout_ms) + "\n";
    if (domain.waba_id) toml += "  waba_id = " + Quoted(*domain.waba_id) + "\n";
  }
  return toml;
}

std::string MetaTestConfig(const MetaTestDomain& domain, const MetaTestDispatch& dispatch) {
  return MetaMultiDomainConfig({domain}, dispatch);
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
