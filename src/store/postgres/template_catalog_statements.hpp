// File: store/postgres/template_catalog_statements.hpp
//
// The SQL of the template catalogs in PostgreSQL (tables template_catalogs, catalog_templates
// and template_catalog_version; store/template_catalogs.hpp), as
// store/sqlite/template_catalog_statements.hpp does for SQLite. The writes run on the
// committer's connection, inside its transaction, and take their input as CommittedWrites
// checked it (no duplicate key, within the bounds).
//
// Instances sharing the database write catalogs one at a time: every write first locks the
// version's row (a replacement by bumping it, a status change with SELECT ... FOR UPDATE) and
// holds it to its commit. So a write that waited reads what the other one committed (READ
// COMMITTED: each later statement takes a new snapshot): two replacements of one account do not
// meet at its primary key, and a status change made while its catalog was replaced finds the
// new rows instead of changing none.
#pragma once

#include <cstdint>
#include <vector>

#include "core/error.hpp"
#include "store/postgres/connection.hpp"
#include "store/template_catalogs.hpp"
#include "store/write.hpp"

namespace socialgate::store::postgres {

// Bumps the catalog version, stores `catalog`'s synced_at_ms, deletes the account's templates
// and inserts `catalog`'s with one statement. A failure fails the transaction: the committer
// rolls back.
core::Result<Written> ReplaceCatalog(Connection& db, const StoredCatalog& catalog);
// Written::changed: the templates whose status changed; the version is bumped when any did.
core::Result<Written> SetTemplateStatus(Connection& db, const TemplateStatusChange& change);

// In one statement, so every catalog is read as of one moment.
core::Result<std::vector<StoredCatalog>> LoadCatalogs(Connection& db);
core::Result<std::int64_t> CatalogVersion(Connection& db);

}  // namespace socialgate::store::postgres
