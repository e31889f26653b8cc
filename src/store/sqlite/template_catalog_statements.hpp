// File: store/sqlite/template_catalog_statements.hpp
//
// The SQL of the template catalogs (tables template_catalogs, catalog_templates and
// template_catalog_version; store/template_catalogs.hpp) in SQLite. Every function needs the
// connection's mutex held; the writes run on the committer, inside its transaction, and take
// their input as CommittedWrites checked it (no duplicate key, within the bounds).
#pragma once

#include <cstdint>
#include <vector>

#include "core/error.hpp"
#include "store/sqlite/connection.hpp"
#include "store/template_catalogs.hpp"
#include "store/write.hpp"

namespace socialgate::store::sqlite {

// Deletes the account's templates, stores `catalog`'s and its synced_at_ms, and bumps the
// catalog version. A failure may leave part of it in the transaction: the committer rolls back.
core::Result<Written> ReplaceCatalog(Connection& db, const StoredCatalog& catalog);
// Written::changed: the templates whose status changed; the version is bumped when any did.
core::Result<Written> SetTemplateStatus(Connection& db, const TemplateStatusChange& change);

// In one statement, so every catalog is read as of one moment.
core::Result<std::vector<StoredCatalog>> LoadCatalogs(Connection& db);
core::Result<std::int64_t> CatalogVersion(Connection& db);

}  // namespace socialgate::store::sqlite
