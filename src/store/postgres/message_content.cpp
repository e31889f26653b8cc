#include "store/postgres/message_content.hpp"

#include <string>
#include <vector>

#include "store/string_array.hpp"

namespace socialgate::store::postgres {
namespace {

const Sql kInsertMedia{
    "insert_media",
    "INSERT INTO message_media(message_id, kind, mime_type, document_type, file_name, bytes) "
    "VALUES($1, $2, $3, $4, $5, $6)"};

}  // namespace

void BindContent(Params& params, const core::MessageContent& content) {
  std::visit(core::Overloaded{[&](const core::TemplateContent& t) {
               params.Text(t.template_name)
                   .Text(t.language)
                   .Text(EncodeStringArray(t.header_params))
                   .Text(EncodeStringArray(t.body_params))
                   .Text(EncodeStringArray(t.url_params))
                   .Bool(t.header.has_value());
             }},
             content);
}

std::array<std::string, kContentColumnCount> ContentValues(const core::MessageContent& content) {
  return std::visit(core::Overloaded{[](const core::TemplateContent& t) {
                      return std::array<std::string, kContentColumnCount>{
                          t.template_name,
                          t.language,
                          EncodeStringArray(t.header_params),
                          EncodeStringArray(t.body_params),
                          EncodeStringArray(t.url_params),
                          t.header.has_value() ? "t" : "f"};
                    }},
                    content);
}

core::MessageContent ReadContent(const Rows& rows, int row, int first) {
  // Migration 1's rows are all templates.
  core::TemplateContent t;
  t.template_name = rows.Text(row, first);
  t.language = rows.Text(row, first + 1);
  t.header_params = DecodeStringArray(rows.View(row, first + 2));
  t.body_params = DecodeStringArray(rows.View(row, first + 3));
  t.url_params = DecodeStringArray(rows.View(row, first + 4));
  if (rows.Bool(row, first + 5)) t.header.emplace();
  return t;
}

void ReadMedia(const Rows& rows, int row, int first, core::OutboundMessage& message) {
  core::MediaHeader* media = core::MediaOf(message);
  if (media == nullptr || rows.IsNull(row, first)) return;
  media->kind = core::ParseMediaKind(rows.View(row, first)).value_or(core::MediaKind::kDocument);
  media->mime_type = rows.Text(row, first + 1);
  media->document_type = rows.Text(row, first + 2);
  media->file_name = rows.Text(row, first + 3);
}

core::Result<void> InsertMedia(Connection& db, std::string_view id,
                               const core::MediaHeader& media) {
  Params p;
  p.Text(id)
      .Text(core::MediaKindName(media.kind))
      .Text(media.mime_type)
      .Text(media.document_type)
      .Text(media.file_name)
      .BytesInPlace(media.bytes);
  SG_RETURN_IF_ERROR(db.Run(kInsertMedia, p));
  return {};
}

}  // namespace socialgate::store::postgres
