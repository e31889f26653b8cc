// File: store/conversation_table.hpp
//
// How chats are joined and inbound messages applied (store/conversations.hpp), for any engine:
// the engine gives the few statements over its tables (chats, inbound_messages,
// customer_windows) and these functions decide, inside the committer's transaction, whether a
// message extends the active chat or opens a new one, and whether an inbound message is a
// repeat.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/conversations.hpp"
#include "store/write.hpp"

namespace socialgate::store {

// An engine's statements, each run in the open transaction.
class ConversationTable {
 public:
  virtual ~ConversationTable() = default;
  ConversationTable() = default;
  ConversationTable(const ConversationTable&) = delete;
  ConversationTable& operator=(const ConversationTable&) = delete;
  ConversationTable(ConversationTable&&) = delete;
  ConversationTable& operator=(ConversationTable&&) = delete;

  // `candidate` opens the chat of its (service_phone, customer_phone) when the pair has no
  // active chat row; an active one whose last message is less than `idle_ms` before the
  // candidate's last_message_at_ms is extended to it (the later of the two) instead. Returns
  // the id of the chat the message joined, or nullopt when the active row is idle (nothing
  // changed): EndIdleChat, then this again.
  virtual core::Result<std::optional<std::string>> ExtendOrOpenChat(const ChatRecord& candidate,
                                                                    std::int64_t idle_ms) = 0;
  // Ends the pair's active chat row, at last_message_at + idle_ms with the reason "idle".
  virtual core::Result<void> EndIdleChat(std::string_view service_phone,
                                         std::string_view customer_phone, std::int64_t idle_ms) = 0;
  // The domain's chat row with this id (locked for the transaction), as stored.
  virtual core::Result<std::optional<ChatRecord>> FindChat(std::string_view domain,
                                                           std::string_view chat_id) = 0;
  // Ends an active chat row.
  virtual core::Result<void> EndChat(std::string_view chat_id, std::int64_t ended_at_ms,
                                     std::string_view reason) = 0;

  virtual core::Result<bool> HasInbound(std::string_view source, std::string_view id) = 0;
  // Stores the message (its chat_id and received_at_ms set); false when (source, id) is stored
  // already, nothing changed.
  virtual core::Result<bool> InsertInbound(const InboundRecord& message) = 0;
  // The message.received callback of a stored message (its seq set), when its domain has
  // callbacks (store/callbacks.hpp).
  virtual core::Result<void> AddInboundCallback(const InboundRecord& message,
                                                std::int64_t now_ms) = 0;
  // last_inbound_at of the pair becomes the later of the stored one and at_ms.
  virtual core::Result<void> ExtendWindow(std::string_view service_phone,
                                          std::string_view customer_phone, std::int64_t at_ms) = 0;
};

// A new chat id: CHAT_<DOMAIN>_<uuid>, the domain upper-cased as CTLive writes it.
std::string NewChatId(std::string_view domain);

// The chat a message of (domain, service, customer) at at_ms joins: the active one, or a new
// one when there is none or it has been idle for idle_ms (which is then ended).
core::Result<std::string> JoinChat(ConversationTable& table, std::string_view domain,
                                   std::string_view service_phone, std::string_view customer_phone,
                                   std::int64_t at_ms, std::int64_t idle_ms);

// Applies a webhook's inbound messages: each one not stored yet joins its chat, extends its
// window, is stored and becomes a callback. How many were new.
core::Result<int> ApplyInbound(ConversationTable& table, const std::vector<InboundRecord>& inbound,
                               std::int64_t now_ms, std::int64_t idle_ms);

// A chat as of now_ms: an active row whose last message is idle_ms old or older is shown ended
// at last_message_at + idle_ms, with the reason "idle".
void ShowIdleEnd(ChatRecord& chat, std::int64_t now_ms, std::int64_t idle_ms);
// The active row of a pair as of now_ms: nullopt when there is none or it is idle.
std::optional<ChatRecord> ActiveAsOf(std::optional<ChatRecord> row, std::int64_t now_ms,
                                     std::int64_t idle_ms);

// Conversations::EndChat's write: Written::changed is the ChatEndOutcome, as an int.
core::Result<Written> EndChatWrite(ConversationTable& table, const ChatEnd& end,
                                   std::int64_t idle_ms);

}  // namespace socialgate::store
