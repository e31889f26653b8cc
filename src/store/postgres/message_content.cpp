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

std::array<std::string, kContentColumnCount> ContentValues(const core::MessageContent& content) {
  using Values = std::array<std::string, kContentColumnCount>;
  // The template's columns of a message of another kind (they are NOT NULL).
  const std::string empty = EncodeStringArray({});
  return std::visit(
      core::Overloaded{
          [](const core::TemplateContent& t) {
            return Values{t.template_name,
                          t.language,
                          EncodeStringArray(t.header_params),
                          EncodeStringArray(t.body_params),
                          EncodeStringArray(t.url_params),
                          t.header.has_value() ? "t" : "f",
                          std::string(core::TemplateContent::kKind),
                          ""};
          },
          [&](const core::TextContent& t) {
            return Values{
                "", "", empty, empty, empty, "f", std::string(core::TextContent::kKind), t.text};
          },
          [&](const core::MediaContent&) {
            return Values{"", "", empty, empty, empty, "t", std::string(core::MediaContent::kKind),
                          ""};
          }},
      content);
}

void BindContent(Params& params, const core::MessageContent& content) {
  // The same values as ContentValues', one parameter each (has_media as a bool).
  auto values = ContentValues(content);
  for (int i = 0; i < kContentColumnCount; ++i) {
    if (kContentColumnTypes[i] == "bool") {
      params.Bool(values[i] == "t");
    } else {
      params.Text(values[i]);
    }
  }
}

core::MessageContent ReadContent(const Rows& rows, int row, int first) {
  const std::string_view kind = rows.View(row, first + 6);
  if (kind == core::TextContent::kKind) return core::TextContent{rows.Text(row, first + 7)};
  if (kind == core::MediaContent::kKind) return core::MediaContent{};  // ReadMedia fills it
  // 'template', every row before migration 11 included. No other kind is written by this build,
  // and a database migrated by a newer one is refused at start.
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
