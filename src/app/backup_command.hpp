// File: app/backup_command.hpp
//
// `socialgate backup --to FILE [--config F] [--storage URL] [--json]`: a consistent online copy
// of the gateway's SQLite database, taken while the gateway serves (store/sqlite/backup.hpp).
// Restore by stopping the gateway and putting FILE in the database's place (docs/operations.md).
// A PostgreSQL database is backed up with PostgreSQL's own tools (pg_dump, or base backups and
// WAL archiving): the command says so and fails.
#pragma once

#include <cstdio>
#include <string>

#include "app/application.hpp"
#include "core/error.hpp"

namespace socialgate::app {

struct BackupOptions {
  std::string to;
  bool json = false;
};

// Copies and prints what was copied; 0.
core::Result<int> BackupStorage(const ServeOptions& options, const BackupOptions& backup,
                                std::FILE* out);

}  // namespace socialgate::app
