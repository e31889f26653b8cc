// File: store/sqlite/message_content.hpp
//
// Where a message's content lives in SQLite: the one place that maps each kind of
// core::MessageContent to the columns of `messages` (and its media to `message_media`) and
// back. Every other statement names the content's columns only through kContentColumns.
//
// The columns: the template's (migration 1: template_name, language, header_params, body_params,
// url_params as JSON arrays, string_array.hpp; has_media), and since migration 11 `kind`
// (core::MessageKindName: template, text, media; 'template' for every older row) and `text`.
//   template: its columns; its media header, if any, a `message_media` row (has_media 1)
//   text:     `text`; the template's columns '' and '[]', has_media 0
//   media:    its file a `message_media` row (has_media 1), as a template's header; the
//             template's columns '' and '[]'
// A new kind needs a migration for its columns (migrations.cpp, on both engines), its branch in
// BindContent (which does not compile until it has one) and its reading in ReadContent.
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
    "template_name, language, header_params, body_params, url_params, has_media, kind, text";
inline constexpr const char* kContentPlaceholders = "?,?,?,?,?,?,?,?";

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
