// File: store/sqlite/migrations.hpp
//
// The SQLite schema as numbered migrations. A migration, once released, is never edited: a
// change is a new entry at the end. Applied in order inside one transaction each, and recorded
// in schema_migrations, so a database of any earlier version is brought up to date at open.
#pragma once

#include <span>

#include "core/error.hpp"
#include "store/sqlite/connection.hpp"

namespace socialgate::store::sqlite {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

std::span<const Migration> Migrations();

// Brings the database up to the current version: creates schema_migrations if needed, then
// applies each pending migration in a transaction of its own. A database newer than this build
// knows is refused (kInternal). REQUIRES: no other user of the connection meanwhile.
core::Result<void> Migrate(Connection& db);

}  // namespace socialgate::store::sqlite
