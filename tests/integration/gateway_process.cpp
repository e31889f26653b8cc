#include "gateway_process.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>
#include <utility>

#include <gtest/gtest.h>
#include <sys/wait.h>

#ifndef SOCIALGATE_BINARY
#error "SOCIALGATE_BINARY must name the socialgate executable (see CMakeLists.txt)"
#endif

namespace socialgate::testing {

std::string TestConfig(const std::vector<TestDomain>& domains) {
  std::string toml =
      "[server]\nthreads = 2\nworkers = 4\n\n"
      "[dispatch]\nworkers = 2\npoll_interval_ms = 100\nlease_ms = 1000\nnumber_lease_ms = 1000\n"
      "base_backoff_ms = 50\nmax_backoff_ms = 500\n";
  for (const auto& d : domains) {
    toml += "\n[[domains]]\nname = \"" + d.name + "\"\nack = \"" + d.ack + "\"\n";
    toml += "  [[domains.users]]\n  name = \"" + d.user + "\"\n  password_hash = \"" +
            std::string(kTestPasswordHash) + "\"\n";
    toml += "  [[domains.numbers]]\n  phone = \"" + d.number + "\"\n  provider = \"sandbox\"\n";
    toml +=
        "  [domains.numbers.sandbox]\n  sent_after_ms = 20\n  delivered_after_ms = 40\n"
        "  read_after_ms = 60\n";
  }
  return toml;
}

GatewayProcess::GatewayProcess(std::string config_toml, std::string storage_url)
    : ServerProcess(
          {.name = "socialgate",
           .binary = SOCIALGATE_BINARY,
           .args = {"serve", "--config", "{dir}/config.toml", "--listen", "127.0.0.1:0",
                    "--storage", storage_url.empty() ? "sqlite:{dir}/db.sqlite" : storage_url},
           .ready_prefix = "socialgate: listening on ",
           .start_timeout = kStartTimeout}) {
  if (dir().empty()) return;  // ServerProcess has reported the failure
  std::ofstream out(config_path(), std::ios::binary);
  out << config_toml;
  if (!out.flush()) ADD_FAILURE() << "cannot write " << config_path();
}

int RunCommand(const GatewayProcess& gateway, const std::string& args, std::string& out,
               const std::string& storage_url) {
  const std::string out_path = gateway.dir() + "/command.out";
  const std::string storage =
      storage_url.empty() ? "sqlite:" + gateway.database_path() : storage_url;
  const std::string line = "cd '" + gateway.dir() + "' && " + std::string(SOCIALGATE_BINARY) + " " +
                           args + " --config '" + gateway.config_path() + "' --storage '" +
                           storage + "' >'" + out_path + "' 2>>'" + gateway.dir() + "/command.err'";
  const int status = std::system(line.c_str());
  std::ifstream in(out_path);
  std::stringstream text;
  text << in.rdbuf();
  out = text.str();
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string WithServerKeys(std::string config_toml, std::string_view keys) {
  const auto at = config_toml.find("[server]\n");
  if (at == std::string::npos) {
    ADD_FAILURE() << "the config has no [server] table:\n" << config_toml;
    return config_toml;
  }
  return config_toml.insert(at + std::string_view("[server]\n").size(), keys);
}

}  // namespace socialgate::testing
