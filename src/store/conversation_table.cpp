#include "store/conversation_table.hpp"

#include <algorithm>
#include <cctype>

#include "util/ids.hpp"

namespace socialgate::store {

using core::Result;

std::string NewChatId(std::string_view domain) {
  std::string id = "CHAT_";
  for (const char c : domain) {
    id += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  id += '_';
  id += util::NewMessageId();
  return id;
}

Result<std::string> JoinChat(ConversationTable& table, std::string_view domain,
                             std::string_view service_phone, std::string_view customer_phone,
                             std::int64_t at_ms, std::int64_t idle_ms) {
  ChatRecord candidate;
  candidate.id = NewChatId(domain);
  candidate.domain = std::string(domain);
  candidate.service_phone = std::string(service_phone);
  candidate.customer_phone = std::string(customer_phone);
  candidate.opened_at_ms = at_ms;
  candidate.last_message_at_ms = at_ms;
  SG_ASSIGN_OR_RETURN(auto joined, table.ExtendOrOpenChat(candidate, idle_ms));
  if (joined) return std::move(*joined);
  // The active chat has been idle too long: it ends, and this message opens the next one.
  SG_RETURN_IF_ERROR(table.EndIdleChat(service_phone, customer_phone, idle_ms));
  SG_ASSIGN_OR_RETURN(joined, table.ExtendOrOpenChat(candidate, idle_ms));
  if (!joined) {
    return core::MakeError(core::ErrorCode::kInternal,
                           "a chat could not be opened after its idle predecessor ended");
  }
  return std::move(*joined);
}

Result<int> ApplyInbound(ConversationTable& table, const std::vector<InboundRecord>& inbound,
                         std::int64_t now_ms, std::int64_t idle_ms) {
  int stored = 0;
  for (const InboundRecord& message : inbound) {
    SG_ASSIGN_OR_RETURN(const bool repeat, table.HasInbound(message.source, message.id));
    if (repeat) continue;
    InboundRecord row = message;
    SG_ASSIGN_OR_RETURN(row.chat_id, JoinChat(table, row.domain, row.service_phone,
                                              row.customer_phone, row.at_ms, idle_ms));
    row.received_at_ms = now_ms;
    SG_ASSIGN_OR_RETURN(const bool inserted, table.InsertInbound(row));
    if (!inserted) continue;  // the same message, twice in one batch
    SG_RETURN_IF_ERROR(table.ExtendWindow(row.service_phone, row.customer_phone, row.at_ms));
    SG_RETURN_IF_ERROR(table.AddInboundCallback(row, now_ms));
    ++stored;
  }
  return stored;
}

void ShowIdleEnd(ChatRecord& chat, std::int64_t now_ms, std::int64_t idle_ms) {
  if (chat.ended_at_ms == 0 && chat.last_message_at_ms + idle_ms <= now_ms) {
    chat.ended_at_ms = chat.last_message_at_ms + idle_ms;
    chat.end_reason = "idle";
  }
}

std::optional<ChatRecord> ActiveAsOf(std::optional<ChatRecord> row, std::int64_t now_ms,
                                     std::int64_t idle_ms) {
  if (!row || row->ended_at_ms != 0 || row->last_message_at_ms + idle_ms <= now_ms) {
    return std::nullopt;
  }
  return row;
}

Result<Written> EndChatWrite(ConversationTable& table, const ChatEnd& end, std::int64_t idle_ms) {
  Written written;
  SG_ASSIGN_OR_RETURN(auto chat, table.FindChat(end.domain, end.chat_id));
  if (!chat) {
    written.changed = static_cast<int>(ChatEndOutcome::kNotFound);
    return written;
  }
  if (!chat->active()) {
    written.changed = static_cast<int>(ChatEndOutcome::kAlreadyEnded);
    return written;
  }
  if (chat->last_message_at_ms + idle_ms <= end.now_ms) {
    // Ended by idleness already (as every read shows it): recorded so now.
    SG_RETURN_IF_ERROR(table.EndIdleChat(chat->service_phone, chat->customer_phone, idle_ms));
    written.changed = static_cast<int>(ChatEndOutcome::kAlreadyEnded);
    return written;
  }
  SG_RETURN_IF_ERROR(
      table.EndChat(end.chat_id, std::max(end.now_ms, chat->opened_at_ms), end.reason));
  written.changed = static_cast<int>(ChatEndOutcome::kEnded);
  return written;
}

}  // namespace socialgate::store
