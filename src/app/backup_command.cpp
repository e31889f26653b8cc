#include "app/backup_command.hpp"

#include <chrono>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "store/sqlite/backup.hpp"

namespace socialgate::app {

core::Result<int> BackupStorage(const ServeOptions& options, const BackupOptions& backup,
                                std::FILE* out) {
  if (backup.to.empty()) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, "--to: the backup file is required");
  }
  SG_ASSIGN_OR_RETURN(auto config, LoadEffectiveConfig(options));
  const std::string& url = config.storage_url;
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.rfind(kSqlite, 0) != 0) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "storage: '" + url.substr(0, url.find(':')) +
                               "' databases are backed up with their own tools (for PostgreSQL, "
                               "pg_dump); socialgate backup copies SQLite databases");
  }
  std::string path = url.substr(kSqlite.size());
  if (path.rfind("//", 0) == 0) path = path.substr(2);
  const auto started = std::chrono::steady_clock::now();
  SG_ASSIGN_OR_RETURN(const store::sqlite::BackupDone done,
                      store::sqlite::BackupDatabase(path, backup.to));
  const auto took_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
  spdlog::info("backup: {} copied to {} ({} pages, {} bytes) in {} ms", path, backup.to, done.pages,
               done.bytes, took_ms);
  if (backup.json) {
    const nlohmann::ordered_json body = {{"database", path},
                                         {"backup", backup.to},
                                         {"pages", done.pages},
                                         {"bytes", done.bytes},
                                         {"milliseconds", took_ms}};
    std::fprintf(out, "%s\n", body.dump().c_str());
  } else {
    std::fprintf(out, "backed up %s to %s: %lld pages, %lld bytes, in %lld ms\n", path.c_str(),
                 backup.to.c_str(), static_cast<long long>(done.pages),
                 static_cast<long long>(done.bytes), static_cast<long long>(took_ms));
  }
  return 0;
}

}  // namespace socialgate::app
