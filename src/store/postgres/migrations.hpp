// File: store/postgres/migrations.hpp
//
// The PostgreSQL schema as numbered migrations: the same versions, in the same order and with
// the same descriptions as SQLite's (store/sqlite/migrations.cpp; a unit test holds them
// together), in PostgreSQL's dialect. A migration, once released, is never edited: a change is a
// new entry at the end of both lists.
//
// Several instances may start at once on one database: Migrate takes a transaction-level
// advisory lock first, so one applies the pending migrations and the others, once it commits,
// find nothing left to do. DDL is transactional in PostgreSQL: all pending migrations and their
// records in schema_migrations commit together or not at all.
#pragma once

#include <span>

#include "core/error.hpp"
#include "store/postgres/connection.hpp"

namespace socialgate::store::postgres {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

std::span<const Migration> Migrations();

// The advisory lock's key (pg_advisory_xact_lock): "sgmigrat" as a 64-bit number.
inline constexpr long long kMigrationLock = 0x73676d6967726174LL;

// Brings the database up to the current version (see the file comment). A database newer than
// this build knows is refused (kInternal).
core::Result<void> Migrate(Connection& db);

}  // namespace socialgate::store::postgres
