// File: store/postgres/conversation_statements.hpp
//
// The SQL of conversations in PostgreSQL (tables chats, inbound_messages, customer_windows): the
// statements store/conversation_table.hpp joins chats and applies inbound messages with, and
// the reads of store/conversations.hpp. The writes run on the committer's connection, inside its
// transaction; the reads on a reader of the pool.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/conversation_table.hpp"
#include "store/postgres/callback_statements.hpp"
#include "store/postgres/connection.hpp"
#include "store/write.hpp"

namespace socialgate::store::postgres {

class ConversationStatements final : public ConversationTable {
 public:
  // `callbacks`: the domains whose customers' messages become callbacks; none when null.
  explicit ConversationStatements(Connection& db, const CallbackDomains* callbacks = nullptr)
      : db_(db), callbacks_(callbacks) {}

  core::Result<std::optional<std::string>> ExtendOrOpenChat(const ChatRecord& candidate,
                                                            std::int64_t idle_ms) override;
  core::Result<void> EndIdleChat(std::string_view service_phone, std::string_view customer_phone,
                                 std::int64_t idle_ms) override;
  core::Result<std::optional<ChatRecord>> FindChat(std::string_view domain,
                                                   std::string_view chat_id) override;
  core::Result<void> EndChat(std::string_view chat_id, std::int64_t ended_at_ms,
                             std::string_view reason) override;
  core::Result<bool> HasInbound(std::string_view source, std::string_view id) override;
  core::Result<bool> InsertInbound(const InboundRecord& message) override;
  core::Result<void> ExtendWindow(std::string_view service_phone, std::string_view customer_phone,
                                  std::int64_t at_ms) override;
  core::Result<void> AddInboundCallback(const InboundRecord& message, std::int64_t now_ms) override;

 private:
  Connection& db_;
  const CallbackDomains* callbacks_;
};

// A message that joins the chat of its pair (JoinChats).
struct ChatJoin {
  std::string domain;
  std::string service_phone;
  std::string customer_phone;
  std::int64_t at_ms = 0;
};

// What JoinChat does for each of many messages, with one statement for all their pairs (and two
// more for each pair whose active chat is idle): the chat id of each, in order.
core::Result<std::vector<std::string>> JoinChats(Connection& db, const std::vector<ChatJoin>& joins,
                                                 std::int64_t idle_ms);

// Conversations' reads.
core::Result<std::optional<std::int64_t>> LastInboundAt(Connection& db,
                                                        std::string_view service_phone,
                                                        std::string_view customer_phone);
core::Result<std::optional<ChatRecord>> FindChatRow(Connection& db, std::string_view domain,
                                                    std::string_view chat_id);
core::Result<std::optional<ChatRecord>> ActiveChatRow(Connection& db,
                                                      std::string_view service_phone,
                                                      std::string_view customer_phone);
core::Result<std::vector<InboundRecord>> InboundMessages(Connection& db, std::string_view chat_id,
                                                         int limit);
// The inbound message with this seq; nullopt when there is none (erased).
core::Result<std::optional<InboundRecord>> InboundBySeq(Connection& db, std::int64_t seq);
core::Result<std::vector<StoredMessage>> ChatOutbound(Connection& db, std::string_view chat_id,
                                                      int limit);
// The rows as stored (an idle chat not shown ended: the caller does that).
core::Result<std::vector<ChatRecord>> CustomerChats(Connection& db, const ChatQuery& query);

// Conversations' media fetches (writes, on the committer) and an inbound media's read.
core::Result<Written> ClaimMediaFetches(Connection& db, const MediaFetchClaim& claim);
core::Result<Written> RecordMediaFetch(Connection& db, const MediaFetchOutcome& outcome);
// Conversations::EraseCustomer's write.
core::Result<Written> EraseCustomer(Connection& db, const CustomerErasure& erasure);
// Conversations::EraseContent's write.
core::Result<Written> EraseContent(Connection& db, const ContentErasure& erasure);

core::Result<std::optional<InboundMedia>> FindInboundMedia(Connection& db, std::string_view domain,
                                                           std::string_view id);

}  // namespace socialgate::store::postgres
