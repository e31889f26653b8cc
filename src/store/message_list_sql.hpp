// File: store/message_list_sql.hpp
//
// The message list's statement (Outbox::ListMessages), shared by both engines so that they
// filter and order alike: the checks made before any statement runs, the statement's text for
// each shape of query (which optional filters it has) in an engine's dialect, and a page made
// of the rows read.
//
// A page is a keyset page, never an OFFSET: `(created_at, id) < (after)` in the order of the
// index `messages_list` (domain, created_at DESC, id DESC; migration 7), LIMIT limit + 1 (the
// extra row says whether a next page exists). Each shape is one fixed text, so an engine
// prepares it once and reuses it like its other statements.
//
// The statement's parameters, numbered in this order (?N in SQLite, $N in PostgreSQL):
//   1 domain, 2 from (inclusive), 3 and 4 the upper bound (exclusive): ListPlan::before's
//   created_at_ms and id, then those of the shape's filters, in ListFilter's order: the statuses'
//   names (an array), the service phones allowed (an array), the service phone, the customer phone,
//   the template name; last the number of rows to read (ListPlan::rows).
// Arrays are a JSON array of strings in SQLite (string_array.hpp), a text[] in PostgreSQL.
//
// Thread safety: pure functions; ListMessagesSql's texts are built once, on first use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/records.hpp"

namespace socialgate::store {

// The optional filters of a query, as bits of its shape.
enum ListFilter : unsigned {
  kListStatuses = 1U << 0U,
  kListServicePhonesAllowed = 1U << 1U,
  kListServicePhone = 1U << 2U,
  kListCustomerPhone = 1U << 3U,
  kListTemplateName = 1U << 4U,
  // The statuses are `failed` alone: `status = 'failed'`, a literal, so that the partial index
  // messages_failed (migration 14) serves it. Failed messages are few, and a filter on a status
  // few messages have otherwise reads the domain's whole index for a page.
  kListFailedOnly = 1U << 5U,
};
inline constexpr unsigned kListShapes = 1U << 6U;

enum class ListDialect { kSqlite, kPostgres };

// What a query becomes before it runs: its shape and every parameter's value.
struct ListPlan {
  bool nothing = false;  // no message can match: answer an empty page without a statement
  unsigned shape = 0;
  std::string domain;
  std::int64_t from_ms = 0;
  // The list starts after this: the query's `after`, or its `to` (as (to_ms, ""): before every
  // message created at to_ms), whichever comes first. One bound, not two: given both
  // `created_at < to` and `(created_at, id) < after`, SQLite's planner chose the domain's index
  // over the customer's (messages_list_by_customer) and read every message of the domain.
  ListPosition before;
  std::vector<std::string> statuses;  // kListStatuses: their names
  std::vector<std::string> service_phones_allowed;
  std::string service_phone;
  std::string customer_phone;
  std::string template_name;
  std::int64_t rows = 0;  // limit + 1
};

// The plan of `query`: kInvalidArgument for a limit outside 1..kMaxMessageListLimit. A service
// phone the allowed ones leave out makes `nothing`; a service phone given among them is the
// filter alone (the allowed list adds nothing to it). Absent bounds are the widest ones.
core::Result<ListPlan> PlanListMessages(const MessageQuery& query);

// The statement of `shape` in `dialect`: SELECT `columns` FROM `from` WHERE ... ORDER BY ...
// LIMIT ...; `from` names the table `messages` (PostgreSQL's joins its media too), whose columns
// the conditions name unqualified. The text lives as long as the process (SQLite's statement
// cache keys by its address). `columns` and `from` must be the same on every call of a dialect.
const std::string& ListMessagesSql(unsigned shape, ListDialect dialect, std::string_view columns,
                                   std::string_view from);

// The page of the rows read for `plan` (at most plan.rows, in the list's order): the first
// plan.rows - 1, and `next` at the last of them when there was one more.
MessagePage MakePage(std::vector<StoredMessage> rows, const ListPlan& plan);

}  // namespace socialgate::store
