// File: store/postgres/message_list_statements.hpp
//
// The message list in PostgreSQL (Outbox::ListMessages): one prepared statement per shape of
// query (store/message_list_sql.hpp), over the index messages_list and its siblings (migration
// 7), as store/sqlite/message_list_statements.hpp does for SQLite. A read: it runs on a
// connection of the read pool, as Get does.
#pragma once

#include "core/error.hpp"
#include "store/postgres/connection.hpp"
#include "store/records.hpp"

namespace socialgate::store::postgres {

core::Result<MessagePage> ListMessages(Connection& db, const MessageQuery& query);

}  // namespace socialgate::store::postgres
