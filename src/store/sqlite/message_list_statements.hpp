// File: store/sqlite/message_list_statements.hpp
//
// The message list in SQLite (Outbox::ListMessages): one statement per shape of query
// (store/message_list_sql.hpp), over the index messages_list and its siblings (migration 7).
// A read: it needs the connection's mutex held, as Get does.
#pragma once

#include "core/error.hpp"
#include "store/records.hpp"
#include "store/sqlite/connection.hpp"

namespace socialgate::store::sqlite {

core::Result<MessagePage> ListMessages(Connection& db, const MessageQuery& query);

}  // namespace socialgate::store::sqlite
