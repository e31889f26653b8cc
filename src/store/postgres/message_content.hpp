// File: store/postgres/message_content.hpp
//
// Where a message's content lives in PostgreSQL: the one place that maps each kind of
// core::MessageContent to the columns of `messages` (and its media to `message_media`) and
// back, as store/sqlite/message_content.hpp does for SQLite (the same columns: migrations 1 and
// 11 of both engines; each kind's use of them is described there). Every other statement names
// the content's columns only through kContentColumns, and the media's through kMediaColumns. A
// new kind needs a migration for its columns on both engines, its branch in BindContent and
// ContentValues (which do not compile until they have one) and its reading in ReadContent.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/message.hpp"
#include "store/postgres/connection.hpp"

namespace socialgate::store::postgres {

// The content's columns of `messages`, in the order BindContent adds them and ReadContent reads
// them: kContentColumnCount of them.
inline constexpr std::string_view kContentColumns =
    "template_name, language, header_params, body_params, url_params, has_media, kind, text";
inline constexpr int kContentColumnCount = 8;
// Their PostgreSQL types, in the same order (for casts of array parameters).
inline constexpr std::array<std::string_view, kContentColumnCount> kContentColumnTypes = {
    "text", "text", "text", "text", "text", "bool", "text", "text"};

// The media's metadata columns of `message_media` (as `mm`), read by ReadMedia.
inline constexpr std::string_view kMediaColumns =
    "mm.kind, mm.mime_type, mm.document_type, mm.file_name";

// Adds the content's columns to `params`, in kContentColumns' order.
void BindContent(Params& params, const core::MessageContent& content);

// The content's columns as text (a bool as "t" or "f"), in kContentColumns' order: one row of
// a many-row insert, whose parameters are one array per column.
std::array<std::string, kContentColumnCount> ContentValues(const core::MessageContent& content);

// The content of row `row`, whose kContentColumns start at column `first`. Its media, if
// it has any, is present but empty: ReadMedia fills it.
core::MessageContent ReadContent(const Rows& rows, int row, int first);

// Fills `message`'s media, if it has any, from kMediaColumns starting at column `first` (not
// its bytes: they stay in the store, Outbox::MediaBytes).
void ReadMedia(const Rows& rows, int row, int first, core::OutboundMessage& message);

// Stores the media row of message `id`, bytes included (read in place).
core::Result<void> InsertMedia(Connection& db, std::string_view id, const core::MediaHeader& media);

}  // namespace socialgate::store::postgres
