// File: store/sqlite/sqlite_store.hpp
//
// The embedded Store engine: one SQLite database in WAL mode with synchronous=FULL, so a
// committed insert survives a crash or power loss before the caller is answered.
//
// Writes are grouped: they run on one committer thread, each in its own savepoint inside a
// shared transaction, and one COMMIT (one fsync) answers a whole batch of them. While 65,536
// writes wait, new messages are refused (kUnavailable); every other write is always queued.
//
// Thread safety: one connection guarded by a mutex; every method may be called from any thread.
#pragma once

#include <string>

#include "store/store.hpp"

namespace socialgate::store::sqlite {

// `path` is a file path or ":memory:". Applies pending migrations.
core::Result<StorePtr> OpenSqliteStore(const std::string& path);

}  // namespace socialgate::store::sqlite
