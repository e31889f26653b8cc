// File: store/conversations.hpp
//
// The two-way conversation (issue 19): the customers' inbound messages, the 24-hour
// customer-service window they open, and chats, the threads of one customer with one business
// number as CTLive names them (`CHAT_<DOMAIN>_<uuid>`).
//
// Inbound messages come in Meta's webhooks: the intake hands them to the store with the event's
// status reports (WebhookApplication::inbound, delivery_statuses.hpp), and the store applies
// them in the same commit that marks the event applied (store/conversation_table.hpp):
//   - an inbound message is stored once per (source, id): a repeat changes nothing;
//   - it opens or extends the window of (business number, customer): last_inbound_at becomes the
//     latest of the stored one and the message's at_ms;
//   - it joins the customer's active chat with that number, or opens one. A chat ends when
//     EndChat ends it, or once its last message is `chat_idle_ms` old (SetChatIdleTimeout): it is
//     then shown as ended at last_message_at + chat_idle_ms with the reason "idle", and the next
//     message either way opens a new chat.
// Outbound messages join chats the same way when they are inserted (Outbox::InsertAsync; the
// chat is StoredMessage::chat_id): the first message either way opens the chat.
//
// Thread safety: every method may be called from any thread, but SetChatIdleTimeout, which must
// be called before any write; the reads may block on I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/validate.hpp"
#include "store/records.hpp"

namespace socialgate::store {

// One inbound message, as a provider reported it (webhooks/meta_notification.hpp reads Meta's).
struct InboundRecord {
  std::string id;              // the provider's id of the message (Meta's wamid)
  std::string source;          // "meta", "sandbox"
  std::string domain;          // the domain of the business number (set by routing)
  std::string service_phone;   // the business number it was sent to (set by routing)
  std::string customer_phone;  // who sent it: E.164 digits (Meta's `from`)
  std::string customer_name;   // the sender's profile name, "" when not given
  std::int64_t at_ms = 0;      // when the customer sent it (the provider's timestamp)
  // text, image, video, audio, document, sticker, location, contacts, button, interactive,
  // reaction, system, unsupported, ... (Meta's `type`, kept as given)
  std::string type;
  std::string text;        // what it says: the text, a caption, a button's or reply's title, ...
  std::string media_id;    // the provider's media id, "" without media
  std::string mime_type;   // of the media
  std::string file_name;   // a document's
  std::string context_id;  // the id of the message it replies to (or reacts to), "" for none
  std::string payload;     // the type's own object as JSON (bounded), for the transcripts
  // Set by the store when read back:
  std::string chat_id;              // the chat it joined
  std::int64_t received_at_ms = 0;  // when the gateway applied it
  std::int64_t seq = 0;             // the order in which the store applied inbound messages
};

// A chat: one customer and one business number of a domain, from its first message to its end.
struct ChatRecord {
  std::string id;  // CHAT_<DOMAIN>_<uuid>, the domain upper-cased as CTLive writes it
  std::string domain;
  std::string service_phone;
  std::string customer_phone;
  std::int64_t opened_at_ms = 0;
  std::int64_t last_message_at_ms = 0;
  std::int64_t ended_at_ms = 0;  // 0 while active
  std::string end_reason;        // EndChat's reason, or "idle"

  bool active() const { return ended_at_ms == 0; }
};

// A chat is ended after this long without a message either way, unless SetChatIdleTimeout
// says otherwise.
inline constexpr std::int64_t kDefaultChatIdleMs = 24LL * 3600 * 1000;

// The 24-hour customer-service window: free-form messages may be sent to a customer this long
// after the customer's last message to the business number (Meta's rule).
inline constexpr std::int64_t kCustomerWindowMs = 24LL * 3600 * 1000;

// The longest chat id and end reason EndChat takes.
inline constexpr std::size_t kMaxChatIdBytes = core::kMaxChatIdLength;
inline constexpr std::size_t kMaxChatEndReasonBytes = 1024;

// Conversations::EndChat.
struct ChatEnd {
  std::string domain;
  std::string chat_id;
  std::string reason;  // as the caller gave it, kept with the chat
  std::int64_t now_ms = 0;
};

// How EndChat went.
enum class ChatEndOutcome {
  kEnded,         // it was active and is ended now
  kAlreadyEnded,  // it had ended (by EndChat or idle): nothing changed
  kNotFound,      // no such chat in the domain
};

// The most messages one read of a chat returns, each way (Conversations::InboundMessages,
// ChatOutbound).
inline constexpr int kMaxInboundListLimit = 1000;

// Which chats Conversations::CustomerChats lists: the domain's with the customer, opened at or
// after opened_since_ms, newest first.
struct ChatQuery {
  std::string domain;
  std::string customer_phone;
  std::string service_phone;  // "": any of the domain's numbers
  std::int64_t opened_since_ms = 0;
  int limit = 100;          // 1..kMaxChatListLimit
  std::int64_t now_ms = 0;  // the chats as of then (idle ones shown ended)
};
inline constexpr int kMaxChatListLimit = 1000;

// An inbound message's media to fetch from its provider (Conversations::ClaimMediaFetchesAsync).
struct MediaFetch {
  std::int64_t seq = 0;  // the inbound message's
  std::string source;
  std::string service_phone;
  std::string media_id;
  std::string mime_type;  // as the webhook said
  int attempts = 0;       // this one included
  std::int64_t received_at_ms = 0;
};

struct MediaFetchClaim {
  std::int64_t now_ms = 0;
  std::int64_t lease_ms = 0;  // the claimed are not due again before now_ms + lease_ms
  int limit = 0;
};

// How a fetch ended (Conversations::RecordMediaFetchAsync). Only a pending media is changed.
struct MediaFetchOutcome {
  enum class Kind {
    kFetched,  // `bytes` are the media's: stored, the media is `fetched`
    kRetry,    // tried again at next_attempt_at_ms; `error` says what happened
    kFailed,   // given up: the media is `failed`, `error` says why
  };
  Kind kind = Kind::kRetry;
  std::int64_t seq = 0;
  std::string bytes;
  std::int64_t next_attempt_at_ms = 0;
  std::string error;
};

// Conversations::EraseCustomer: everything of one customer in one domain.
struct CustomerErasure {
  std::string domain;
  std::string customer_phone;
};

// Conversations::EraseContent: a domain's content retention, one batch.
struct ContentErasure {
  std::string domain;
  std::int64_t before_ms = 0;  // messages stored (sent ones) or received before this
  int limit = 500;             // messages each way, at most
};

// Conversations::DeleteOldMessages: a domain's message retention, one batch.
struct MessageDeletion {
  std::string domain;
  std::int64_t before_ms = 0;  // messages stored (sent ones) or received before this
  int limit = 500;             // messages each way, at most
};

// What a message retention batch deleted.
struct MessagesDeleted {
  int messages = 0;  // sent (with their history, media, idempotency keys and callbacks)
  int inbound = 0;   // received (with their media and callbacks)
  int chats = 0;     // chats none of whose messages was left
};

// What an erasure deleted.
struct CustomerErased {
  int messages = 0;  // sent to the customer (with their history, media and callbacks)
  int inbound = 0;   // from the customer (with their media and callbacks)
  int chats = 0;
  int webhook_events = 0;  // applied events whose body names the customer
};

// An inbound message with its media as stored (Conversations::FindInboundMedia).
struct InboundMedia {
  InboundRecord message;
  std::string state;  // pending, fetched, failed
  std::string error;  // the last attempt's, or why it was given up
  std::string bytes;  // when fetched
};

class Conversations {
 public:
  virtual ~Conversations() = default;
  Conversations() = default;
  Conversations(const Conversations&) = delete;
  Conversations& operator=(const Conversations&) = delete;
  Conversations(Conversations&&) = delete;
  Conversations& operator=(Conversations&&) = delete;

  // How long a chat lives without a message; kDefaultChatIdleMs until this is called. Call it
  // once, before any write.
  virtual void SetChatIdleTimeout(std::int64_t idle_ms) = 0;

  // When the customer last wrote to the business number (Unix ms); nullopt when never (or
  // since an erase).
  virtual core::Result<std::optional<std::int64_t>> LastInboundAt(
      std::string_view service_phone, std::string_view customer_phone) = 0;

  // The chat with this id in `domain` as of now_ms (an idle one shown ended); nullopt when the
  // domain has no such chat.
  virtual core::Result<std::optional<ChatRecord>> FindChat(std::string_view domain,
                                                           std::string_view chat_id,
                                                           std::int64_t now_ms) = 0;

  // The customer's chat with the business number that is active at now_ms; nullopt when none.
  virtual core::Result<std::optional<ChatRecord>> ActiveChat(std::string_view service_phone,
                                                             std::string_view customer_phone,
                                                             std::int64_t now_ms) = 0;

  // Ends an active chat of the domain, recording the reason. Waits for the commit.
  virtual core::Result<ChatEndOutcome> EndChat(const ChatEnd& end) = 0;

  // Up to `limit` (1..kMaxInboundListLimit) inbound messages of a chat, in the order they were
  // applied.
  virtual core::Result<std::vector<InboundRecord>> InboundMessages(std::string_view chat_id,
                                                                   int limit) = 0;

  // Up to `limit` (1..kMaxInboundListLimit) outbound messages of a chat, oldest first, without
  // their history; a media message's media with its metadata, not its bytes.
  virtual core::Result<std::vector<StoredMessage>> ChatOutbound(std::string_view chat_id,
                                                                int limit) = 0;

  // The chats `query` names, newest first (opened_at, then id, descending).
  virtual core::Result<std::vector<ChatRecord>> CustomerChats(const ChatQuery& query) = 0;

  // Claims up to claim.limit pending media due by claim.now_ms, oldest due first, counting an
  // attempt of each and making it due again after the lease (a fetcher that stops mid-way
  // leaves it to the next claim). Always queued.
  virtual void ClaimMediaFetchesAsync(
      MediaFetchClaim claim, std::function<void(core::Result<std::vector<MediaFetch>>)> done) = 0;
  // Records how a claimed fetch ended. Always queued.
  virtual void RecordMediaFetchAsync(MediaFetchOutcome outcome,
                                     std::function<void(core::Result<void>)> done) = 0;
  // Deletes everything the domain holds of the customer, as a GDPR erasure request asks: the
  // messages sent to them (with their history, media, idempotency keys and callbacks), their
  // messages (with their media and callbacks), their chats and windows with the domain's
  // numbers, and the applied webhook events whose body names their number (of any domain: an
  // event is not a domain's). A message being sent at that moment has its outcome refused (its
  // lease is gone). Waits for the commit.
  virtual core::Result<CustomerErased> EraseCustomer(const CustomerErasure& erasure) = 0;

  // Empties what up to erasure.limit messages each way of the domain said, oldest first, once
  // stored (sent) or received before erasure.before_ms: the text and template parameters of a
  // sent message that is no longer waiting to be sent (accepted or later) and its file's bytes;
  // a customer's text, name, payload and media bytes. Their metadata stays (ids, numbers, times,
  // statuses, kinds, file names). How many messages it emptied; fewer than 2 * limit when it is
  // done for now.
  virtual core::Result<int> EraseContent(const ContentErasure& erasure) = 0;

  // Deletes up to deletion.limit messages each way of the domain, oldest first, that were stored
  // (sent ones) or received before deletion.before_ms and are final:
  //   - a sent message that is no longer waiting to be sent (neither queued, which includes one
  //     waiting for a retry or for its scheduled time, nor being sent), with its status history,
  //     media, idempotency key, held status reports and callbacks;
  //   - a received message whose media is not waiting to be fetched, with its media and callback;
  // neither while a callback of it is still waiting to be delivered. Then each chat of those
  // messages none of whose messages either way is left, and whose last message is older than
  // before_ms. The customers' 24-hour windows are kept (one row per customer and number).
  // Fewer than deletion.limit each way when it is done for now.
  virtual core::Result<MessagesDeleted> DeleteOldMessages(const MessageDeletion& deletion) = 0;

  // The domain's inbound message with this provider id and its media (bytes once fetched);
  // nullopt when there is none, or it has no media.
  virtual core::Result<std::optional<InboundMedia>> FindInboundMedia(std::string_view domain,
                                                                     std::string_view id) = 0;
};

}  // namespace socialgate::store
