// What only the PostgreSQL engine has: its URL rules, migrations shared by instances starting at
// once, and a server that drops connections, kills a transaction or goes away and comes back.
// The contracts every engine keeps are storage_conformance_test.cpp's.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "store/postgres/migrations.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/storage.hpp"
#include "support/eventually.hpp"
#include "support/postgres_test_database.hpp"
#include "support/sample_message.hpp"
#include "support/sync_store.hpp"

namespace socialgate::store {
namespace {

using namespace std::chrono_literals;
using testing::Insert;
using testing::PostgresTestDatabase;

constexpr std::int64_t kNow = 1'800'000'000'000;

NewMessage Sample(const std::string& id) { return testing::SampleMessage(id, kNow); }

TEST(PostgresEngineTest, MigrationsMatchSqlitesVersionForVersion) {
  const auto pg = postgres::Migrations();
  const auto lite = sqlite::Migrations();
  ASSERT_EQ(pg.size(), lite.size());
  for (std::size_t i = 0; i < pg.size(); ++i) {
    EXPECT_EQ(pg[i].version, lite[i].version);
    EXPECT_STREQ(pg[i].description, lite[i].description);
  }
}

TEST(PostgresEngineTest, AUrlHoldingAPasswordIsRefusedWithoutRepeatingIt) {
  auto s = OpenStorage("postgresql://gateway:hunter2@127.0.0.1:1/socialgate");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_NE(s.error().message.find("PGPASSWORD"), std::string::npos) << s.error().message;
  EXPECT_EQ(s.error().message.find("hunter2"), std::string::npos);
  EXPECT_EQ(s.error().detail.find("hunter2"), std::string::npos);
  // libpq's other way of writing one, as a parameter.
  EXPECT_FALSE(OpenStorage("postgres://gateway@127.0.0.1:1/socialgate?password=hunter2"));
  // Not a URL libpq reads.
  auto bad = OpenStorage("postgresql://[::1/x");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, core::ErrorCode::kInvalidArgument);
}

TEST(PostgresEngineTest, AServerNobodyListensOnIsUnavailableAtOnce) {
  const auto start = std::chrono::steady_clock::now();
  auto s = OpenStorage("postgresql://socialgate@127.0.0.1:1/socialgate");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, core::ErrorCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST(PostgresEngineTest, InstancesStartingAtOnceApplyEachMigrationOnce) {
  PostgresTestDatabase db;
  ASSERT_FALSE(db.url().empty());
  constexpr int kInstances = 4;
  std::vector<StoragePtr> opened(kInstances);
  std::vector<std::string> errors(kInstances);
  std::vector<std::thread> threads;
  for (int i = 0; i < kInstances; ++i) {
    threads.emplace_back([&, i] {
      auto s = OpenStorage(db.url());
      if (s) {
        opened[i] = std::move(*s);
      } else {
        errors[i] = s.error().detail;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kInstances; ++i) EXPECT_TRUE(opened[i]) << errors[i];
  const std::string count = db.Value("SELECT COUNT(*) FROM schema_migrations");
  EXPECT_EQ(count, std::to_string(postgres::Migrations().size()));
  // Every instance sees the others' messages.
  ASSERT_TRUE(Insert(opened[0]->outbox(), Sample("from-0")));
  auto seen = opened[3]->outbox().Get("default", "from-0");
  ASSERT_TRUE(seen);
  EXPECT_TRUE(seen->has_value());
}

TEST(PostgresEngineTest, ConnectionsTheServerClosedAreReopenedWithoutFailingAWrite) {
  PostgresTestDatabase db;
  ASSERT_FALSE(db.url().empty());
  auto s = OpenStorage(db.url());
  ASSERT_TRUE(s) << s.error().detail;
  StoragePtr storage = std::move(*s);
  ASSERT_TRUE(Insert(storage->outbox(), Sample("before")));
  // What a server restart or an idle timeout does to every connection.
  ASSERT_TRUE(
      db.Run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
             "current_database() AND pid <> pg_backend_pid()"));
  auto after = Insert(storage->outbox(), Sample("after"));
  EXPECT_TRUE(after) << after.error().detail;
  auto got = storage->outbox().Get("default", "before");
  ASSERT_TRUE(got) << got.error().detail;
  EXPECT_TRUE(got->has_value());
  EXPECT_EQ(*storage->outbox().PendingCount(), 2);
}

TEST(PostgresEngineTest, AConnectionKilledMidTransactionStoresNothingOfItAndTheNextWriteWorks) {
  PostgresTestDatabase db;
  ASSERT_FALSE(db.url().empty());
  auto s = OpenStorage(db.url());
  ASSERT_TRUE(s) << s.error().detail;
  StoragePtr storage = std::move(*s);

  // Another session locks the messages table: the committer's insert waits inside its
  // transaction, where it is killed.
  PGconn* locker = PQconnectdb(db.url().c_str());
  ASSERT_EQ(PQstatus(locker), CONNECTION_OK);
  PQclear(PQexec(locker, "BEGIN; LOCK TABLE messages IN SHARE MODE"));
  std::atomic<bool> answered{false};
  core::Result<Inserted> result;
  storage->outbox().InsertAsync(Sample("killed"), [&](core::Result<Inserted> r) {
    result = std::move(r);
    answered = true;
  });
  const std::string waiting =
      "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND "
      "application_name = 'socialgate' AND wait_event_type = 'Lock'";
  ASSERT_TRUE(support::Eventually([&] { return db.Value(waiting) == "1"; }));
  ASSERT_TRUE(db.Run(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
      "current_database() AND application_name = 'socialgate' AND wait_event_type = 'Lock'"));
  ASSERT_TRUE(support::Eventually([&] { return answered.load(); }));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, core::ErrorCode::kUnavailable);
  PQclear(PQexec(locker, "COMMIT"));
  PQfinish(locker);

  auto got = storage->outbox().Get("default", "killed");
  ASSERT_TRUE(got) << got.error().detail;
  EXPECT_FALSE(got->has_value());
  auto next = Insert(storage->outbox(), Sample("next"));
  EXPECT_TRUE(next) << next.error().detail;
  EXPECT_EQ(*storage->outbox().PendingCount(), 1);
}

TEST(PostgresEngineTest, WhileTheServerIsDownWritesAndReadsAreUnavailableThenAllComesBack) {
  testing::PostgresTestCluster cluster;
  ASSERT_TRUE(cluster.ok());
  auto s = OpenStorage(cluster.url());
  ASSERT_TRUE(s) << s.error().detail;
  StoragePtr storage = std::move(*s);
  ASSERT_TRUE(Insert(storage->outbox(), Sample("before")));

  ASSERT_TRUE(cluster.Down());
  const auto start = std::chrono::steady_clock::now();
  auto refused = Insert(storage->outbox(), Sample("while-down"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::kUnavailable);
  EXPECT_FALSE(storage->outbox().PendingCount());
  EXPECT_FALSE(storage->outbox().Get("default", "before"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);

  ASSERT_TRUE(cluster.Up());
  // The engine reconnects by itself: within a few seconds a write and a read succeed again.
  ASSERT_TRUE(support::Eventually(
      [&] { return Insert(storage->outbox(), Sample("after")).has_value(); }, 15s));
  ASSERT_TRUE(support::Eventually([&] { return storage->outbox().PendingCount().has_value(); }));
  EXPECT_EQ(*storage->outbox().PendingCount(), 2);  // "before" and "after"; nothing else
  EXPECT_FALSE(storage->outbox().Get("default", "while-down")->has_value());
}

}  // namespace
}  // namespace socialgate::store
