#include "store/message_list_sql.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <tuple>
#include <utility>

namespace socialgate::store {
namespace {

// Parameter `n` in the dialect's syntax.
std::string Param(ListDialect dialect, int n) {
  return (dialect == ListDialect::kSqlite ? "?" : "$") + std::to_string(n);
}

// `column` is one of the array parameter `n`'s strings.
std::string InArray(ListDialect dialect, std::string_view column, int n) {
  if (dialect == ListDialect::kSqlite) {
    return std::string(column) + " IN (SELECT value FROM json_each(" + Param(dialect, n) + "))";
  }
  return std::string(column) + " = ANY(" + Param(dialect, n) + "::text[])";
}

std::string BuildSql(unsigned shape, ListDialect dialect, std::string_view columns,
                     std::string_view from) {
  // PostgreSQL compares ids byte by byte as SQLite does (and as its index messages_list
  // orders them), whatever the database's collation: both engines list in one order.
  const std::string id = dialect == ListDialect::kSqlite ? "id" : "id COLLATE \"C\"";
  const auto p = [dialect](int n) { return Param(dialect, n); };
  std::string sql = "SELECT " + std::string(columns) + " FROM " + std::string(from) +
                    " WHERE domain = " + p(1) + " AND created_at >= " + p(2) +
                    " AND (created_at, " + id + ") < (" + p(3) + ", " + p(4) + ")";
  int n = 5;
  if ((shape & kListStatuses) != 0) sql += " AND " + InArray(dialect, "status", n++);
  if ((shape & kListFailedOnly) != 0) sql += " AND status = 'failed'";
  if ((shape & kListServicePhonesAllowed) != 0) {
    sql += " AND " + InArray(dialect, "service_phone", n++);
  }
  if ((shape & kListServicePhone) != 0) sql += " AND service_phone = " + p(n++);
  if ((shape & kListCustomerPhone) != 0) sql += " AND customer_phone = " + p(n++);
  if ((shape & kListTemplateName) != 0) sql += " AND template_name = " + p(n++);
  sql += " ORDER BY created_at DESC, " + id + " DESC LIMIT " + p(n);
  return sql;
}

using Texts = std::array<std::string, kListShapes>;

Texts BuildAll(ListDialect dialect, std::string_view columns, std::string_view from) {
  Texts texts;
  for (unsigned shape = 0; shape < kListShapes; ++shape) {
    texts[shape] = BuildSql(shape, dialect, columns, from);
  }
  return texts;
}

}  // namespace

core::Result<ListPlan> PlanListMessages(const MessageQuery& query) {
  if (query.limit < 1 || query.limit > kMaxMessageListLimit) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "limit: must be from 1 to " + std::to_string(kMaxMessageListLimit) +
                               ", got " + std::to_string(query.limit));
  }
  ListPlan plan;
  plan.domain = query.domain;
  plan.from_ms = query.from_ms.value_or(std::numeric_limits<std::int64_t>::min());
  // Every id sorts after "": (to_ms, "") comes before every message created at to_ms, and
  // (the largest time there is, "") after every message there is.
  plan.before = ListPosition{query.to_ms.value_or(std::numeric_limits<std::int64_t>::max()), ""};
  if (query.after && std::tie(query.after->created_at_ms, query.after->id) <
                         std::tie(plan.before.created_at_ms, plan.before.id)) {
    plan.before = *query.after;
  }
  plan.rows = query.limit + 1;
  if (!query.statuses.empty() &&
      std::all_of(query.statuses.begin(), query.statuses.end(),
                  [](core::MessageStatus s) { return s == core::MessageStatus::kFailed; })) {
    plan.shape |= kListFailedOnly;
  } else if (!query.statuses.empty()) {
    plan.shape |= kListStatuses;
    for (const auto status : query.statuses) {
      plan.statuses.emplace_back(core::MessageStatusName(status));
    }
  }
  const auto& allowed = query.service_phones_allowed;
  if (!query.service_phone.empty()) {
    if (!allowed.empty() &&
        std::find(allowed.begin(), allowed.end(), query.service_phone) == allowed.end()) {
      plan.nothing = true;
    }
    plan.shape |= kListServicePhone;
    plan.service_phone = query.service_phone;
  } else if (!allowed.empty()) {
    plan.shape |= kListServicePhonesAllowed;
    plan.service_phones_allowed = allowed;
  }
  if (!query.customer_phone.empty()) {
    plan.shape |= kListCustomerPhone;
    plan.customer_phone = query.customer_phone;
  }
  if (!query.template_name.empty()) {
    plan.shape |= kListTemplateName;
    plan.template_name = query.template_name;
  }
  return plan;
}

const std::string& ListMessagesSql(unsigned shape, ListDialect dialect, std::string_view columns,
                                   std::string_view from) {
  if (dialect == ListDialect::kSqlite) {
    static const Texts sqlite = BuildAll(ListDialect::kSqlite, columns, from);
    return sqlite.at(shape);
  }
  static const Texts postgres = BuildAll(ListDialect::kPostgres, columns, from);
  return postgres.at(shape);
}

MessagePage MakePage(std::vector<StoredMessage> rows, const ListPlan& plan) {
  MessagePage page;
  if (static_cast<std::int64_t>(rows.size()) >= plan.rows) {
    rows.resize(static_cast<std::size_t>(plan.rows - 1));
    page.next = ListPosition{rows.back().created_at_ms, rows.back().id};
  }
  page.messages = std::move(rows);
  return page;
}

}  // namespace socialgate::store
