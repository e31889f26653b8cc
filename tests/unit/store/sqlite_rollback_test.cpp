// A ROLLBACK that fails, provoked with SQLite itself: an authorizer that refuses the store's
// ROLLBACKs, installed on its connection as it opens (sqlite3_auto_extension).
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/storage.hpp"
#include "support/held_committer.hpp"
#include "support/sample_message.hpp"
#include "support/sync_store.hpp"

namespace socialgate::store {
namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;

std::atomic<bool> refuse_rollback{false};

int RefuseRollback(void* /*data*/, int action, const char* what, const char* /*unused*/,
                   const char* /*database*/, const char* /*trigger*/) {
  const bool rollback =
      action == SQLITE_TRANSACTION && what != nullptr && std::string_view(what) == "ROLLBACK";
  return rollback && refuse_rollback.load() ? SQLITE_DENY : SQLITE_OK;
}

int InstallRefusal(sqlite3* db, char** /*error*/, const sqlite3_api_routines* /*api*/) {
  return sqlite3_set_authorizer(db, &RefuseRollback, nullptr);
}

NewMessage Sample(const std::string& id) { return testing::SampleMessage(id, kNow); }

class SqliteRollbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/sg-rollback-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    // Only the store's connections (and the checkpointer's) get the authorizer.
    const auto install = reinterpret_cast<void (*)()>(&InstallRefusal);
    ASSERT_EQ(sqlite3_auto_extension(install), SQLITE_OK);
    auto opened = OpenStorage("sqlite:" + dir_ + "/db.sqlite");
    sqlite3_cancel_auto_extension(install);
    ASSERT_TRUE(opened) << opened.error().detail;
    storage_ = std::move(*opened);
  }
  void TearDown() override {
    refuse_rollback = false;
    storage_.reset();
    std::filesystem::remove_all(dir_);
  }
  bool Stored(const std::string& id) {
    auto got = storage_->outbox().Get("default", id);
    return got && got->has_value();
  }

  std::string dir_;
  StoragePtr storage_;
};

TEST_F(SqliteRollbackTest, ARefusedRollbackFailsItsBatchAndIsTriedAgainBeforeTheNextWrite) {
  ASSERT_TRUE(testing::Insert(storage_->outbox(), Sample("taken")));
  refuse_rollback = true;
  std::mutex mutex;
  std::map<std::string, bool> answers;
  {
    // One batch of three whose second write fails: the batch's ROLLBACK is refused, and "a"
    // stays written into a transaction nobody will commit.
    HeldCommitter held(storage_->outbox(), Sample("held"));
    for (const std::string id : {"a", "taken", "b"}) {
      storage_->outbox().InsertAsync(Sample(id), [&, id](core::Result<Inserted> r) {
        std::lock_guard lock(mutex);
        answers[id] = r.has_value();
      });
    }
  }
  storage_->Drain();
  EXPECT_EQ(answers, (std::map<std::string, bool>{{"a", false}, {"taken", false}, {"b", false}}));
  // Nothing is written into that transaction while it cannot be rolled back...
  EXPECT_FALSE(testing::Insert(storage_->outbox(), Sample("c")));
  // ...and once it can, the next write rolls it back first and goes on.
  refuse_rollback = false;
  EXPECT_TRUE(testing::Insert(storage_->outbox(), Sample("d")));
  EXPECT_FALSE(Stored("a"));
  EXPECT_FALSE(Stored("b"));
  EXPECT_FALSE(Stored("c"));
  EXPECT_TRUE(Stored("d"));
  EXPECT_TRUE(Stored("taken"));
  EXPECT_TRUE(Stored("held"));
}

}  // namespace
}  // namespace socialgate::store
