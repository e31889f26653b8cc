// File: store/sqlite/migrations.hpp
//
// The SQLite schema as numbered migrations. A migration, once released, is never edited: a
// change is a new entry at the end. Applied in order inside one transaction each, and recorded
// in schema_migrations, so a database of any earlier version is brought up to date at open.
#pragma once

#include <span>

namespace socialgate::store::sqlite {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

std::span<const Migration> Migrations();

}  // namespace socialgate::store::sqlite
