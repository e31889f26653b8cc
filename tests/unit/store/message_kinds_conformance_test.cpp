// The conformance suite's part on message kinds (core::MessageContent): a text and a media
// message stored, read, claimed and listed as they were given, on every engine, alone and in one
// batch with others (PostgreSQL's many-row insert); and a row stored before migration 11 read
// back as the template it is. The fixture and the engines: storage_conformance.hpp.
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/storage_conformance.hpp"
#include "support/held_committer.hpp"

namespace socialgate::store {
namespace {

using testing::ClaimDue;
using testing::Insert;

NewMessage TextSample(const std::string& id, std::string text) {
  NewMessage m = testing::SampleMessage(id, kNow);
  m.message.content = core::TextContent{std::move(text)};
  return m;
}

NewMessage MediaSample(const std::string& id, core::MediaKind kind) {
  NewMessage m = testing::SampleMessage(id, kNow);
  core::MediaHeader media;
  media.kind = kind;
  if (kind == core::MediaKind::kImage) {
    media.mime_type = "image/png";
    media.document_type = "png";
    media.file_name = "infobip-logo.png";
    media.bytes = std::string("\x89PNG\r\n\x1a\n\0image", 14);
  } else {
    media.mime_type = "application/pdf";
    media.document_type = "pdf";
    media.file_name = "Fattura n\xC2\xB0 42.pdf";
    media.bytes = std::string("%PDF-1.4\0doc\xff", 13);
  }
  m.message.content = core::MediaContent{std::move(media)};
  return m;
}

// A text with what a store could lose: newlines, tabs, quotes, backslashes, non-ASCII, 4,096
// characters of them.
std::string AwkwardText() {
  std::string text =
      "Line 1\nLine\t2 \"quoted\" \\ caf\xC3\xA9 \xF0\x9F\x98\x80 '; DROP TABLE x;--";
  while (text.size() < 4000) text += " \xE2\x82\xAC";
  return text;
}

// Expects `m` to be `expected`'s message as stored: same kind and content, its media without
// bytes (they stay in the store).
void ExpectSameContent(const core::OutboundMessage& m, const NewMessage& expected) {
  EXPECT_EQ(core::MessageKindName(m.content), core::MessageKindName(expected.message.content));
  EXPECT_EQ(m.customer_phone, expected.message.customer_phone);
  EXPECT_EQ(m.service_phone, expected.message.service_phone);
  if (const auto* text = std::get_if<core::TextContent>(&expected.message.content)) {
    ASSERT_TRUE(std::holds_alternative<core::TextContent>(m.content));
    EXPECT_EQ(std::get<core::TextContent>(m.content).text, text->text);
    EXPECT_EQ(core::MediaOf(m), nullptr);
  }
  if (const auto* media = std::get_if<core::MediaContent>(&expected.message.content)) {
    ASSERT_TRUE(std::holds_alternative<core::MediaContent>(m.content));
    const core::MediaHeader* got = core::MediaOf(m);
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(got->kind, media->media.kind);
    EXPECT_EQ(got->mime_type, media->media.mime_type);
    EXPECT_EQ(got->document_type, media->media.document_type);
    EXPECT_EQ(got->file_name, media->media.file_name);
    EXPECT_TRUE(got->bytes.empty());
  }
  if (const auto* t = std::get_if<core::TemplateContent>(&expected.message.content)) {
    ASSERT_TRUE(std::holds_alternative<core::TemplateContent>(m.content));
    EXPECT_EQ(testing::Template(m).template_name, t->template_name);
    EXPECT_EQ(testing::Template(m).header.has_value(), t->header.has_value());
  }
}

TEST_P(StorageConformanceTest, TextAndMediaMessagesRoundTripWithTheirKind) {
  const std::vector<NewMessage> messages = {
      TextSample("t1", AwkwardText()), MediaSample("i1", core::MediaKind::kImage),
      MediaSample("d1", core::MediaKind::kDocument), Sample("p1", /*with_media=*/true)};
  for (const auto& m : messages) ASSERT_TRUE(Insert(outbox(), m)) << m.id;
  if (Persists()) Open();  // and they survive a reopen
  for (const auto& expected : messages) {
    auto got = outbox().Get("default", expected.id);
    ASSERT_TRUE(got && got->has_value()) << expected.id;
    SCOPED_TRACE(expected.id);
    ExpectSameContent((*got)->message, expected);
    ASSERT_EQ((*got)->history.size(), 1u);
    EXPECT_EQ((*got)->history[0].status, core::MessageStatus::kQueued);
  }
  // A media message's bytes, exactly, for the send that uploads them; a text has none.
  for (const auto& m : messages) {
    auto bytes = outbox().MediaBytes(m.id);
    if (const core::MediaHeader* media = core::MediaOf(m.message)) {
      ASSERT_TRUE(bytes) << m.id;
      EXPECT_EQ(*bytes, media->bytes) << m.id;
    } else {
      ASSERT_FALSE(bytes) << m.id;
      EXPECT_EQ(bytes.error().code, core::ErrorCode::kNotFound);
    }
  }
}

TEST_P(StorageConformanceTest, ClaimedTextAndMediaMessagesKeepTheirKind) {
  const std::vector<NewMessage> messages = {TextSample("t1", "hello\nworld"),
                                            MediaSample("i1", core::MediaKind::kImage),
                                            MediaSample("d1", core::MediaKind::kDocument)};
  for (const auto& m : messages) ASSERT_TRUE(Insert(outbox(), m)) << m.id;
  auto claimed = ClaimDue(outbox(), kNow, "w", kLease, 10, {});
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), messages.size());
  for (const auto& c : *claimed) {
    SCOPED_TRACE(c.id);
    EXPECT_EQ(c.status, core::MessageStatus::kSending);
    for (const auto& m : messages) {
      if (m.id == c.id) ExpectSameContent(c.message, m);
    }
  }
}

TEST_P(StorageConformanceTest, KindsCommittedInOneBatchAreEachStoredAsGiven) {
  std::vector<NewMessage> messages = {TextSample("b-t1", "first"),
                                      MediaSample("b-i1", core::MediaKind::kImage),
                                      Sample("b-p1", /*with_media=*/true),
                                      TextSample("b-t2", AwkwardText()),
                                      MediaSample("b-d1", core::MediaKind::kDocument),
                                      Sample("b-p2")};
  {
    // Held, the committer finds them all queued at once: one batch (on PostgreSQL, one
    // many-row insert).
    HeldCommitter held(outbox(), Sample("holder"));
    for (const auto& m : messages) {
      outbox().InsertAsync(m, [id = m.id](core::Result<Inserted> r) {
        EXPECT_TRUE(r) << id << ": " << (r ? "" : r.error().detail);
      });
    }
  }
  storage_->Drain();
  for (const auto& expected : messages) {
    auto got = outbox().Get("default", expected.id);
    ASSERT_TRUE(got && got->has_value()) << expected.id;
    SCOPED_TRACE(expected.id);
    ExpectSameContent((*got)->message, expected);
  }
}

TEST_P(StorageConformanceTest, TheListShowsEachKindAndATemplateFilterOnlyTemplates) {
  NewMessage text = TextSample("l-t", "hi");
  NewMessage image = MediaSample("l-i", core::MediaKind::kImage);
  NewMessage tmpl = Sample("l-p");
  text.now_ms = kNow + 1;
  image.now_ms = kNow + 2;
  tmpl.now_ms = kNow + 3;
  for (const auto& m : {text, image, tmpl}) ASSERT_TRUE(Insert(outbox(), m)) << m.id;
  MessageQuery query;
  query.domain = "default";
  query.limit = 10;
  auto page = outbox().ListMessages(query);
  ASSERT_TRUE(page) << page.error().detail;
  ASSERT_EQ(page->messages.size(), 3u);
  ExpectSameContent(page->messages[0].message, tmpl);
  ExpectSameContent(page->messages[1].message, image);
  ExpectSameContent(page->messages[2].message, text);
  // A text or media message has no template name: a filter on one never lists them.
  query.template_name = "shipping_confirmation";
  page = outbox().ListMessages(query);
  ASSERT_TRUE(page) << page.error().detail;
  ASSERT_EQ(page->messages.size(), 1u);
  EXPECT_EQ(page->messages[0].id, "l-p");
}

TEST_P(StorageConformanceTest, ARowStoredBeforeMigration11IsReadAsTheTemplateItIs) {
  if (!Persists()) GTEST_SKIP() << "needs the database of an earlier run";
  // The schema as migration 10 left it, with a template stored then.
  const bool postgres = database_.postgres != nullptr;
  const std::string old_row =
      "INSERT INTO messages(id, domain, customer_phone, service_phone, template_name, language, "
      "header_params, body_params, url_params, has_media, status, attempts, next_attempt_at, "
      "created_at, updated_at) VALUES ('old', 'default', '393403603062', '3902124122690', "
      "'shipping_confirmation', 'en_GB', '[\"Griffin\"]', '[\"5\"]', '[]', " +
      std::string(postgres ? "false" : "0") + ", 'queued', 0, 1, 1, 1)";
  // Migrations 14 (the failed messages' index), 13 (retention's indexes) and 12
  // (conversations) undone first, then 11.
  const std::vector<std::string> to_version_10 = {
      "DELETE FROM schema_migrations WHERE version >= 11",
      "DROP INDEX messages_failed",
      "DROP INDEX callbacks_by_message_id",
      "DROP INDEX inbound_by_age",
      "DROP INDEX messages_by_chat",
      "DROP INDEX messages_content_kept",
      "ALTER TABLE messages DROP COLUMN chat_id",
      "ALTER TABLE messages DROP COLUMN content_erased",
      "ALTER TABLE callbacks DROP COLUMN inbound_seq",
      "DROP TABLE customer_windows",
      "DROP TABLE inbound_media",
      "DROP TABLE inbound_messages",
      "DROP TABLE chats",
      "ALTER TABLE messages DROP COLUMN kind",
      "ALTER TABLE messages DROP COLUMN text",
      old_row};
  storage_.reset();
  for (const auto& sql : to_version_10) {
    if (postgres) {
      ASSERT_TRUE(database_.postgres->Run(sql)) << sql;
      continue;
    }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ + "/db.sqlite").c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sql << ": " << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  Open();  // migrations 11 and 12 again
  auto got = outbox().Get("default", "old");
  ASSERT_TRUE(got && got->has_value());
  ASSERT_TRUE(std::holds_alternative<core::TemplateContent>((*got)->message.content));
  EXPECT_EQ(testing::Template((*got)->message).template_name, "shipping_confirmation");
  EXPECT_EQ(testing::Template((*got)->message).header_params, std::vector<std::string>{"Griffin"});
  EXPECT_EQ(testing::Template((*got)->message).body_params, std::vector<std::string>{"5"});
}

}  // namespace
}  // namespace socialgate::store
