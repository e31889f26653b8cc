#include "store/postgres/template_catalog_statements.hpp"

#include <array>
#include <string>
#include <utility>

namespace socialgate::store::postgres {
namespace {

using core::Result;

const Sql kLockVersion{"lock_catalog_version",
                       "SELECT version FROM template_catalog_version WHERE id = 1 FOR UPDATE"};
const Sql kBumpVersion{"bump_catalog_version",
                       "UPDATE template_catalog_version SET version = version + 1 WHERE id = 1"};
const Sql kStoreCatalog{"store_catalog",
                        "INSERT INTO template_catalogs(account, synced_at) VALUES($1, $2) "
                        "ON CONFLICT (account) DO UPDATE SET synced_at = excluded.synced_at"};
const Sql kDeleteTemplates{"delete_catalog_templates",
                           "DELETE FROM catalog_templates WHERE account = $1"};
// A catalog's templates in one statement, a column an array (a round trip for all of them).
const Sql kInsertTemplates{
    "insert_catalog_templates",
    "INSERT INTO catalog_templates(account, name, language, template_id, status, status_reason, "
    "category, definition, updated_at) SELECT $1::text, name, language, template_id, status, "
    "status_reason, category, definition, updated_at FROM unnest($2::text[], $3::text[], "
    "$4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[]) "
    "AS t(name, language, template_id, status, status_reason, category, definition, updated_at)"};
// Found by the index catalog_templates_by_id, or by the primary key.
const Sql kSetStatusById{"set_template_status_by_id",
                         "UPDATE catalog_templates SET status = $1, status_reason = $5, "
                         "updated_at = $2 WHERE account = $3 AND template_id = $4 "
                         "AND (status <> $1 OR status_reason <> $5)"};
const Sql kSetStatusByKey{"set_template_status_by_key",
                          "UPDATE catalog_templates SET status = $1, status_reason = $6, "
                          "updated_at = $2 WHERE account = $3 AND name = $4 AND language = $5 "
                          "AND (status <> $1 OR status_reason <> $6)"};
// An account without templates is one row of NULLs on the template's side. Keys are ordered
// byte by byte (COLLATE "C", SQLite's order), whatever the database's collation.
const Sql kLoad{"load_catalogs",
                "SELECT c.account, c.synced_at, t.name, t.language, t.template_id, t.status, "
                "t.category, t.definition, t.updated_at, t.status_reason FROM template_catalogs c "
                "LEFT JOIN catalog_templates t ON t.account = c.account "
                "ORDER BY c.account COLLATE \"C\", t.name COLLATE \"C\", "
                "t.language COLLATE \"C\""};
const Sql kVersion{"catalog_version", "SELECT version FROM template_catalog_version WHERE id = 1"};

}  // namespace

Result<Written> ReplaceCatalog(Connection& db, const StoredCatalog& catalog) {
  SG_RETURN_IF_ERROR(db.Run(kBumpVersion, Params()));  // first: the lock (see the header)
  Params stored;
  stored.Text(catalog.account).Int(catalog.synced_at_ms);
  SG_RETURN_IF_ERROR(db.Run(kStoreCatalog, stored));
  Params account;
  account.Text(catalog.account);
  SG_RETURN_IF_ERROR(db.Run(kDeleteTemplates, account));
  if (catalog.templates.empty()) return Written{};
  std::array<std::vector<std::string>, 8> columns;  // $2 to $9
  for (auto& column : columns) column.reserve(catalog.templates.size());
  for (const StoredTemplate& t : catalog.templates) {
    columns[0].push_back(t.name);
    columns[1].push_back(t.language);
    columns[2].push_back(t.template_id);
    columns[3].push_back(t.status);
    columns[4].push_back(t.status_reason);
    columns[5].push_back(t.category);
    columns[6].push_back(t.definition);
    columns[7].push_back(std::to_string(t.updated_at_ms));
  }
  Params p;
  p.Text(catalog.account);
  for (const auto& column : columns) p.TextArray(column);
  SG_RETURN_IF_ERROR(db.Run(kInsertTemplates, p));
  return Written{};
}

Result<Written> SetTemplateStatus(Connection& db, const TemplateStatusChange& change) {
  SG_RETURN_IF_ERROR(db.Run(kLockVersion, Params()));  // first: the lock (see the header)
  Params p;
  p.Text(change.status).Int(change.now_ms).Text(change.account);
  if (change.template_id.empty()) {
    p.Text(change.name).Text(change.language);
  } else {
    p.Text(change.template_id);
  }
  p.Text(change.reason);
  SG_ASSIGN_OR_RETURN(Rows done,
                      db.Run(change.template_id.empty() ? kSetStatusByKey : kSetStatusById, p));
  Written written;
  written.changed = done.Changed();
  if (written.changed > 0) SG_RETURN_IF_ERROR(db.Run(kBumpVersion, Params()));
  return written;
}

Result<std::vector<StoredCatalog>> LoadCatalogs(Connection& db) {
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kLoad, Params()));
  std::vector<StoredCatalog> out;
  for (int i = 0; i < rows.size(); ++i) {
    if (out.empty() || out.back().account != rows.View(i, 0)) {
      out.push_back(StoredCatalog{rows.Text(i, 0), rows.Int64(i, 1), {}});
    }
    if (rows.IsNull(i, 2)) continue;
    StoredTemplate t;
    t.name = rows.Text(i, 2);
    t.language = rows.Text(i, 3);
    t.template_id = rows.Text(i, 4);
    t.status = rows.Text(i, 5);
    t.category = rows.Text(i, 6);
    t.definition = rows.Text(i, 7);
    t.updated_at_ms = rows.Int64(i, 8);
    t.status_reason = rows.Text(i, 9);
    out.back().templates.push_back(std::move(t));
  }
  return out;
}

Result<std::int64_t> CatalogVersion(Connection& db) {
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kVersion, Params()));
  if (rows.size() != 1) {
    return core::MakeError(
        core::ErrorCode::kInternal, "storage is in an unexpected state",
        "template_catalog_version has " + std::to_string(rows.size()) + " rows, not 1");
  }
  return rows.Int64(0, 0);
}

}  // namespace socialgate::store::postgres
