#include "store/postgres/migrations.hpp"

#include <array>
#include <ctime>
#include <string>

namespace socialgate::store::postgres {
namespace {

using core::Result;

// Times are Unix milliseconds in BIGINT columns, as in SQLite: every instance and engine reads
// and compares the same numbers.
constexpr std::array kMigrations{
    Migration{1, "outbox: messages, their media and status history", R"sql(
CREATE TABLE messages (
  id                  TEXT PRIMARY KEY,
  domain              TEXT NOT NULL,
  customer_phone      TEXT NOT NULL,
  service_phone       TEXT NOT NULL,
  template_name       TEXT NOT NULL,
  language            TEXT NOT NULL,
  header_params       TEXT NOT NULL,   -- JSON array of strings
  body_params         TEXT NOT NULL,   -- JSON array of strings
  url_params          TEXT NOT NULL,   -- JSON array of strings
  has_media           BOOLEAN NOT NULL,
  status              TEXT NOT NULL,   -- queued|sending|accepted|sent|delivered|read|failed
  attempts            INTEGER NOT NULL DEFAULT 0,
  next_attempt_at     BIGINT NOT NULL,    -- Unix ms
  lease_owner         TEXT,
  lease_until         BIGINT,             -- Unix ms
  provider_message_id TEXT,
  wa_id               TEXT,
  error_code          TEXT,
  error_message       TEXT,
  created_at          BIGINT NOT NULL,
  updated_at          BIGINT NOT NULL
);
CREATE INDEX messages_queued_due ON messages(next_attempt_at) WHERE status = 'queued';
CREATE INDEX messages_sending_lease ON messages(lease_until) WHERE status = 'sending';
-- Not unique: a provider that repeats an id (a mock server does) must not make an accepted
-- message unrecordable, which would have it sent again.
CREATE INDEX messages_provider_id ON messages(provider_message_id)
  WHERE provider_message_id IS NOT NULL;

CREATE TABLE message_media (
  message_id    TEXT PRIMARY KEY REFERENCES messages(id),
  kind          TEXT NOT NULL,     -- image|video|document
  mime_type     TEXT NOT NULL,
  document_type TEXT NOT NULL,
  file_name     TEXT NOT NULL,
  bytes         BYTEA NOT NULL
);

CREATE TABLE message_events (
  seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id TEXT NOT NULL REFERENCES messages(id),
  status     TEXT NOT NULL,
  at         BIGINT NOT NULL,      -- Unix ms
  detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX message_events_by_message ON message_events(message_id, seq);

-- The outbox depth (messages queued or sending), kept by the transactions that change it: each
-- open store moves its own row in its commit (no two instances wait for one row), and the depth
-- is the sum. Counting the messages instead would read every waiting one.
CREATE TABLE outbox_depth (
  counter TEXT PRIMARY KEY,        -- one per open store; folded into one at each open
  depth   BIGINT NOT NULL
);
)sql"},
    Migration{2, "idempotency keys: the first answer per (domain, key)", R"sql(
CREATE TABLE idempotency_keys (
  domain        TEXT NOT NULL,
  key           TEXT NOT NULL,
  message_id    TEXT NOT NULL REFERENCES messages(id),
  request_hash  TEXT NOT NULL,     -- SHA-256 of the request body: a key reused for another body
  answer_status INTEGER,           -- the first answer, once it was given
  answer_body   TEXT,
  created_at    BIGINT NOT NULL,   -- Unix ms
  PRIMARY KEY (domain, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys(created_at);
)sql"},
    Migration{3, "login sessions (ctlivetoken), stored as SHA-256 of the token", R"sql(
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,     -- SHA-256 of the token: the token itself is never stored
  domain     TEXT NOT NULL,
  user_name  TEXT NOT NULL,
  created_at BIGINT NOT NULL,      -- Unix ms
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions(expires_at);
)sql"},
    Migration{4, "addresses a user has logged in from: the user's own lock spares them", R"sql(
CREATE TABLE trusted_addresses (
  domain          TEXT NOT NULL,
  user_name       TEXT NOT NULL,
  address         TEXT NOT NULL,     -- the client address, as the gateway saw it
  last_success_at BIGINT NOT NULL,   -- Unix ms
  PRIMARY KEY (domain, user_name, address)
);
CREATE INDEX trusted_addresses_by_age ON trusted_addresses(last_success_at);
)sql"},
    Migration{5, "instances and their leases on business numbers: one sender per number", R"sql(
CREATE TABLE gateway_instances (
  owner       TEXT PRIMARY KEY,    -- the dispatcher's lease owner name
  alive_until BIGINT NOT NULL      -- Unix ms: its heartbeat
);
CREATE TABLE number_leases (
  number      TEXT PRIMARY KEY,    -- a business number, E.164 digits
  owner       TEXT,                -- the instance that sends for it; NULL: given up
  lease_until BIGINT NOT NULL      -- Unix ms: held until, or (given up) free to take from
);
)sql"},
    Migration{6, "webhook events as received, status reports held for their message, pricing",
              R"sql(
CREATE TABLE webhook_events (
  id          TEXT PRIMARY KEY,  -- the gateway's UUIDv7
  source      TEXT NOT NULL,     -- meta|sandbox
  received_at BIGINT NOT NULL,   -- Unix ms
  body        BYTEA NOT NULL,    -- the raw body, as signed
  applied_at  BIGINT,            -- Unix ms; NULL until its reports are applied
  outcome     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_events_unapplied ON webhook_events(received_at) WHERE applied_at IS NULL;
CREATE INDEX webhook_events_by_age ON webhook_events(received_at);
-- Status reports whose message is not recorded yet (or is being sent), until hold_until.
CREATE TABLE held_statuses (
  seq                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider_message_id     TEXT NOT NULL,
  message_id              TEXT NOT NULL,     -- the gateway's id the report carries, or ''
  service_phone           TEXT NOT NULL,
  status                  TEXT NOT NULL,
  at                      BIGINT NOT NULL,   -- Unix ms, as reported
  source                  TEXT NOT NULL,
  error_code              TEXT NOT NULL,
  detail                  TEXT NOT NULL,
  pricing_billable        BOOLEAN,           -- NULL: not reported (also below)
  pricing_category        TEXT,
  pricing_model           TEXT,
  pricing_type            TEXT,
  conversation_id         TEXT,
  conversation_origin     TEXT,
  conversation_expires_at BIGINT,
  received_at             BIGINT NOT NULL,
  hold_until              BIGINT NOT NULL
);
CREATE INDEX held_statuses_by_provider_id ON held_statuses(provider_message_id);
CREATE INDEX held_statuses_by_message_id ON held_statuses(message_id) WHERE message_id <> '';
CREATE INDEX held_statuses_by_expiry ON held_statuses(hold_until);
ALTER TABLE message_events ADD COLUMN source TEXT NOT NULL DEFAULT '';  -- ''|meta|sandbox
ALTER TABLE messages ADD COLUMN pricing_billable BOOLEAN,
  ADD COLUMN pricing_category TEXT,
  ADD COLUMN pricing_model TEXT,
  ADD COLUMN pricing_type TEXT,
  ADD COLUMN conversation_id TEXT,
  ADD COLUMN conversation_origin TEXT,
  ADD COLUMN conversation_expires_at BIGINT;
)sql"},
    Migration{7, "message list: newest first per domain, and per customer", R"sql(
-- The message list (GET /livechat/{domain}/messages; store/message_list_sql.hpp), as in SQLite:
-- keyset pages, WHERE domain = $1 AND created_at >= $2 AND (created_at, id COLLATE "C") <
-- ($3, $4) ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT $n. Ids compare byte by byte
-- (COLLATE "C", SQLite's order), whatever the database's collation. EXPLAIN ANALYZE, 200,000
-- messages, generic and custom plans: "Index Scan using messages_list ... Index Cond: ((domain =
-- $1) AND (created_at >= $2) AND (ROW(created_at, (id)::text) < ROW($3, $4)))" under a Limit,
-- the other filters a Filter on it (no Sort); with a customer phone, messages_list_by_customer
-- with customer_phone in the Index Cond (a custom plan for a customer with few messages sorts
-- those few). A business number with 1% of a domain's 67,000 messages: 5 ms a page.
CREATE INDEX messages_list ON messages(domain, created_at DESC, id COLLATE "C" DESC);
CREATE INDEX messages_list_by_customer
  ON messages(domain, customer_phone, created_at DESC, id COLLATE "C" DESC);
)sql"},
    Migration{8, "callbacks to callers: one row per status change, delivered in order", R"sql(
CREATE TABLE callbacks (
  -- seq: the order of changes (per message, callbacks are delivered in it)
  seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE, -- webhook-id: the same on every retry
  domain          TEXT NOT NULL,
  message_id      TEXT NOT NULL,
  status          TEXT NOT NULL,        -- the message's new status
  at              BIGINT NOT NULL,      -- Unix ms: when it changed
  source          TEXT NOT NULL,        -- ''|meta|sandbox
  error_code      TEXT NOT NULL,
  error_message   TEXT NOT NULL,
  state           TEXT NOT NULL,        -- pending|delivered|failed
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,      -- Unix ms
  lease_owner     TEXT,
  lease_until     BIGINT,               -- Unix ms
  last_error      TEXT NOT NULL DEFAULT '',
  created_at      BIGINT NOT NULL,      -- Unix ms
  finished_at     BIGINT                -- Unix ms: delivered or given up
);
CREATE INDEX callbacks_pending ON callbacks(next_attempt_at) WHERE state = 'pending';
CREATE INDEX callbacks_by_message ON callbacks(message_id, seq) WHERE state = 'pending';
CREATE INDEX callbacks_by_domain ON callbacks(domain, state, seq);
)sql"},
    Migration{9, "callbacks listed newest first per domain, whatever their state", R"sql(
-- GET /livechat/{domain}/callbacks without a state: (domain, state, seq) would have the page
-- sorted from all the domain's callbacks; this gives it in order.
CREATE INDEX callbacks_by_domain_newest ON callbacks(domain, seq);
)sql"},
    Migration{10, "template catalogs: each account's templates, and one version of them all", R"sql(
-- store/template_catalogs.hpp, as in SQLite. A catalog is replaced whole (its templates deleted
-- and stored again) in one commit; a status change finds its template by Meta's id or by its key.
CREATE TABLE template_catalogs (
  account   TEXT PRIMARY KEY,     -- the WhatsApp Business Account id
  synced_at BIGINT NOT NULL       -- Unix ms: when it was last synchronised in full
);
CREATE TABLE catalog_templates (
  account     TEXT NOT NULL REFERENCES template_catalogs(account),
  name        TEXT NOT NULL,
  language    TEXT NOT NULL,      -- as Meta writes it, e.g. en_GB
  template_id TEXT NOT NULL,      -- Meta's id, '' when unknown
  status      TEXT NOT NULL,      -- APPROVED, PAUSED, ...
  status_reason TEXT NOT NULL,    -- Meta's reason for it (a status webhook's), or ''
  category    TEXT NOT NULL,
  definition  TEXT NOT NULL,      -- the template as one JSON object (templates/catalog_json.hpp)
  updated_at  BIGINT NOT NULL,    -- Unix ms: its last write (a sync or a status change)
  PRIMARY KEY (account, name, language)
);
CREATE INDEX catalog_templates_by_id ON catalog_templates(account, template_id);
-- One row, bumped by every write of any catalog in the write's own commit: an instance polls it
-- to learn that another one changed a catalog. Every catalog write locks it first, so instances
-- write catalogs one at a time (store/postgres/template_catalog_statements.hpp).
CREATE TABLE template_catalog_version (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version BIGINT NOT NULL
);
INSERT INTO template_catalog_version(id, version) VALUES (1, 0);
)sql"},
    Migration{11, "message kinds: each message's kind (template until now) and a text's words",
              R"sql(
-- core::MessageContent, mapped in store/postgres/message_content.cpp, as in SQLite. Every row
-- before this one is a template, which the default says (a constant default: no table rewrite).
-- A text message's words are in `text` ('' for the other kinds); a media message's file is its
-- message_media row, as a template's media header is (has_media). The template's columns hold
-- '' and '[]' for the other kinds.
ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'template';  -- template|text|media
ALTER TABLE messages ADD COLUMN text TEXT NOT NULL DEFAULT '';
)sql"},
    Migration{12, "conversations: inbound messages, customer-service windows and chats", R"sql(
-- store/conversations.hpp. A chat is one customer with one business number, from the first
-- message either way to its end (EndChat, or idle: the next message ends it then, and reads show
-- it ended). At most one chat row of a pair is active (ended_at NULL): chats_active, which the
-- join's upsert names as its conflict target.
CREATE TABLE chats (
  id              TEXT PRIMARY KEY,   -- CHAT_<DOMAIN>_<uuid>
  domain          TEXT NOT NULL,
  service_phone   TEXT NOT NULL,
  customer_phone  TEXT NOT NULL,
  opened_at       BIGINT NOT NULL,   -- Unix ms: its first message
  last_message_at BIGINT NOT NULL,   -- Unix ms: its latest message either way
  ended_at        BIGINT,            -- Unix ms; NULL while active
  end_reason      TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX chats_active ON chats(service_phone, customer_phone) WHERE ended_at IS NULL;
CREATE INDEX chats_by_customer ON chats(domain, customer_phone, opened_at);
-- The inbound messages, once per (source, id). Media arrives as the provider's id; media_state
-- says where fetching its bytes stands (none: no media; pending; fetched: in inbound_media;
-- failed: given up, media_error says why).
CREATE TABLE inbound_messages (
  seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- the order they were applied in
  source          TEXT NOT NULL,        -- meta|sandbox
  id              TEXT NOT NULL,        -- the provider's (Meta's wamid)
  domain          TEXT NOT NULL,
  service_phone   TEXT NOT NULL,
  customer_phone  TEXT NOT NULL,
  customer_name   TEXT NOT NULL,
  chat_id         TEXT NOT NULL,
  at              BIGINT NOT NULL,     -- Unix ms: when the customer sent it (the provider's)
  received_at     BIGINT NOT NULL,     -- Unix ms: when the gateway applied it
  type            TEXT NOT NULL,
  text            TEXT NOT NULL,
  media_id        TEXT NOT NULL,
  mime_type       TEXT NOT NULL,
  file_name       TEXT NOT NULL,
  context_id      TEXT NOT NULL,
  payload         TEXT NOT NULL,        -- the type's own object as JSON
  media_state     TEXT NOT NULL,        -- none|pending|fetched|failed
  media_attempts  BIGINT NOT NULL DEFAULT 0,
  media_next_at   BIGINT,              -- Unix ms: the next fetch attempt (pending)
  media_error     TEXT NOT NULL DEFAULT '',
  UNIQUE (source, id)
);
CREATE INDEX inbound_by_chat ON inbound_messages(chat_id, seq);
CREATE INDEX inbound_by_id ON inbound_messages(id);  -- getMultimediaMessageByMessageID
CREATE INDEX inbound_by_customer ON inbound_messages(domain, customer_phone, seq);
CREATE INDEX inbound_media_due ON inbound_messages(media_next_at) WHERE media_state = 'pending';
CREATE TABLE inbound_media (
  inbound_seq BIGINT PRIMARY KEY REFERENCES inbound_messages(seq),
  bytes       BYTEA NOT NULL
);
-- The 24-hour customer-service window: when each customer last wrote to each business number.
CREATE TABLE customer_windows (
  service_phone   TEXT NOT NULL,
  customer_phone  TEXT NOT NULL,
  last_inbound_at BIGINT NOT NULL,     -- Unix ms
  PRIMARY KEY (service_phone, customer_phone)
);
-- A customer's message is a callback too (message.received): status 'received', message_id its
-- provider id, and inbound_seq the message (NULL for a status change's callback).
ALTER TABLE callbacks ADD COLUMN inbound_seq BIGINT;
-- A domain's content retention (config: content_retention_ms) empties what messages say once
-- they are old enough, keeping their metadata: content_erased marks those done, and the partial
-- indexes find the others oldest first.
ALTER TABLE messages ADD COLUMN content_erased INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inbound_messages ADD COLUMN content_erased INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_content_kept ON messages(domain, created_at) WHERE content_erased = 0;
CREATE INDEX inbound_content_kept ON inbound_messages(domain, received_at)
  WHERE content_erased = 0;
-- The chat each outbound message joined when it was stored ('' before this migration).
ALTER TABLE messages ADD COLUMN chat_id TEXT NOT NULL DEFAULT '';
CREATE INDEX messages_by_chat ON messages(chat_id, created_at) WHERE chat_id <> '';
)sql"},
    Migration{13, "message retention: old final messages deleted with what hangs off them", R"sql(
-- A domain's message retention (config: message_retention_ms; retention/message_retention.hpp)
-- deletes its old final messages in batches (Conversations::DeleteOldMessages). The sent ones
-- are found oldest first by messages_list; these find the rest without a scan: a message's
-- callbacks whatever their state (callbacks_by_message covers only the pending ones), and the
-- received messages oldest first whatever their content retention.
CREATE INDEX callbacks_by_message_id ON callbacks(message_id);
CREATE INDEX inbound_by_age ON inbound_messages(domain, received_at);
-- The deleted rows' space is reused once autovacuum has been by. Its default waits for 20% of a
-- table to be dead; the retention deletes a steady trickle, so vacuum these tables at 2% (plus
-- the usual 50 rows), which bounds their bloat to about that.
ALTER TABLE messages SET (autovacuum_vacuum_scale_factor = 0.02);
ALTER TABLE message_events SET (autovacuum_vacuum_scale_factor = 0.02);
ALTER TABLE message_media SET (autovacuum_vacuum_scale_factor = 0.02);
ALTER TABLE callbacks SET (autovacuum_vacuum_scale_factor = 0.02);
ALTER TABLE inbound_messages SET (autovacuum_vacuum_scale_factor = 0.02);
ALTER TABLE idempotency_keys SET (autovacuum_vacuum_scale_factor = 0.02);
)sql"},
    Migration{14, "the failed messages of a domain, newest first", R"sql(
-- The message list filtered by status=failed alone (store/message_list_sql.hpp,
-- kListFailedOnly) reads this instead of the domain's whole messages_list looking for the few
-- that failed (issue 21: 330 ms a page at 200,000 messages on SQLite). Only failed messages
-- are in it, so the hot path's writes never touch it.
CREATE INDEX messages_failed ON messages(domain, created_at DESC, id COLLATE "C" DESC)
  WHERE status = 'failed';
)sql"},
};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

Result<void> Migrate(Connection& db) {
  SG_RETURN_IF_ERROR(db.Exec("BEGIN"));
  auto applied = [&]() -> Result<void> {
    SG_RETURN_IF_ERROR(
        db.Exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")"));
    SG_RETURN_IF_ERROR(
        db.Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                "description TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
    Params none;
    SG_ASSIGN_OR_RETURN(Rows rows,
                        db.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", none));
    const int current = rows.Int(0, 0);
    const auto migrations = Migrations();
    if (!migrations.empty() && current > migrations.back().version) {
      return core::MakeError(core::ErrorCode::kInternal,
                             "the database schema (version " + std::to_string(current) +
                                 ") is newer than this socialgate build knows; upgrade socialgate");
    }
    for (const Migration& m : migrations) {
      if (m.version <= current) continue;
      SG_RETURN_IF_ERROR(db.Exec(m.sql));
      Params record;
      record.Int(m.version)
          .Text(m.description)
          .Int(static_cast<std::int64_t>(time(nullptr)) * 1000);
      SG_RETURN_IF_ERROR(db.Query(
          "INSERT INTO schema_migrations(version, description, applied_at) VALUES($1,$2,$3)",
          record));
    }
    return {};
  }();
  if (!applied) {
    (void)db.RollBack("a failed migration");  // logged there; the migration's error is the news
    return applied;
  }
  return db.Exec("COMMIT");
}

}  // namespace socialgate::store::postgres
