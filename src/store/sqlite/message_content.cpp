#include "store/sqlite/message_content.hpp"

#include <string>
#include <vector>

#include "store/string_array.hpp"

namespace socialgate::store::sqlite {
namespace {

std::vector<std::string> FromJson(const unsigned char* text) {
  if (text == nullptr) return {};
  return DecodeStringArray(reinterpret_cast<const char*>(text));
}

}  // namespace

void BindContent(Statement& s, const core::MessageContent& content) {
  // The template's columns of a message of another kind (they are NOT NULL).
  const auto no_template = [&](bool has_media) {
    const std::string empty = EncodeStringArray({});
    s.Bind("").Bind("").Bind(empty).Bind(empty).Bind(empty).Bind(
        static_cast<std::int64_t>(has_media ? 1 : 0));
  };
  std::visit(core::Overloaded{[&](const core::TemplateContent& t) {
                                s.Bind(t.template_name)
                                    .Bind(t.language)
                                    .Bind(EncodeStringArray(t.header_params))
                                    .Bind(EncodeStringArray(t.body_params))
                                    .Bind(EncodeStringArray(t.url_params))
                                    .Bind(static_cast<std::int64_t>(t.header.has_value() ? 1 : 0))
                                    .Bind(core::TemplateContent::kKind)
                                    .Bind("");
                              },
                              [&](const core::TextContent& t) {
                                no_template(false);
                                s.Bind(core::TextContent::kKind).Bind(t.text);
                              },
                              [&](const core::MediaContent&) {
                                no_template(true);
                                s.Bind(core::MediaContent::kKind).Bind("");
                              }},
             content);
}

core::MessageContent ReadContent(const Statement& s, int first) {
  const std::string kind = s.Text(first + 6);
  if (kind == core::TextContent::kKind) return core::TextContent{s.Text(first + 7)};
  if (kind == core::MediaContent::kKind) return core::MediaContent{};  // ReadMedia fills it
  // 'template', every row before migration 11 included. No other kind is written by this build,
  // and a database migrated by a newer one is refused at start.
  core::TemplateContent t;
  t.template_name = s.Text(first);
  t.language = s.Text(first + 1);
  t.header_params = FromJson(sqlite3_column_text(s.get(), first + 2));
  t.body_params = FromJson(sqlite3_column_text(s.get(), first + 3));
  t.url_params = FromJson(sqlite3_column_text(s.get(), first + 4));
  if (s.Int(first + 5) != 0) t.header.emplace();
  return t;
}

core::Result<void> InsertMedia(Connection& db, std::string_view id,
                               const core::MediaHeader& media) {
  SG_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare(
          "INSERT INTO message_media(message_id, kind, mime_type, document_type, file_name, bytes) "
          "VALUES(?,?,?,?,?,?)"));
  Statement s(stmt);
  s.Bind(id)
      .Bind(core::MediaKindName(media.kind))
      .Bind(media.mime_type)
      .Bind(media.document_type)
      .Bind(media.file_name)
      .BindBlobInPlace(media.bytes);
  if (s.Step() != SQLITE_DONE) return tl::unexpected(db.Error("insert media"));
  return {};
}

core::Result<void> ReadMedia(Connection& db, std::string_view id, core::MediaHeader& media) {
  SG_ASSIGN_OR_RETURN(
      auto stmt, db.Prepare("SELECT kind, mime_type, document_type, file_name FROM message_media "
                            "WHERE message_id = ?"));
  Statement s(stmt);
  s.Bind(id);
  if (s.Step() != SQLITE_ROW) return tl::unexpected(db.Error("read media"));
  media.kind = core::ParseMediaKind(s.Text(0)).value_or(core::MediaKind::kDocument);
  media.mime_type = s.Text(1);
  media.document_type = s.Text(2);
  media.file_name = s.Text(3);
  return {};
}

}  // namespace socialgate::store::sqlite
