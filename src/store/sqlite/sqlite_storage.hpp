// File: store/sqlite/sqlite_storage.hpp
//
// The embedded engine: one SQLite database in WAL mode with synchronous=FULL, so a committed
// write survives a crash or power loss before the caller is answered. Every write goes through
// the group committer (store/group_committer.hpp, thread sg-commit); reads share its one
// connection, behind a mutex. For a database file, a checkpointer copies the WAL back into it
// on its own connection (checkpointer.hpp).
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "store/storage.hpp"

namespace socialgate::store::sqlite {

// `path` is a file path or ":memory:". Applies pending migrations.
core::Result<StoragePtr> OpenSqliteStorage(const std::string& path);

// The registry's opener (engine_registry.cpp): `rest` is what follows "sqlite:", a path relative
// to the working directory, "//" and an absolute path, or ":memory:".
core::Result<StoragePtr> OpenSqliteUrl(std::string_view rest);

}  // namespace socialgate::store::sqlite
