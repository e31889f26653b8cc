// File: config/config.hpp
//
// The gateway's configuration: one TOML file (docs/configuration.md) read once at start-up,
// validated, then shared read-only. Secrets appear only as argon2id hashes.
//
// Thread safety: a Config is immutable after LoadConfig returns; share it by const reference.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/provider_kind.hpp"
#include "core/error.hpp"

namespace socialgate::config {

struct ServerSettings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 2;                                  // HTTP I/O threads
  int workers = 4;                                  // request workers (validation, storage)
  std::size_t max_body_bytes = 140u * 1024 * 1024;  // a 100 MB PDF is ~134 MiB of base64
  // Bodies read before their request is authenticated (the login's JSON credentials), and the
  // bytes a connection reads ahead of a request's admission, are at most this.
  std::size_t max_unauthenticated_body_bytes = 64 * 1024;
  // Request bodies held in memory at once across all connections; beyond it, 503.
  std::size_t body_budget_bytes = std::size_t(512) * 1024 * 1024;
  int credential_workers = 1;  // threads for argon2id checks (64 MiB and ~50 ms each)
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds header_timeout{10'000};  // a request's header, from its first byte
  std::chrono::milliseconds read_timeout{30'000};    // a request's body, and writing the answer
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive wait for the next request
  int max_connections = 10'000;
  std::chrono::milliseconds shutdown_grace{10'000};  // in-flight requests get this long
  // Reverse proxies whose X-Forwarded-For names the client (addresses or CIDR networks).
  std::vector<std::string> trusted_proxies;
  // HTTPS on the listener when both are set: PEM files, read at start.
  std::string tls_cert_file;  // the certificate chain, leaf first
  std::string tls_key_file;

  bool operator==(const ServerSettings&) const = default;
};

struct DispatchSettings {
  // Sends in flight at once: asynchronous HTTP sends need no thread each, so this is sized to
  // latency (1,000 messages/s at 200 ms needs 200). Claimed messages count until recorded.
  int max_in_flight = 1024;
  int workers = 4;  // threads for sends that block (a media upload first)
  std::chrono::milliseconds poll_interval{1'000};  // how often due retries are looked for
  std::chrono::milliseconds lease{60'000};         // a claimed message is reclaimed after this
  // How long an instance's lease on a business number lasts unrenewed: when an instance dies,
  // another sends for its numbers after this (docs/scaling.md).
  std::chrono::milliseconds number_lease{10'000};
  int max_attempts = 12;                                  // per domain unless the domain says
  std::chrono::milliseconds max_age{24LL * 3600 * 1000};  // give up after this long, too
  std::chrono::milliseconds base_backoff{1'000};
  std::chrono::milliseconds max_backoff{300'000};
  // Meta's pair rate limit (one business number to one customer): about one message every
  // 6 s, with bursts of up to 45. 0 turns the limit off.
  double pair_per_minute = 10;
  int pair_burst = 45;
  // Circuit breaker per business number's provider.
  int breaker_failures = 5;
  std::chrono::milliseconds breaker_cooldown{2'000};
  std::chrono::milliseconds breaker_max_cooldown{60'000};
  // Back-pressure: beyond this many queued or sending messages new requests get 503.
  std::int64_t max_outbox = 1'000'000;

  bool operator==(const DispatchSettings&) const = default;
};

struct SandboxSettings {
  std::chrono::milliseconds sent_after{100};
  std::chrono::milliseconds delivered_after{300};
  std::chrono::milliseconds read_after{600};

  bool operator==(const SandboxSettings&) const = default;
};

// WhatsApp Cloud API (Meta) settings of one business number.
struct MetaSettings {
  std::string phone_number_id;  // Meta's id of the number, not the number itself
  // The WhatsApp Business Account the number belongs to: whose template catalog is synchronised
  // and checked (docs/templates.md). "": no catalog for this number.
  std::string waba_id;
  std::string base_url = "https://graph.facebook.com";
  std::string api_version = "v23.0";
  // Read at start from the environment variable or file the config names; never from the TOML
  // itself, never logged.
  std::string access_token;
  std::string access_token_source;  // "env:NAME" or "file:PATH", for error messages
  std::chrono::milliseconds connect_timeout{3'000};
  std::chrono::milliseconds timeout{15'000};
  // How long an uploaded media id is reused. Meta keeps uploads 30 days; some integrators report
  // 7; six days stays clear of both.
  std::chrono::milliseconds media_ttl{6LL * 24 * 3600 * 1000};

  bool operator==(const MetaSettings&) const = default;
};

struct BusinessNumber {
  std::string phone;  // E.164 digits, no '+'
  ProviderKind provider = ProviderKind::kSandbox;
  double messages_per_second = 80;  // Meta's standard throughput tier; up to 1000
  SandboxSettings sandbox;
  MetaSettings meta;
  // A sandbox number's template catalog: a file in the shape of Meta's message_templates answer.
  std::string templates_file;

  // The key of the number's template catalog: its waba_id, or "file:" and its templates_file;
  // "" when it has none (templates/catalog.hpp).
  std::string TemplateAccount() const;

  bool operator==(const BusinessNumber&) const = default;
};

// What a send whose template the catalog contradicts gets (docs/templates.md).
enum class TemplatePolicy {
  kStrict,   // refused, 422 with the reason
  kLenient,  // sent anyway, with a warning in the log
  kOff,      // not checked
};

const char* TemplatePolicyName(TemplatePolicy policy);  // "strict", "lenient", "off"

// [templates]: how the catalogs are kept up to date.
struct TemplateSettings {
  // Each WhatsApp Business Account's catalog is read in full from Meta at start, then this often.
  std::chrono::milliseconds sync_interval{3'600'000};
  // How often an instance looks whether another changed a catalog in the shared database.
  std::chrono::milliseconds reload_interval{10'000};

  bool operator==(const TemplateSettings&) const = default;
};

struct User {
  std::string name;
  std::string password_hash;  // argon2id, from `socialgate hash-secret`
  // The business numbers (E.164 digits) this user may send from; empty: all of the domain's.
  std::vector<std::string> numbers;
};

enum class AckMode { kProvider, kStored };

// [domains.callbacks]: where each change of a message's status is posted, signed per the
// Standard Webhooks specification (docs/webhooks.md).
struct CallbackSettings {
  std::string url;  // http:// or https://
  // The HMAC key: the bytes the `whsec_<base64>` secret encodes. Read at start from the
  // environment variable or file the config names; never logged.
  std::string secret;
  std::string secret_source;                  // "env:NAME" or "file:PATH"
  std::chrono::milliseconds timeout{15'000};  // one attempt's answer
  // A callback not delivered this long after its change is given up (and listed as failed).
  std::chrono::milliseconds max_age{24LL * 3600 * 1000};
};

// [[domains]] message_retention_ms, unless the domain says otherwise: 30 days.
inline constexpr std::int64_t kDefaultMessageRetentionMs = 30LL * 24 * 3600 * 1000;

struct Domain {
  std::string name;  // lower case; paths match case-insensitively
  AckMode ack = AckMode::kProvider;
  std::chrono::milliseconds ack_timeout{10'000};
  // argon2id hash of the domain's API token (CTLive's ct7Token), accepted as
  // "Authorization: Bearer <token>"; empty: no bearer token for this domain.
  std::string api_token_hash;
  std::chrono::milliseconds session_ttl{12LL * 3600 * 1000};  // login sessions expire after this
  int max_attempts = 0;                                       // 0: dispatch.max_attempts
  std::chrono::milliseconds max_age{0};                       // 0: dispatch.max_age_ms
  std::vector<User> users;
  std::vector<BusinessNumber> numbers;
  std::optional<CallbackSettings> callbacks;  // none: no callbacks for this domain
  // `templates`; unset: strict for a number with a catalog (TemplatePolicyFor).
  std::optional<TemplatePolicy> templates;
  // What messages said (texts, parameters, files, customers' names) is emptied once they are
  // this old, keeping their metadata (retention/content_retention.hpp); 0: kept.
  std::chrono::milliseconds content_retention{0};
  // Messages are deleted once they are this old and final (retention/message_retention.hpp):
  // sent ones no longer waiting to be sent, whatever status they reached (a delivery or read
  // report no longer comes once they are this old), and received ones; 0: kept for ever.
  std::chrono::milliseconds message_retention{kDefaultMessageRetentionMs};

  // The policy for sends from `number`: the domain's, or strict when the number has a catalog
  // and off when it has none.
  TemplatePolicy TemplatePolicyFor(const BusinessNumber& number) const;
  // The domain's number `phone`, or nullptr.
  const BusinessNumber* FindNumber(std::string_view phone) const;
};

// Meta's webhook callbacks ([webhooks.meta]): one endpoint for the gateway's Meta app.
struct MetaWebhookSettings {
  std::string path = "/webhooks/meta";
  // Read at start from the environment variable or file the config names; never logged.
  std::string verify_token;  // the subscription handshake's hub.verify_token
  std::string verify_token_source;
  std::string app_secret;  // the key of X-Hub-Signature-256
  std::string app_secret_source;

  bool operator==(const MetaWebhookSettings&) const = default;
};

// [webhooks]: status events, from Meta and from the sandbox.
struct WebhookSettings {
  std::optional<MetaWebhookSettings> meta;  // no Meta endpoint without [webhooks.meta]
  // A status whose message is not found (yet) is kept this long, applied if it appears.
  std::chrono::milliseconds hold_unmatched{3'600'000};
  // Received events are kept this long after they are applied.
  std::chrono::milliseconds keep_events{24LL * 3600 * 1000};

  bool operator==(const WebhookSettings&) const = default;
};

// Credentials the start-up banner prints in its curl example. For demo and benchmark
// configurations only: the password is checked against the user's hash at start.
struct Example {
  std::string domain;
  std::string user;
  std::string password;
};

// [conversations]: the two-way conversation (store/conversations.hpp).
struct ConversationSettings {
  // A chat ends after this long without a message either way; the next message opens a new one.
  std::chrono::milliseconds chat_idle_timeout{24LL * 3600 * 1000};
  // The media of customers' messages (inbound_media/fetcher.hpp): kept up to this size;
  // fetched while the message is younger than media_max_age; retried after media_retry first.
  std::size_t media_max_bytes = 16 * 1024 * 1024;
  std::chrono::milliseconds media_max_age{7LL * 24 * 3600 * 1000};
  std::chrono::milliseconds media_retry{5'000};
  // How often the domains' content and message retention run.
  std::chrono::milliseconds retention_interval{60'000};

  bool operator==(const ConversationSettings&) const = default;
};

// [log]: the gateway's log lines (standard error; docs/operations.md).
struct LogSettings {
  std::string level = "info";   // trace, debug, info, warn, error
  std::string format = "text";  // text: one line per event; json: one JSON object per line
};

struct Config {
  ServerSettings server;
  LogSettings log;
  std::string storage_url = "sqlite:var/socialgate.db";
  DispatchSettings dispatch;
  WebhookSettings webhooks;
  TemplateSettings templates;
  ConversationSettings conversations;
  std::vector<std::string> extra_languages;
  std::vector<Domain> domains;
  std::optional<Example> example;

  // Case-insensitive; nullptr when unknown.
  const Domain* FindDomain(std::string_view name) const;
};

// Parses and validates TOML text; `source` names it in error messages.
core::Result<Config> ParseConfig(std::string_view toml_text, std::string_view source);

// Reads and parses a file. Errors name the file and the offending key.
core::Result<Config> LoadConfig(const std::string& path);

// "127.0.0.1:8080" -> host, port. Used by the config and by --listen.
core::Result<std::pair<std::string, std::uint16_t>> ParseListenAddress(std::string_view text);

}  // namespace socialgate::config
