#include "store/sqlite/template_catalog_statements.hpp"

#include <string>
#include <utility>

namespace socialgate::store::sqlite {
namespace {

using core::Result;

Result<void> BumpVersion(Connection& db) {
  return db.ExecPrepared("UPDATE template_catalog_version SET version = version + 1 WHERE id = 1");
}

}  // namespace

Result<Written> ReplaceCatalog(Connection& db, const StoredCatalog& catalog) {
  {
    SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare("DELETE FROM catalog_templates WHERE account = ?"));
    Statement s(stmt);
    s.Bind(catalog.account);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("delete catalog templates"));
  }
  {
    SG_ASSIGN_OR_RETURN(
        auto stmt, db.Prepare("INSERT INTO template_catalogs(account, synced_at) VALUES(?, ?) "
                              "ON CONFLICT(account) DO UPDATE SET synced_at = excluded.synced_at"));
    Statement s(stmt);
    s.Bind(catalog.account).Bind(catalog.synced_at_ms);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("store catalog"));
  }
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("INSERT INTO catalog_templates(account, name, language, template_id, status, "
                 "status_reason, category, definition, updated_at) "
                 "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  for (const StoredTemplate& t : catalog.templates) {
    Statement s(stmt);
    s.Bind(catalog.account)
        .Bind(t.name)
        .Bind(t.language)
        .Bind(t.template_id)
        .Bind(t.status)
        .Bind(t.status_reason)
        .Bind(t.category)
        .Bind(t.definition)
        .Bind(t.updated_at_ms);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("store catalog template"));
  }
  SG_RETURN_IF_ERROR(BumpVersion(db));
  return Written{};
}

Result<Written> SetTemplateStatus(Connection& db, const TemplateStatusChange& change) {
  // Found by the index catalog_templates_by_id, or by the primary key. Both statements have seven
  // parameters (the one by id does not use ?4 and ?5), so the same binding fits either.
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare(change.template_id.empty()
                     ? "UPDATE catalog_templates SET status = ?1, status_reason = ?7, "
                       "updated_at = ?2 WHERE account = ?3 AND name = ?4 AND language = ?5 "
                       "AND (status <> ?1 OR status_reason <> ?7)"
                     : "UPDATE catalog_templates SET status = ?1, status_reason = ?7, "
                       "updated_at = ?2 WHERE account = ?3 AND template_id = ?6 "
                       "AND (status <> ?1 OR status_reason <> ?7)"));
  Written written;
  {
    Statement s(stmt);
    s.Bind(change.status)
        .Bind(change.now_ms)
        .Bind(change.account)
        .Bind(change.name)
        .Bind(change.language)
        .Bind(change.template_id)
        .Bind(change.reason);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("set template status"));
    written.changed = db.Changes();
  }
  if (written.changed > 0) SG_RETURN_IF_ERROR(BumpVersion(db));
  return written;
}

Result<std::vector<StoredCatalog>> LoadCatalogs(Connection& db) {
  // An account without templates is one row of NULLs on the template's side.
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("SELECT c.account, c.synced_at, t.name, t.language, t.template_id, t.status, "
                 "t.category, t.definition, t.updated_at, t.status_reason FROM template_catalogs c "
                 "LEFT JOIN catalog_templates t ON t.account = c.account "
                 "ORDER BY c.account, t.name, t.language"));
  Statement s(stmt);
  std::vector<StoredCatalog> out;
  int rc = 0;
  while ((rc = s.Step()) == SQLITE_ROW) {
    std::string account = s.Text(0);
    if (out.empty() || out.back().account != account) {
      out.push_back(StoredCatalog{std::move(account), s.Int64(1), {}});
    }
    if (s.IsNull(2)) continue;
    StoredTemplate t;
    t.name = s.Text(2);
    t.language = s.Text(3);
    t.template_id = s.Text(4);
    t.status = s.Text(5);
    t.category = s.Text(6);
    t.definition = s.Blob(7);  // every byte, as stored (Text would stop at a NUL)
    t.updated_at_ms = s.Int64(8);
    t.status_reason = s.Text(9);
    out.back().templates.push_back(std::move(t));
  }
  if (rc != SQLITE_DONE) return tl::unexpected(db.Error("load catalogs"));
  return out;
}

Result<std::int64_t> CatalogVersion(Connection& db) {
  SG_ASSIGN_OR_RETURN(auto stmt,
                      db.Prepare("SELECT version FROM template_catalog_version WHERE id = 1"));
  Statement s(stmt);
  if (s.Step() != SQLITE_ROW) return tl::unexpected(db.Error("catalog version"));
  return s.Int64(0);
}

}  // namespace socialgate::store::sqlite
