#include "store/sqlite/backup.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

namespace socialgate::store::sqlite {

namespace {

using core::ErrorCode;
using core::MakeError;

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;

core::Result<Db> Open(const std::string& path, int flags, std::string_view role) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    return MakeError(ErrorCode::kUnavailable,
                     std::string(role) + " '" + path + "' cannot be opened: " +
                         (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  return db;
}

// fsync of a file, then of its directory (so the rename is durable too).
core::Result<void> Sync(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    return MakeError(ErrorCode::kUnavailable, "'" + path + "' cannot be synced to disk");
  }
  ::close(fd);
  return {};
}

}  // namespace

core::Result<BackupDone> BackupDatabase(const std::string& database_path,
                                        const std::string& to_path, int busy_timeout_ms) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (database_path.empty() || database_path == ":memory:") {
    return MakeError(ErrorCode::kInvalidArgument,
                     "storage: only a SQLite database file can be backed up, not an in-memory one");
  }
  if (!fs::exists(database_path, ec)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "storage: the database '" + database_path + "' does not exist");
  }
  if (fs::exists(to_path, ec) && fs::equivalent(database_path, to_path, ec)) {
    return MakeError(ErrorCode::kInvalidArgument, "--to: '" + to_path + "' is the database itself");
  }
  const std::string partial = to_path + ".partial";
  fs::remove(partial, ec);

  auto source = Open(database_path, SQLITE_OPEN_READONLY, "the database");
  if (!source) return tl::unexpected(source.error());
  sqlite3_busy_timeout(source->get(), busy_timeout_ms);
  // Not a database (or not ours to read) shows here, before anything is written.
  if (sqlite3_exec(source->get(), "SELECT count(*) FROM sqlite_schema", nullptr, nullptr,
                   nullptr) != SQLITE_OK) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "storage: '" + database_path +
                         "' is not a readable SQLite database: " + sqlite3_errmsg(source->get()));
  }
  BackupDone done;
  {
    auto target = Open(partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "the backup file");
    if (!target) return tl::unexpected(target.error());
    sqlite3_backup* backup = sqlite3_backup_init(target->get(), "main", source->get(), "main");
    if (backup == nullptr) {
      const std::string why = sqlite3_errmsg(target->get());
      fs::remove(partial, ec);
      return MakeError(ErrorCode::kUnavailable, "the backup cannot start: " + why);
    }
    // Every page in one step: one read transaction, so one consistent snapshot. (Steps of a
    // few pages would start over each time the gateway commits.)
    const int rc = sqlite3_backup_step(backup, -1);
    done.pages = sqlite3_backup_pagecount(backup);
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) {
      target->reset();
      fs::remove(partial, ec);
      return MakeError(ErrorCode::kUnavailable,
                       std::string("the backup did not complete: ") + sqlite3_errstr(rc));
    }
    std::string check;
    sqlite3_exec(
        target->get(), "PRAGMA quick_check",
        [](void* out, int, char** values, char**) {
          if (values[0] != nullptr) *static_cast<std::string*>(out) += values[0];
          return 0;
        },
        &check, nullptr);
    if (check != "ok") {
      target->reset();
      fs::remove(partial, ec);
      return MakeError(ErrorCode::kUnavailable, "the copy failed its check: " + check);
    }
  }
  if (auto synced = Sync(partial); !synced) return tl::unexpected(synced.error());
  fs::rename(partial, to_path, ec);
  if (ec) {
    fs::remove(partial, ec);
    return MakeError(ErrorCode::kUnavailable,
                     "--to: '" + partial + "' cannot be renamed to '" + to_path + "'");
  }
  const fs::path parent = fs::absolute(to_path, ec).parent_path();
  if (auto synced = Sync(parent.string()); !synced) return tl::unexpected(synced.error());
  done.bytes = static_cast<std::int64_t>(fs::file_size(to_path, ec));
  return done;
}

}  // namespace socialgate::store::sqlite
