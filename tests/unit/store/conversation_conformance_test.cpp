// The conformance suite's part on conversations (store/conversations.hpp): inbound messages
// stored once per id in the webhook's commit, the 24-hour window they open and extend, and chats
// joined by messages either way, ended by EndChat or by idleness, with a new one opened by the
// next message; outbound messages join chats alone and in one batch (PostgreSQL's many-row
// insert). On every engine. The fixture and the engines: storage_conformance.hpp.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/storage_conformance.hpp"
#include "support/held_committer.hpp"

namespace socialgate::store {
namespace {

using testing::Answer;
using testing::ApplyWebhook;
using testing::ClaimDue;
using testing::Insert;
using testing::MarkAccepted;
using testing::ReceiveWebhook;

constexpr std::int64_t kIdle = 3'600'000;  // an hour
constexpr const char* kService = "3902124122690";
constexpr const char* kCustomer = "393403603062";

InboundRecord Inbound(const std::string& id, std::int64_t at_ms,
                      const std::string& customer = kCustomer) {
  InboundRecord m;
  m.id = id;
  m.source = "meta";
  m.domain = "default";
  m.service_phone = kService;
  m.customer_phone = customer;
  m.customer_name = "Griffin";
  m.at_ms = at_ms;
  m.type = "text";
  m.text = "where is my parcel? \xF0\x9F\x93\xA6 'quoted' \"twice\"";
  m.context_id = "wamid.earlier";
  m.payload = "{\"body\":\"where is my parcel?\"}";
  return m;
}

class ConversationConformance : public StorageConformanceTest {
 protected:
  void SetUp() override {
    StorageConformanceTest::SetUp();
    conversations().SetChatIdleTimeout(kIdle);
  }
  Conversations& conversations() { return storage_->conversations(); }

  // Applies `inbound` as the messages of one webhook event, at now_ms.
  WebhookApplied Receive(std::vector<InboundRecord> inbound, std::int64_t now_ms) {
    WebhookApplication a;
    a.event_id = "event-" + std::to_string(++events_);
    a.now_ms = now_ms;
    a.hold_until_ms = now_ms + 3'600'000;
    a.inbound = std::move(inbound);
    auto applied = ApplyWebhook(delivery_statuses(), std::move(a));
    EXPECT_TRUE(applied) << (applied ? "" : applied.error().detail);
    return applied ? *applied : WebhookApplied{};
  }
  // An outbound message to kCustomer at now_ms; its chat id.
  std::string Send(const std::string& id, std::int64_t now_ms) {
    NewMessage m = Sample(id);
    m.now_ms = now_ms;
    EXPECT_TRUE(Insert(outbox(), m)) << id;
    auto got = outbox().Get("default", id);
    EXPECT_TRUE(got && got->has_value()) << id;
    return got && got->has_value() ? (*got)->chat_id : "";
  }
  std::optional<ChatRecord> Active(std::int64_t now_ms) {
    auto chat = conversations().ActiveChat(kService, kCustomer, now_ms);
    EXPECT_TRUE(chat) << (chat ? "" : chat.error().detail);
    return chat ? *chat : std::nullopt;
  }

  int events_ = 0;
};

TEST_P(ConversationConformance, AnInboundMessageIsStoredOnceAndOpensTheWindow) {
  EXPECT_FALSE(*conversations().LastInboundAt(kService, kCustomer));
  EXPECT_EQ(Receive({Inbound("wamid.1", kNow)}, kNow + 5).inbound, 1);
  // The same message again (Meta repeats a webhook it thinks was lost): nothing changes.
  EXPECT_EQ(Receive({Inbound("wamid.1", kNow)}, kNow + 9).inbound, 0);
  if (Persists()) {
    Open();
    conversations().SetChatIdleTimeout(kIdle);
  }
  EXPECT_EQ(*conversations().LastInboundAt(kService, kCustomer), kNow);
  EXPECT_FALSE(*conversations().LastInboundAt(kService, "447700900123")) << "another customer";
  EXPECT_FALSE(*conversations().LastInboundAt("3902124122691", kCustomer)) << "another number";
  auto chat = Active(kNow + 10);
  ASSERT_TRUE(chat);
  EXPECT_EQ(chat->id.rfind("CHAT_DEFAULT_", 0), 0u) << chat->id;
  EXPECT_EQ(chat->domain, "default");
  EXPECT_EQ(chat->opened_at_ms, kNow);
  auto stored = conversations().InboundMessages(chat->id, 10);
  ASSERT_TRUE(stored) << stored.error().detail;
  ASSERT_EQ(stored->size(), 1u);
  const InboundRecord expected = Inbound("wamid.1", kNow);
  const InboundRecord& got = (*stored)[0];
  EXPECT_EQ(got.id, expected.id);
  EXPECT_EQ(got.source, "meta");
  EXPECT_EQ(got.domain, "default");
  EXPECT_EQ(got.service_phone, kService);
  EXPECT_EQ(got.customer_phone, kCustomer);
  EXPECT_EQ(got.customer_name, "Griffin");
  EXPECT_EQ(got.at_ms, kNow);
  EXPECT_EQ(got.received_at_ms, kNow + 5);
  EXPECT_EQ(got.type, "text");
  EXPECT_EQ(got.text, expected.text);
  EXPECT_EQ(got.context_id, "wamid.earlier");
  EXPECT_EQ(got.payload, expected.payload);
  EXPECT_EQ(got.chat_id, chat->id);
}

TEST_P(ConversationConformance, TheWindowIsTheLatestMessageWhateverTheOrderTheyCameIn) {
  Receive({Inbound("wamid.2", kNow + 1000), Inbound("wamid.1", kNow)}, kNow + 2000);
  EXPECT_EQ(*conversations().LastInboundAt(kService, kCustomer), kNow + 1000);
  Receive({Inbound("wamid.0", kNow - 5000)}, kNow + 3000);  // a late, older one
  EXPECT_EQ(*conversations().LastInboundAt(kService, kCustomer), kNow + 1000);
  Receive({Inbound("wamid.3", kNow + 9000)}, kNow + 9500);  // reopened later
  EXPECT_EQ(*conversations().LastInboundAt(kService, kCustomer), kNow + 9000);
}

TEST_P(ConversationConformance, MessagesEitherWayShareTheChatUntilItIsIdle) {
  // The first message either way opens the chat: here an outbound template.
  const std::string chat = Send("m1", kNow);
  ASSERT_FALSE(chat.empty());
  EXPECT_EQ(chat.rfind("CHAT_DEFAULT_", 0), 0u) << chat;
  Receive({Inbound("wamid.1", kNow + 60'000)}, kNow + 61'000);
  EXPECT_EQ(Send("m2", kNow + 120'000), chat);
  auto active = Active(kNow + 120'000);
  ASSERT_TRUE(active);
  EXPECT_EQ(active->id, chat);
  EXPECT_EQ(active->opened_at_ms, kNow);
  EXPECT_EQ(active->last_message_at_ms, kNow + 120'000);
  EXPECT_EQ((*conversations().InboundMessages(chat, 10))[0].chat_id, chat);
  // Another customer of the number has a chat of their own.
  Receive({Inbound("wamid.other", kNow + 130'000, "447700900123")}, kNow + 130'000);
  auto other = conversations().ActiveChat(kService, "447700900123", kNow + 130'000);
  ASSERT_TRUE(other && *other);
  EXPECT_NE((*other)->id, chat);

  // An hour without a message: reads show the chat ended by idleness...
  const std::int64_t idle_at = kNow + 120'000 + kIdle;
  EXPECT_FALSE(Active(idle_at));
  auto ended = conversations().FindChat("default", chat, idle_at + 5);
  ASSERT_TRUE(ended && *ended);
  EXPECT_FALSE((*ended)->active());
  EXPECT_EQ((*ended)->ended_at_ms, idle_at);
  EXPECT_EQ((*ended)->end_reason, "idle");
  // ...and the next message, an inbound one, opens a new chat.
  Receive({Inbound("wamid.2", idle_at + 10)}, idle_at + 20);
  auto next = Active(idle_at + 20);
  ASSERT_TRUE(next);
  EXPECT_NE(next->id, chat);
  EXPECT_EQ(next->opened_at_ms, idle_at + 10);
  EXPECT_EQ(Send("m3", idle_at + 30), next->id);
  // The old chat stays ended, as it was shown.
  ended = conversations().FindChat("default", chat, idle_at + 40);
  ASSERT_TRUE(ended && *ended);
  EXPECT_EQ((*ended)->ended_at_ms, idle_at);
  EXPECT_EQ((*ended)->end_reason, "idle");
  EXPECT_EQ((*conversations().InboundMessages(chat, 10)).size(), 1u);
  EXPECT_EQ((*conversations().InboundMessages(next->id, 10)).size(), 1u);
}

TEST_P(ConversationConformance, EndChatEndsItOnceAndTheNextMessageOpensAnother) {
  const std::string chat = Send("m1", kNow);
  ChatEnd end{"default", chat, "resolved by agent", kNow + 1000};
  EXPECT_EQ(*conversations().EndChat(end), ChatEndOutcome::kEnded);
  EXPECT_EQ(*conversations().EndChat(end), ChatEndOutcome::kAlreadyEnded);
  EXPECT_EQ(*conversations().EndChat({"default", "CHAT_DEFAULT_nope", "x", kNow}),
            ChatEndOutcome::kNotFound);
  EXPECT_EQ(*conversations().EndChat({"other", chat, "x", kNow}), ChatEndOutcome::kNotFound)
      << "another domain's chat is not found";
  auto ended = conversations().FindChat("default", chat, kNow + 2000);
  ASSERT_TRUE(ended && *ended);
  EXPECT_EQ((*ended)->ended_at_ms, kNow + 1000);
  EXPECT_EQ((*ended)->end_reason, "resolved by agent");
  EXPECT_FALSE(*conversations().FindChat("other", chat, kNow + 2000));
  EXPECT_FALSE(Active(kNow + 2000));
  const std::string next = Send("m2", kNow + 3000);
  EXPECT_NE(next, chat);
  EXPECT_EQ(Active(kNow + 3000)->id, next);
  // A chat idle at the time of the end was ended by idleness already.
  EXPECT_EQ(*conversations().EndChat({"default", next, "late", kNow + 3000 + kIdle}),
            ChatEndOutcome::kAlreadyEnded);
  EXPECT_EQ((*conversations().FindChat("default", next, kNow + 3000 + kIdle))->end_reason, "idle");
}

TEST_P(ConversationConformance, MessagesOfOneBatchJoinTheirChats) {
  const std::string first = Send("m0", kNow);
  std::vector<NewMessage> batch;
  for (int i = 1; i <= 6; ++i) {
    NewMessage m = Sample("b" + std::to_string(i));
    m.now_ms = kNow + i;
    // Three to kCustomer (whose chat is open), three to a new customer each other one.
    if (i % 2 == 0) m.message.customer_phone = "4477009001" + std::to_string(i) + "0";
    batch.push_back(std::move(m));
  }
  {
    HeldCommitter held(outbox(), Sample("holder"));
    for (const auto& m : batch) {
      outbox().InsertAsync(m, [id = m.id](core::Result<Inserted> r) {
        EXPECT_TRUE(r) << id << ": " << (r ? "" : r.error().detail);
      });
    }
  }
  storage_->Drain();
  for (const auto& m : batch) {
    auto got = outbox().Get("default", m.id);
    ASSERT_TRUE(got && got->has_value()) << m.id;
    const std::string& chat = (*got)->chat_id;
    if (m.message.customer_phone == kCustomer) {
      EXPECT_EQ(chat, first) << m.id;
    } else {
      auto own = conversations().ActiveChat(kService, m.message.customer_phone, kNow + 10);
      ASSERT_TRUE(own && *own) << m.id;
      EXPECT_EQ(chat, (*own)->id) << m.id;
      EXPECT_NE(chat, first) << m.id;
    }
  }
  EXPECT_EQ(Active(kNow + 10)->last_message_at_ms, kNow + 5);
}

TEST_P(ConversationConformance, AChatsOutboundMessagesAndACustomersChatsAreReadBack) {
  const std::string first = Send("m1", kNow);
  NewMessage media = Sample("m2", /*with_media=*/true);
  media.now_ms = kNow + 10;
  ASSERT_TRUE(Insert(outbox(), media));
  ASSERT_TRUE(conversations().EndChat({"default", first, "success", kNow + 20}));
  const std::string second = Send("m3", kNow + 30);
  // Another number's chat with the same customer.
  NewMessage elsewhere = Sample("m4");
  elsewhere.now_ms = kNow + 40;
  elsewhere.message.service_phone = "3902124122691";
  ASSERT_TRUE(Insert(outbox(), elsewhere));

  auto outbound = conversations().ChatOutbound(first, 10);
  ASSERT_TRUE(outbound) << outbound.error().detail;
  ASSERT_EQ(outbound->size(), 2u);
  EXPECT_EQ((*outbound)[0].id, "m1");
  EXPECT_EQ((*outbound)[1].id, "m2");
  EXPECT_EQ((*outbound)[1].chat_id, first);
  const core::MediaHeader* header = core::MediaOf((*outbound)[1].message);
  ASSERT_NE(header, nullptr);
  EXPECT_EQ(header->file_name, "invoice.pdf");
  EXPECT_EQ(header->mime_type, "application/pdf");
  EXPECT_EQ(conversations().ChatOutbound(first, 1)->size(), 1u);
  EXPECT_FALSE(conversations().ChatOutbound(first, 0));
  EXPECT_FALSE(conversations().ChatOutbound(first, kMaxInboundListLimit + 1));

  ChatQuery query;
  query.domain = "default";
  query.customer_phone = kCustomer;
  query.now_ms = kNow + 50;
  auto chats = conversations().CustomerChats(query);
  ASSERT_TRUE(chats) << chats.error().detail;
  ASSERT_EQ(chats->size(), 3u);
  EXPECT_EQ((*chats)[0].service_phone, "3902124122691");  // newest first
  EXPECT_EQ((*chats)[1].id, second);
  EXPECT_TRUE((*chats)[1].active());
  EXPECT_EQ((*chats)[2].id, first);
  EXPECT_EQ((*chats)[2].end_reason, "success");
  query.service_phone = kService;
  EXPECT_EQ(conversations().CustomerChats(query)->size(), 2u);
  query.opened_since_ms = kNow + 25;
  chats = conversations().CustomerChats(query);
  ASSERT_EQ(chats->size(), 1u);
  EXPECT_EQ((*chats)[0].id, second);
  // As of an hour of idleness later, the active one shows ended.
  query.now_ms = kNow + 30 + kIdle;
  EXPECT_EQ((*conversations().CustomerChats(query))[0].end_reason, "idle");
  query.limit = 1;
  query.opened_since_ms = 0;
  EXPECT_EQ(conversations().CustomerChats(query)->size(), 1u);
  query.domain = "other";
  EXPECT_TRUE(conversations().CustomerChats(query)->empty());
  query.limit = 0;
  EXPECT_FALSE(conversations().CustomerChats(query));
}

TEST_P(ConversationConformance, MediaIsClaimedFetchedRetriedAndGivenUp) {
  InboundRecord photo = Inbound("wamid.photo", kNow);
  photo.type = "image";
  photo.media_id = "1234567890";
  photo.mime_type = "image/jpeg";
  InboundRecord doc = Inbound("wamid.doc", kNow + 1);
  doc.type = "document";
  doc.media_id = "2234567890";
  doc.mime_type = "application/pdf";
  doc.file_name = "fattura.pdf";
  Receive({photo, doc, Inbound("wamid.text", kNow + 2)}, kNow + 10);

  const auto claim = [&](std::int64_t now_ms) {
    Answer<core::Result<std::vector<MediaFetch>>> answer;
    conversations().ClaimMediaFetchesAsync({now_ms, 60'000, 10}, answer.Callback());
    auto claimed = answer.Get();
    EXPECT_TRUE(claimed) << (claimed ? "" : claimed.error().detail);
    return claimed ? *claimed : std::vector<MediaFetch>{};
  };
  const auto record = [&](MediaFetchOutcome outcome) {
    Answer<core::Result<void>> answer;
    conversations().RecordMediaFetchAsync(std::move(outcome), answer.Callback());
    auto recorded = answer.Get();
    EXPECT_TRUE(recorded) << (recorded ? "" : recorded.error().detail);
  };
  // Due from when they were received; the text has no media.
  auto claimed = claim(kNow + 10);
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(claimed[0].media_id, "1234567890");
  EXPECT_EQ(claimed[0].service_phone, kService);
  EXPECT_EQ(claimed[0].source, "meta");
  EXPECT_EQ(claimed[0].mime_type, "image/jpeg");
  EXPECT_EQ(claimed[0].attempts, 1);
  EXPECT_EQ(claimed[0].received_at_ms, kNow + 10);
  EXPECT_TRUE(claim(kNow + 20).empty()) << "leased for a minute";

  const std::string bytes("\xFF\xD8\xFF\xE0\0JFIF\0bytes", 14);
  record({MediaFetchOutcome::Kind::kFetched, claimed[0].seq, bytes, 0, ""});
  record({MediaFetchOutcome::Kind::kRetry, claimed[1].seq, "", kNow + 5000, "HTTP 503"});
  auto pending = conversations().FindInboundMedia("default", "wamid.doc");
  ASSERT_TRUE(pending && *pending);
  EXPECT_EQ((*pending)->state, "pending");
  EXPECT_EQ((*pending)->error, "HTTP 503");
  EXPECT_EQ((*pending)->message.file_name, "fattura.pdf");
  EXPECT_TRUE((*pending)->bytes.empty());
  // Retried when due, a second attempt; then given up.
  EXPECT_TRUE(claim(kNow + 4999).empty());
  claimed = claim(kNow + 5000);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].media_id, "2234567890");
  EXPECT_EQ(claimed[0].attempts, 2);
  record({MediaFetchOutcome::Kind::kFailed, claimed[0].seq, "", 0, "larger than 16 MiB"});
  EXPECT_TRUE(claim(kNow + 999'999).empty());

  if (Persists()) {
    Open();
    conversations().SetChatIdleTimeout(kIdle);
  }
  auto fetched = conversations().FindInboundMedia("default", "wamid.photo");
  ASSERT_TRUE(fetched && *fetched) << (fetched ? "none" : fetched.error().detail);
  EXPECT_EQ((*fetched)->state, "fetched");
  EXPECT_EQ((*fetched)->bytes, bytes);
  EXPECT_EQ((*fetched)->message.mime_type, "image/jpeg");
  auto failed = conversations().FindInboundMedia("default", "wamid.doc");
  EXPECT_EQ((*failed)->state, "failed");
  EXPECT_EQ((*failed)->error, "larger than 16 MiB");
  // A late outcome of a claim that was given up changes nothing.
  record({MediaFetchOutcome::Kind::kFetched, (*failed)->message.seq, "late", 0, ""});
  EXPECT_EQ((*conversations().FindInboundMedia("default", "wamid.doc"))->state, "failed");
  EXPECT_FALSE(*conversations().FindInboundMedia("default", "wamid.text")) << "no media";
  EXPECT_FALSE(*conversations().FindInboundMedia("other", "wamid.photo")) << "another domain";
}

TEST_P(ConversationConformance, ACustomersMessageIsACallbackForADomainWithCallbacks) {
  // Before any write, as the gateway does.
  storage_->callbacks().SetCallbackDomains({"default"});
  Receive({Inbound("wamid.cb", kNow)}, kNow + 10);
  Receive({Inbound("wamid.cb", kNow)}, kNow + 20);  // a repeat is no second callback
  Answer<core::Result<std::vector<CallbackDelivery>>> answer;
  storage_->callbacks().ClaimCallbacksAsync({kNow + 30, "sender", 60'000, 10}, answer.Callback());
  auto claimed = answer.Get();
  ASSERT_TRUE(claimed) << claimed.error().detail;
  ASSERT_EQ(claimed->size(), 1u);
  const CallbackDelivery& d = (*claimed)[0];
  EXPECT_EQ(d.domain, "default");
  EXPECT_EQ(d.message_id, "wamid.cb");
  EXPECT_EQ(d.at_ms, kNow);
  EXPECT_EQ(d.source, "meta");
  EXPECT_EQ(d.service_phone, kService);
  EXPECT_EQ(d.customer_phone, kCustomer);
  ASSERT_TRUE(d.inbound);
  EXPECT_EQ(d.inbound->text, Inbound("wamid.cb", kNow).text);
  EXPECT_EQ(d.inbound->customer_name, "Griffin");
  EXPECT_EQ(d.inbound->chat_id.rfind("CHAT_DEFAULT_", 0), 0u);
  auto listed = storage_->callbacks().ListCallbacks({"default", "", 10, 0});
  ASSERT_TRUE(listed) << listed.error().detail;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_TRUE((*listed)[0].received);
  EXPECT_EQ((*listed)[0].message_id, "wamid.cb");
  // Another domain's customers are not its callbacks.
  InboundRecord other = Inbound("wamid.other-domain", kNow);
  other.domain = "acme";
  other.service_phone = "3902124122691";
  Receive({other}, kNow + 40);
  EXPECT_TRUE(storage_->callbacks().ListCallbacks({"acme", "", 10, 0})->empty());
}

TEST_P(ConversationConformance, ErasingACustomerDeletesTheirsAndNothingElse) {
  storage_->callbacks().SetCallbackDomains({"default"});
  // The customer: a message each way, a media message, an ended chat and a new one.
  InboundRecord photo = Inbound("wamid.photo", kNow);
  photo.type = "image";
  photo.media_id = "1234567890";
  Receive({photo}, kNow + 10);
  NewMessage media = Sample("m1", /*with_media=*/true);
  media.now_ms = kNow + 20;
  ASSERT_TRUE(Insert(outbox(), media));
  const std::string chat = (*outbox().Get("default", "m1"))->chat_id;
  ASSERT_TRUE(conversations().EndChat({"default", chat, "success", kNow + 30}));
  Send("m2", kNow + 40);
  ASSERT_TRUE(ReceiveWebhook(delivery_statuses(),
                             {"ev-mario", "meta", kNow, "{\"from\":\"393403603062\"}"}));
  WebhookApplication applied;
  applied.event_id = "ev-mario";
  applied.now_ms = kNow + 50;
  ASSERT_TRUE(ApplyWebhook(delivery_statuses(), applied));
  // Someone else, and the same number in another domain.
  Receive({Inbound("wamid.other", kNow, "447700900123")}, kNow + 10);
  NewMessage other_domain = Sample("x1");
  other_domain.domain = "acme";
  other_domain.message.service_phone = "3902124122691";
  ASSERT_TRUE(Insert(outbox(), other_domain));

  auto erased = conversations().EraseCustomer({"default", kCustomer});
  ASSERT_TRUE(erased) << erased.error().detail;
  EXPECT_EQ(erased->messages, 2);
  EXPECT_EQ(erased->inbound, 1);
  EXPECT_EQ(erased->chats, 2);
  EXPECT_EQ(erased->webhook_events, 1);

  EXPECT_FALSE(*outbox().Get("default", "m1"));
  EXPECT_FALSE(*outbox().Get("default", "m2"));
  EXPECT_FALSE(outbox().MediaBytes("m1"));
  EXPECT_FALSE(*conversations().LastInboundAt(kService, kCustomer));
  EXPECT_FALSE(*conversations().FindChat("default", chat, kNow + 60));
  EXPECT_FALSE(*conversations().FindInboundMedia("default", "wamid.photo"));
  ChatQuery query{"default", kCustomer, "", 0, 10, kNow + 60};
  EXPECT_TRUE(conversations().CustomerChats(query)->empty());
  EXPECT_TRUE(storage_->callbacks().ListCallbacks({"default", "", 100, 0})->size() == 1u)
      << "only the other customer's message.received is left";
  // The others are untouched.
  EXPECT_TRUE(*outbox().Get("acme", "x1"));
  EXPECT_TRUE(*conversations().LastInboundAt(kService, "447700900123"));
  // Erasing again finds nothing.
  erased = conversations().EraseCustomer({"default", kCustomer});
  ASSERT_TRUE(erased);
  EXPECT_EQ(erased->messages + erased->inbound + erased->chats + erased->webhook_events, 0);
  EXPECT_FALSE(conversations().EraseCustomer({"", kCustomer}));
}

TEST_P(ConversationConformance, ContentRetentionEmptiesOldMessagesAndKeepsTheirMetadata) {
  InboundRecord photo = Inbound("wamid.photo", kNow);
  photo.type = "image";
  photo.media_id = "1234567890";
  Receive({photo}, kNow + 10);
  NewMessage old_media = Sample("m1", /*with_media=*/true);
  old_media.now_ms = kNow + 20;
  ASSERT_TRUE(Insert(outbox(), old_media));
  ASSERT_EQ(ClaimDue(outbox(), kNow + 20, "w", kLease, 10)->size(), 1u);
  ASSERT_TRUE(MarkAccepted(outbox(), "m1", "w", "wamid.out", kCustomer, kNow + 21));
  NewMessage waiting = Sample("m2");  // still queued: kept whatever its age
  waiting.now_ms = kNow + 30;
  ASSERT_TRUE(Insert(outbox(), waiting));
  NewMessage recent = Sample("m3");
  recent.now_ms = kNow + 5000;
  ASSERT_TRUE(Insert(outbox(), recent));

  auto erased = conversations().EraseContent({"default", kNow + 1000, 500});
  ASSERT_TRUE(erased) << erased.error().detail;
  EXPECT_EQ(*erased, 2);  // m1 and the photo
  auto m1 = *outbox().Get("default", "m1");
  ASSERT_TRUE(m1);
  EXPECT_EQ(m1->status, core::MessageStatus::kAccepted);
  EXPECT_EQ(testing::Template(m1->message).template_name, "shipping_confirmation");
  EXPECT_TRUE(testing::Template(m1->message).body_params.empty());
  EXPECT_TRUE(testing::Template(m1->message).header_params.empty());
  ASSERT_NE(core::MediaOf(m1->message), nullptr);
  EXPECT_EQ(core::MediaOf(m1->message)->file_name, "invoice.pdf");
  EXPECT_EQ(*outbox().MediaBytes("m1"), "");
  EXPECT_EQ(testing::Template((*outbox().Get("default", "m2"))->message).body_params.size(), 2u);
  EXPECT_EQ(testing::Template((*outbox().Get("default", "m3"))->message).body_params.size(), 2u);
  auto photo_now = *conversations().FindInboundMedia("default", "wamid.photo");
  ASSERT_TRUE(photo_now);
  EXPECT_EQ(photo_now->state, "erased");
  EXPECT_EQ(photo_now->message.text, "");
  EXPECT_EQ(photo_now->message.customer_name, "");
  EXPECT_EQ(photo_now->message.customer_phone, kCustomer);
  EXPECT_EQ(*conversations().LastInboundAt(kService, kCustomer), kNow) << "the window stays";
  // Done: nothing more to empty; another domain's retention is its own.
  EXPECT_EQ(*conversations().EraseContent({"default", kNow + 1000, 500}), 0);
  EXPECT_EQ(*conversations().EraseContent({"acme", kNow + 99'000, 500}), 0);
  EXPECT_FALSE(conversations().EraseContent({"default", kNow, 0}));
}

INSTANTIATE_TEST_SUITE_P(Engines, ConversationConformance, ::testing::ValuesIn(kEngines),
                         [](const ::testing::TestParamInfo<Engine>& p) {
                           return std::string(p.param.name);
                         });

}  // namespace
}  // namespace socialgate::store
