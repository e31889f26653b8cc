// What only the SQLite engine has: its URLs, its WAL and checkpoints. The contracts every
// engine keeps are in storage_conformance_test.cpp; SQLite's rollbacks in
// sqlite_rollback_test.cpp.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "store/message_list_sql.hpp"
#include "store/sqlite/outbox_statements.hpp"
#include "store/storage.hpp"
#include "support/eventually.hpp"
#include "support/sample_message.hpp"
#include "support/sync_store.hpp"

namespace socialgate::store {
namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;

TEST(OpenStorageTest, RejectsUnknownUrlsNamingTheSchemesThereAre) {
  auto s = OpenStorage("mysql://nowhere");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_NE(s.error().message.find("'sqlite:'"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("'postgresql:'"), std::string::npos) << s.error().message;
  EXPECT_FALSE(OpenStorage("nowhere"));
  EXPECT_FALSE(OpenStorage("sqlite:"));
  EXPECT_TRUE(OpenStorage("sqlite::memory:"));
}

TEST(OpenStorageTest, UnwritableLocationIsUnavailable) {
  auto s = OpenStorage("sqlite:/nonexistent-dir/socialgate.db");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, core::ErrorCode::kUnavailable);
}

class SqliteEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/sg-sqlite-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    Open();
  }
  void TearDown() override {
    storage_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    storage_.reset();
    auto s = OpenStorage("sqlite:" + dir_ + "/db.sqlite");
    ASSERT_TRUE(s) << s.error().detail;
    storage_ = std::move(*s);
  }
  Outbox& outbox() { return storage_->outbox(); }
  // Runs `sql` on the database file with a connection of its own (the store closed).
  void Tamper(const std::string& sql) {
    storage_.reset();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ + "/db.sqlite").c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
    Open();
  }

  std::string dir_;
  StoragePtr storage_;
};

TEST_F(SqliteEngineTest, TheWalIsCopiedBackAndStartedOverWhileWritesGoOn) {
  // Enough messages for several times the WAL size at which the writer lets it start over
  // (Checkpointer::kRestartAtPages, 16 MiB): without checkpoints it would pass 40 MiB.
  constexpr int kMessages = 30'000;
  std::atomic<int> stored{0};
  std::string big(900, 'x');  // about a page of WAL per few messages
  for (int i = 0; i < kMessages; ++i) {
    NewMessage m = testing::SampleMessage("wal-" + std::to_string(i), kNow);
    testing::Template(m.message).body_params = {big};
    outbox().InsertAsync(std::move(m), [&](core::Result<Inserted> r) {
      if (r) ++stored;
    });
  }
  storage_->Drain();
  EXPECT_EQ(stored.load(), kMessages);
  const auto wal = std::filesystem::path(dir_) / "db.sqlite-wal";
  ASSERT_TRUE(std::filesystem::exists(wal));
  EXPECT_LT(std::filesystem::file_size(wal), 32u << 20);
  EXPECT_EQ(*outbox().PendingCount(), kMessages);

  // The database file itself holds the messages once the store is closed and opened again.
  Open();
  EXPECT_EQ(*outbox().PendingCount(), kMessages);
  auto last = outbox().Get("default", "wal-" + std::to_string(kMessages - 1));
  ASSERT_TRUE(last && last->has_value());
  EXPECT_EQ(testing::Template((*last)->message).body_params, std::vector<std::string>{big});
}

// Whether this process's thread named `name` is asleep in nanosleep or clock_nanosleep, as
// SQLite's busy handler sleeps between its tries for a lock (/proc/self/task/*/syscall).
bool ThreadSleeps(const std::string& name) {
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string thread_name;
    if (!std::getline(comm, thread_name) || thread_name != name) continue;
    std::ifstream syscall(task.path() / "syscall");
    long number = -1;
    syscall >> number;
#ifdef SYS_nanosleep
    if (number == SYS_nanosleep) return true;
#endif
    return number == SYS_clock_nanosleep;
  }
  return false;
}

TEST_F(SqliteEngineTest, ReadsDoNotWaitForTheWriter) {
  ASSERT_TRUE(testing::Insert(outbox(), testing::SampleMessage("m1", kNow)));
  // Another connection holds the database's write lock: the committer's next batch waits for it
  // (busy timeout) holding the writer's connection.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ + "/db.sqlite").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::promise<core::Result<Inserted>> inserted;
  outbox().InsertAsync(testing::SampleMessage("m2", kNow),
                       [&](core::Result<Inserted> r) { inserted.set_value(std::move(r)); });
  auto insert_answer = inserted.get_future();
  // The committer has taken the batch once it sleeps in SQLite's busy handler (were it not taken
  // yet, the reads below would pass on the writer's connection too, and prove nothing).
  ASSERT_TRUE(support::Eventually([] { return ThreadSleeps("sg-commit"); }))
      << "the committer never waited for the other connection's lock";
  // Reads on their own connections: answered while the batch waits, and see what was committed.
  auto m1 = outbox().Get("default", "m1");
  ASSERT_TRUE(m1 && m1->has_value());
  MessageQuery all;
  all.domain = "default";
  auto page = outbox().ListMessages(all);
  EXPECT_EQ(insert_answer.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
      << "the reads waited for the writer's batch";
  ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  EXPECT_TRUE(insert_answer.get());
  ASSERT_TRUE(page) << page.error().detail;
  EXPECT_EQ(page->messages.size(), 1u);
  // The answered write is seen by the next read.
  EXPECT_TRUE(*outbox().Get("default", "m2"));
}

TEST_F(SqliteEngineTest, AStatusThisBinaryNeverWroteIsAnErrorNotACrash) {
  ASSERT_TRUE(testing::Insert(outbox(), testing::SampleMessage("odd", kNow)));
  Tamper("UPDATE messages SET status = 'bogus' WHERE id = 'odd'");
  auto got = outbox().Get("default", "odd");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, core::ErrorCode::kInternal);
  EXPECT_NE(got.error().detail.find("bogus"), std::string::npos) << got.error().detail;

  // In the history too.
  Tamper(
      "UPDATE messages SET status = 'queued' WHERE id = 'odd'; "
      "UPDATE message_events SET status = 'Queued' WHERE message_id = 'odd'");
  got = outbox().Get("default", "odd");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, core::ErrorCode::kInternal);
}

// Every shape of the message list's statement (store/message_list_sql.hpp) reads an index of
// migration 7 in the list's order and stops after its page: never a sort of the domain's
// messages. (SQLite plans without statistics, as in production: nothing runs ANALYZE.)
TEST_F(SqliteEngineTest, EveryShapeOfTheMessageListReadsAnIndexInOrderWithoutSorting) {
  storage_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ + "/db.sqlite").c_str(), &db), SQLITE_OK);
  for (unsigned shape = 0; shape < kListShapes; ++shape) {
    const std::string sql =
        "EXPLAIN QUERY PLAN " +
        ListMessagesSql(shape, ListDialect::kSqlite, sqlite::kMessageColumns, "messages");
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    std::string plan;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
      plan += "\n";
    }
    sqlite3_finalize(stmt);
    if ((shape & kListStatuses) != 0 && (shape & kListFailedOnly) != 0) continue;  // never planned
    const bool by_customer = (shape & kListCustomerPhone) != 0;
    const bool failed = (shape & kListFailedOnly) != 0;
    EXPECT_NE(plan.find(by_customer ? "USING INDEX messages_list_by_customer (domain=? AND "
                                      "customer_phone=?"
                        : failed    ? "USING INDEX messages_failed (domain=? AND created_at>? AND "
                                      "(created_at,id)<(?,?))"
                                    : "USING INDEX messages_list (domain=? AND created_at>? AND "
                                      "(created_at,id)<(?,?))"),
              std::string::npos)
        << "shape " << shape << ":\n"
        << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << "shape " << shape << ":\n" << plan;
  }
  sqlite3_close(db);
}

}  // namespace
}  // namespace socialgate::store
