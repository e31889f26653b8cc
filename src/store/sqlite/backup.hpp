// File: store/sqlite/backup.hpp
//
// An online copy of a SQLite database (`socialgate backup --to FILE`): SQLite's backup API
// copies every page in one step under one read transaction, so the copy is the database as of
// one commit. In WAL mode a reader does not block the writer: the gateway keeps serving, and
// commits made meanwhile are simply not in the copy. The copy is written to FILE.partial,
// checked (PRAGMA quick_check), synced, and only then renamed to FILE: FILE is either the
// previous file or a whole, checked copy, never half of one.
#pragma once

#include <cstdint>
#include <string>

#include "core/error.hpp"

namespace socialgate::store::sqlite {

struct BackupDone {
  std::int64_t pages = 0;
  std::int64_t bytes = 0;
};

// Copies the database at `database_path` (a file, not ":memory:") to `to_path`, replacing it.
// kInvalidArgument when the source is not a SQLite database or the two paths are the same file,
// kUnavailable when the source stays locked for `busy_timeout_ms` or a file cannot be written
// (the message says which).
core::Result<BackupDone> BackupDatabase(const std::string& database_path,
                                        const std::string& to_path, int busy_timeout_ms = 10'000);

}  // namespace socialgate::store::sqlite
