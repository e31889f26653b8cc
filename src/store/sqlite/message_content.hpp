// File: store/sqlite/message_content.hpp
//
// Where a message's content lives in SQLite: the one place that maps each kind of
// core::MessageContent to the columns of `messages` (and its media to `message_media`) and
// back. Every other statement names the content's columns only through kContentColumns.
//
// Today's schema (migration 1) has the template's columns only: template_name, language,
// header_params, body_params, url_params (JSON arrays, string_array.hpp), has_media; a
// template's media header is a `message_media` row. Every row is read back as a template. A new
// kind needs a migration for its columns (a kind column, and its own columns or table;
// migrations.cpp), its branch in BindContent (which does not compile until it has one) and its
// reading in ReadContent.
//
// Every function needs the connection's mutex held.
#pragma once

#include <string_view>

#include "core/error.hpp"
#include "core/message.hpp"
#include "store/sqlite/connection.hpp"

namespace socialgate::store::sqlite {

// The content's columns of `messages`, in the order BindContent binds them and ReadContent
// reads them; kContentPlaceholders has one "?" for each.
inline constexpr const char* kContentColumns =
    "template_name, language, header_params, body_params, url_params, has_media";
inline constexpr const char* kContentPlaceholders = "?,?,?,?,?,?";

// Binds the content's columns next, in kContentColumns' order.
void BindContent(Statement& s, const core::MessageContent& content);

// The content of the current row of `s`, whose kContentColumns start at column
// `first`. Its media, if it has any, is present but empty: ReadMedia fills it.
core::MessageContent ReadContent(const Statement& s, int first);

// The media row of message `id`, bytes included (read in place: `media` must outlive the call).
core::Result<void> InsertMedia(Connection& db, std::string_view id, const core::MediaHeader& media);

// The media of message `id`, without its bytes (they stay in the store: MediaBytes).
core::Result<void> ReadMedia(Connection& db, std::string_view id, core::MediaHeader& media);

}  // namespace socialgate::store::sqlite
