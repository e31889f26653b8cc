#include "store/postgres/message_list_statements.hpp"

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "store/message_list_sql.hpp"
#include "store/postgres/outbox_statements.hpp"

namespace socialgate::store::postgres {
namespace {

// Each shape's statement, named list_messages_<shape> on every connection.
const Sql& ListSql(unsigned shape) {
  static const std::array<std::string, kListShapes> names = [] {
    std::array<std::string, kListShapes> out;
    for (unsigned s = 0; s < kListShapes; ++s) out[s] = "list_messages_" + std::to_string(s);
    return out;
  }();
  static const std::array<Sql, kListShapes> statements = [] {
    const std::string columns = MessageColumns();
    std::array<Sql, kListShapes> out;
    for (unsigned s = 0; s < kListShapes; ++s) {
      out[s] =
          Sql{names[s].c_str(),
              ListMessagesSql(s, ListDialect::kPostgres, columns,
                              "messages m LEFT JOIN message_media mm ON mm.message_id = m.id")};
    }
    return out;
  }();
  return statements.at(shape);
}

}  // namespace

core::Result<MessagePage> ListMessages(Connection& db, const MessageQuery& query) {
  SG_ASSIGN_OR_RETURN(const ListPlan plan, PlanListMessages(query));
  if (plan.nothing) return MessagePage{};
  // In the order of store/message_list_sql.hpp.
  Params p;
  p.Text(plan.domain).Int(plan.from_ms).Int(plan.before.created_at_ms).Text(plan.before.id);
  if ((plan.shape & kListStatuses) != 0) p.TextArray(plan.statuses);
  if ((plan.shape & kListServicePhonesAllowed) != 0) p.TextArray(plan.service_phones_allowed);
  if ((plan.shape & kListServicePhone) != 0) p.Text(plan.service_phone);
  if ((plan.shape & kListCustomerPhone) != 0) p.Text(plan.customer_phone);
  if ((plan.shape & kListTemplateName) != 0) p.Text(plan.template_name);
  p.Int(plan.rows);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(ListSql(plan.shape), p));
  std::vector<StoredMessage> messages;
  messages.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    SG_ASSIGN_OR_RETURN(StoredMessage m, ReadMessageRow(rows, i));
    messages.push_back(std::move(m));
  }
  return MakePage(std::move(messages), plan);
}

}  // namespace socialgate::store::postgres
