// File: store/postgres/postgres_storage.hpp
//
// The network engine: PostgreSQL through libpq, for several gateway instances on one database
// (docs/scaling.md). Every write goes through the group committer (store/group_committer.hpp,
// thread sg-commit) on a connection of its own, with synchronous_commit on, so a committed write
// is on the server's disk before the caller is answered; the reads share a small pool
// (connection_pool.hpp). A connection the server dropped is reopened on its next use: while the
// database is down, writes and reads fail with kUnavailable (503), and nothing is reported
// stored that was not committed.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "store/storage.hpp"

namespace socialgate::store::postgres {

// How many connections the reads share.
inline constexpr int kReadConnections = 4;

// Opens the database of a libpq URL ("postgresql://user@host:port/db?sslmode=..."; also
// "postgres://"), as libpq reads it: its parameters, and PGPASSWORD, PGSSLMODE... and
// ~/.pgpass for what the URL leaves out. A URL that holds a password is refused (it would sit in
// the configuration file and the log): give it in PGPASSWORD or the passfile. Applies pending
// migrations.
core::Result<StoragePtr> OpenPostgresUrl(const std::string& url);

}  // namespace socialgate::store::postgres
