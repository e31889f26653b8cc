#include "store/sqlite/message_list_statements.hpp"

#include <string>
#include <utility>
#include <vector>

#include "store/message_list_sql.hpp"
#include "store/sqlite/outbox_statements.hpp"
#include "store/string_array.hpp"

namespace socialgate::store::sqlite {

core::Result<MessagePage> ListMessages(Connection& db, const MessageQuery& query) {
  SG_ASSIGN_OR_RETURN(const ListPlan plan, PlanListMessages(query));
  if (plan.nothing) return MessagePage{};
  const std::string& sql =
      ListMessagesSql(plan.shape, ListDialect::kSqlite, kMessageColumns, "messages");
  SG_ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql.c_str()));
  std::vector<StoredMessage> rows;
  {
    Statement s(stmt);
    // In the order of store/message_list_sql.hpp.
    s.Bind(plan.domain).Bind(plan.from_ms).Bind(plan.before.created_at_ms).Bind(plan.before.id);
    if ((plan.shape & kListStatuses) != 0) s.Bind(EncodeStringArray(plan.statuses));
    if ((plan.shape & kListServicePhonesAllowed) != 0) {
      s.Bind(EncodeStringArray(plan.service_phones_allowed));
    }
    if ((plan.shape & kListServicePhone) != 0) s.Bind(plan.service_phone);
    if ((plan.shape & kListCustomerPhone) != 0) s.Bind(plan.customer_phone);
    if ((plan.shape & kListTemplateName) != 0) s.Bind(plan.template_name);
    s.Bind(plan.rows);
    int rc = 0;
    while ((rc = s.Step()) == SQLITE_ROW) {
      SG_ASSIGN_OR_RETURN(StoredMessage m, ReadMessageRow(s));
      rows.push_back(std::move(m));
    }
    if (rc != SQLITE_DONE) return tl::unexpected(db.Error("list messages"));
  }
  MessagePage page = MakePage(std::move(rows), plan);
  // Once the list's statement is reset: the media's metadata is another statement.
  for (auto& m : page.messages) SG_RETURN_IF_ERROR(ReadMessageMedia(db, m));
  return page;
}

}  // namespace socialgate::store::sqlite
