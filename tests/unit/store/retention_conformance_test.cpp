// The conformance suite's part on the message retention (Conversations::DeleteOldMessages,
// Storage::ReclaimSpace), on every engine: a domain's old final messages go each way with
// everything that hangs off them, in batches; what is not final, not old, or another domain's
// stays; chats go with their last message; SQLite gives the freed pages back.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/storage_conformance.hpp"
#include "support/sync_store.hpp"

namespace socialgate::store {
namespace {

using testing::Answer;
using testing::ApplyWebhook;
using testing::ClaimDue;
using testing::Insert;
using testing::MarkAccepted;
using testing::MarkFailed;

constexpr const char* kServicePhone = "3902124122690";
constexpr const char* kCustomerPhone = "393403603062";

class RetentionConformance : public StorageConformanceTest {
 protected:
  Conversations& conversations() { return storage_->conversations(); }
  Callbacks& callbacks() { return storage_->callbacks(); }

  // Stores `id` at now_ms.
  void Queue(const std::string& id, std::int64_t now_ms, bool with_media = false,
             const std::string& domain = "default") {
    NewMessage m = Sample(id, with_media);
    m.now_ms = now_ms;
    m.domain = domain;
    if (domain != "default") m.message.service_phone = "3902124122691";
    ASSERT_TRUE(Insert(outbox(), m)) << id;
  }
  // Stores `id` at now_ms, claims it and has it accepted (or failed).
  void Sent(const std::string& id, std::int64_t now_ms, bool failed = false,
            bool with_media = false) {
    NewMessage m = Sample(id, with_media);
    m.now_ms = now_ms;
    m.idempotency = IdempotencyKey{"key-" + id, "hash-" + id};
    ASSERT_TRUE(Insert(outbox(), m)) << id;
    ASSERT_EQ(ClaimDue(outbox(), now_ms, "w", kLease, 10)->size(), 1u) << id;
    if (failed) {
      ASSERT_TRUE(MarkFailed(outbox(), id, "w", "131026", "undeliverable", now_ms + 1));
    } else {
      ASSERT_TRUE(MarkAccepted(outbox(), id, "w", "wamid." + id, kCustomerPhone, now_ms + 1));
    }
  }
  // A customer's message received at now_ms (with media waiting to be fetched when media_id).
  void Received(const std::string& id, std::int64_t now_ms, const std::string& media_id = "") {
    InboundRecord m;
    m.id = id;
    m.source = "meta";
    m.domain = "default";
    m.service_phone = kServicePhone;
    m.customer_phone = kCustomerPhone;
    m.at_ms = now_ms;
    m.type = media_id.empty() ? "text" : "image";
    m.text = "hello";
    m.media_id = media_id;
    WebhookApplication a;
    a.event_id = "event-" + id;
    a.now_ms = now_ms;
    a.hold_until_ms = now_ms + 3'600'000;
    a.inbound = {m};
    ASSERT_TRUE(ApplyWebhook(delivery_statuses(), std::move(a))) << id;
  }
  // Claims every callback due and has it delivered.
  void DeliverCallbacks(std::int64_t now_ms) {
    Answer<core::Result<std::vector<CallbackDelivery>>> claimed;
    callbacks().ClaimCallbacksAsync({now_ms, "s", 60'000, 100}, claimed.Callback());
    auto got = claimed.Get();
    ASSERT_TRUE(got) << got.error().detail;
    for (const CallbackDelivery& c : *got) {
      Answer<core::Result<void>> recorded;
      callbacks().RecordCallbackAsync({CallbackOutcome::Kind::kDelivered, c.id, "s", now_ms, 0, ""},
                                      recorded.Callback());
      ASSERT_TRUE(recorded.Get());
    }
  }
  MessagesDeleted Delete(std::int64_t before_ms, int limit = 500,
                         const std::string& domain = "default") {
    auto deleted = conversations().DeleteOldMessages({domain, before_ms, limit});
    EXPECT_TRUE(deleted) << deleted.error().detail;
    return deleted ? *deleted : MessagesDeleted{};
  }
  bool Kept(const std::string& id, const std::string& domain = "default") {
    auto got = outbox().Get(domain, id);
    EXPECT_TRUE(got) << got.error().detail;
    return got && got->has_value();
  }
  std::vector<std::string> CallbackMessages() {
    auto listed = callbacks().ListCallbacks({"default", "", 100, 0});
    EXPECT_TRUE(listed);
    std::vector<std::string> out;
    if (listed) {
      for (const auto& c : *listed) out.push_back(c.message_id + ":" + c.state);
    }
    return out;
  }
};

TEST_P(RetentionConformance, OldFinalMessagesGoWithTheirHistoryMediaKeysAndCallbacks) {
  callbacks().SetCallbackDomains({"default"});
  Sent("accepted", kNow, /*failed=*/false, /*with_media=*/true);
  Sent("failed", kNow + 10, /*failed=*/true);
  DeliverCallbacks(kNow + 20);
  Sent("recent", kNow + 5000);
  Queue("sending", kNow + 30);  // waiting to be sent: kept whatever its age
  ASSERT_EQ(ClaimDue(outbox(), kNow + 30, "w2", kLease, 1)->size(), 1u);
  Queue("queued", kNow + 40);
  Queue("elsewhere", kNow, false, "acme");
  const std::string chat = (*outbox().Get("default", "accepted"))->chat_id;
  ASSERT_FALSE(chat.empty());

  const MessagesDeleted deleted = Delete(kNow + 1000);
  EXPECT_EQ(deleted.messages, 2);
  EXPECT_EQ(deleted.inbound, 0);
  EXPECT_EQ(deleted.chats, 0) << "the queued messages keep the chat";
  EXPECT_FALSE(Kept("accepted"));
  EXPECT_FALSE(Kept("failed"));
  EXPECT_FALSE(outbox().MediaBytes("accepted"));
  EXPECT_TRUE(Kept("queued"));
  EXPECT_TRUE(Kept("sending"));
  EXPECT_TRUE(Kept("recent"));
  EXPECT_TRUE(Kept("elsewhere", "acme"));
  auto key = storage_->idempotency_keys().FindIdempotencyKey("default", "key-accepted", kNow);
  ASSERT_TRUE(key);
  EXPECT_FALSE(*key) << "the key goes with its message";
  EXPECT_TRUE(*storage_->idempotency_keys().FindIdempotencyKey("default", "key-recent", kNow));
  EXPECT_EQ(CallbackMessages(), std::vector<std::string>({"recent:pending"}));
  EXPECT_TRUE(*conversations().FindChat("default", chat, kNow + 1000));
  // Done for now; another domain's retention is its own.
  EXPECT_EQ(Delete(kNow + 1000).messages, 0);
  EXPECT_EQ(Delete(kNow + 99'000, 500, "acme").messages, 0);
}

TEST_P(RetentionConformance, AMessageWaitsForItsCallbacksAndItsChatGoesWithTheLastMessage) {
  callbacks().SetCallbackDomains({"default"});
  Sent("m1", kNow);
  const std::string chat = (*outbox().Get("default", "m1"))->chat_id;
  EXPECT_EQ(Delete(kNow + 1000).messages, 0) << "its accepted callback is not delivered yet";
  EXPECT_TRUE(Kept("m1"));
  DeliverCallbacks(kNow + 500);
  const MessagesDeleted deleted = Delete(kNow + 1000);
  EXPECT_EQ(deleted.messages, 1);
  EXPECT_EQ(deleted.chats, 1);
  EXPECT_FALSE(*conversations().FindChat("default", chat, kNow + 1000));
  EXPECT_TRUE(CallbackMessages().empty());
  // The next message opens a new chat.
  Queue("m2", kNow + 2000);
  EXPECT_NE((*outbox().Get("default", "m2"))->chat_id, chat);
}

TEST_P(RetentionConformance, ReceivedMessagesGoOnceTheirMediaAndCallbacksAreDone) {
  callbacks().SetCallbackDomains({"default"});
  Received("wamid.text", kNow);
  Received("wamid.photo", kNow + 10, "1234567890");  // its media is still to be fetched
  Received("wamid.late", kNow + 5000);
  auto chat = conversations().ActiveChat(kServicePhone, kCustomerPhone, kNow + 10);
  ASSERT_TRUE(chat && *chat);
  EXPECT_EQ(Delete(kNow + 1000).inbound, 0) << "their callbacks are not delivered yet";
  DeliverCallbacks(kNow + 20);

  MessagesDeleted deleted = Delete(kNow + 1000);
  EXPECT_EQ(deleted.inbound, 1);
  EXPECT_EQ(deleted.chats, 0);
  auto listed = conversations().InboundMessages((*chat)->id, 10);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, "wamid.photo");
  EXPECT_EQ((*listed)[1].id, "wamid.late");
  EXPECT_EQ(*conversations().LastInboundAt(kServicePhone, kCustomerPhone), kNow + 5000)
      << "the window stays";

  // The media given up, the photo goes; the late one is too young.
  Answer<core::Result<void>> recorded;
  const std::int64_t seq = (*listed)[0].seq;
  conversations().RecordMediaFetchAsync({MediaFetchOutcome::Kind::kFailed, seq, "", 0, "gone"},
                                        recorded.Callback());
  ASSERT_TRUE(recorded.Get());
  deleted = Delete(kNow + 1000);
  EXPECT_EQ(deleted.inbound, 1);
  EXPECT_FALSE(*conversations().FindInboundMedia("default", "wamid.photo"));
  DeliverCallbacks(kNow + 5001);
  deleted = Delete(kNow + 6000);
  EXPECT_EQ(deleted.inbound, 1);
  EXPECT_EQ(deleted.chats, 1);
  EXPECT_FALSE(*conversations().FindChat("default", (*chat)->id, kNow + 6000));
}

TEST_P(RetentionConformance, DeletesInBatchesOldestFirst) {
  for (int i = 0; i < 5; ++i) Sent("m" + std::to_string(i), kNow + i, i % 2 == 1);
  EXPECT_EQ(Delete(kNow + 1000, 2).messages, 2);
  EXPECT_FALSE(Kept("m0"));
  EXPECT_FALSE(Kept("m1"));
  EXPECT_TRUE(Kept("m2"));
  EXPECT_EQ(Delete(kNow + 1000, 2).messages, 2);
  EXPECT_EQ(Delete(kNow + 1000, 2).messages, 1) << "fewer than the limit: done for now";
  EXPECT_FALSE(Kept("m4"));
  EXPECT_FALSE(conversations().DeleteOldMessages({"default", kNow, 0}));
  EXPECT_FALSE(conversations().DeleteOldMessages({"", kNow, 10}));
}

TEST_P(RetentionConformance, FreedPagesAreGivenBackOnANewSqliteDatabase) {
  EXPECT_FALSE(storage_->ReclaimSpace(0));
  for (int i = 0; i < 40; ++i) {
    NewMessage m = Sample("big" + std::to_string(i), /*with_media=*/true);
    core::MediaOf(m.message)->bytes = std::string(64 * 1024, static_cast<char>('a' + i % 26));
    m.now_ms = kNow;
    ASSERT_TRUE(Insert(outbox(), m));
    ASSERT_EQ(ClaimDue(outbox(), kNow, "w", kLease, 10)->size(), 1u);
    ASSERT_TRUE(MarkFailed(outbox(), m.id, "w", "131026", "undeliverable", kNow + 1));
  }
  EXPECT_EQ(Delete(kNow + 1000).messages, 40);
  auto reclaimed = storage_->ReclaimSpace(1'000'000);
  ASSERT_TRUE(reclaimed) << reclaimed.error().detail;
  if (std::string_view(GetParam().name).starts_with("Sqlite")) {
    EXPECT_GT(*reclaimed, 40 * 64 * 1024 / 4096 / 2) << "about 2.5 MB of media freed";
  } else {
    EXPECT_EQ(*reclaimed, 0) << "autovacuum's job";
  }
  EXPECT_EQ(*storage_->ReclaimSpace(1'000'000), 0) << "nothing left to give back";
}

INSTANTIATE_TEST_SUITE_P(Engines, RetentionConformance, ::testing::ValuesIn(kEngines),
                         [](const ::testing::TestParamInfo<Engine>& p) {
                           return std::string(p.param.name);
                         });

}  // namespace
}  // namespace socialgate::store
