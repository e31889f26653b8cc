// `socialgate migrate`: creates or upgrades the schema of either engine and exits, so an
// operator can migrate a PostgreSQL database before a rollout; a URL with a password in it is
// refused, naming where the password goes instead.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "gateway_process.hpp"
#include "storage_engines.hpp"

namespace socialgate::testing {
namespace {

// Runs `socialgate migrate` with the config of `gateway` (not started) and `storage`; its exit
// status, and its standard error in `err`.
int Migrate(const GatewayProcess& gateway, const std::string& storage, std::string& err) {
  const std::string err_path = gateway.dir() + "/migrate.err";
  const std::string line = std::string(SOCIALGATE_BINARY) + " migrate --config '" +
                           gateway.config_path() + "' --storage '" + storage + "' >/dev/null 2>'" +
                           err_path + "'";
  const int status = std::system(line.c_str());
  std::ifstream in(err_path);
  std::stringstream text;
  text << in.rdbuf();
  err = text.str();
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(MigrateTest, MigratesAPostgresDatabaseAndSaysSo) {
  EngineDatabase database(StorageEngine::kPostgres);
  ASSERT_FALSE(database.url().empty());
  GatewayProcess gateway(
      TestConfig({{.name = "default", .user = "demo", .number = "3902124122690"}}));
  std::string err;
  // Every migration once, in order (5: the number leases, the latest when this was written).
  const std::string applied =
      "SELECT COUNT(*) = MAX(version) AND MAX(version) >= 5 FROM schema_migrations";
  EXPECT_EQ(Migrate(gateway, database.url(), err), 0) << err;
  EXPECT_EQ(database.postgres()->Value(applied), "t");
  const std::string count = database.postgres()->Value("SELECT COUNT(*) FROM schema_migrations");
  // Again: nothing left to do.
  EXPECT_EQ(Migrate(gateway, database.url(), err), 0) << err;
  EXPECT_EQ(database.postgres()->Value("SELECT COUNT(*) FROM schema_migrations"), count);
}

TEST(MigrateTest, AUrlWithAPasswordIsRefusedAndThePasswordNotPrinted) {
  GatewayProcess gateway(
      TestConfig({{.name = "default", .user = "demo", .number = "3902124122690"}}));
  std::string err;
  EXPECT_NE(Migrate(gateway, "postgresql://gateway:s3cret-pw@127.0.0.1:1/socialgate", err), 0);
  EXPECT_NE(err.find("PGPASSWORD"), std::string::npos) << err;
  EXPECT_EQ(err.find("s3cret-pw"), std::string::npos) << err;
}

}  // namespace
}  // namespace socialgate::testing
