#include "store/sqlite/reader_pool.hpp"

#include <sqlite3.h>

namespace socialgate::store::sqlite {

core::Result<std::unique_ptr<ReaderPool>> ReaderPool::Open(const std::string& path, int size) {
  std::vector<std::unique_ptr<Connection>> connections;
  for (int i = 0; i < size; ++i) {
    sqlite3* raw = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    DbHandle db(raw);
    if (rc != SQLITE_OK) {
      return core::MakeError(core::ErrorCode::kUnavailable,
                             "cannot open the SQLite database '" + path + "' to read it",
                             raw != nullptr ? sqlite3_errmsg(raw) : "out of memory");
    }
    sqlite3_extended_result_codes(db.get(), 1);
    sqlite3_busy_timeout(db.get(), 5000);
    // A 4 MiB page cache each (the writer has 32), grown only as reads use it.
    char* err = nullptr;
    if (sqlite3_exec(db.get(), "PRAGMA cache_size=-4096; PRAGMA temp_store=MEMORY;", nullptr,
                     nullptr, &err) != SQLITE_OK) {
      std::string detail = err != nullptr ? err : "";
      sqlite3_free(err);
      return core::MakeError(core::ErrorCode::kUnavailable,
                             "cannot configure a read connection to '" + path + "'", detail);
    }
    connections.push_back(std::make_unique<Connection>(std::move(db)));
  }
  return std::unique_ptr<ReaderPool>(new ReaderPool(std::move(connections)));
}

}  // namespace socialgate::store::sqlite
