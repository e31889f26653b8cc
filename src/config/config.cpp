#include "config/config.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "config/conversations_config.hpp"
#include "config/reader.hpp"
#include "config/templates_config.hpp"
#include "config/webhooks_config.hpp"
#include "core/phone_number.hpp"
#include "core/text.hpp"
#include "util/ip_network.hpp"

namespace socialgate::config {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;

Result<void> ReadServer(const Reader& r, const toml::table& t, ServerSettings& s) {
  SG_RETURN_IF_ERROR(
      r.OnlyKeys(t, "server",
                 {"listen", "threads", "workers", "max_body_bytes", "max_header_bytes",
                  "header_timeout_ms", "read_timeout_ms", "idle_timeout_ms", "max_connections",
                  "shutdown_grace_ms", "trusted_proxies", "tls", "max_unauthenticated_body_bytes",
                  "body_budget_bytes", "credential_workers"}));
  std::string listen;
  SG_RETURN_IF_ERROR(r.String(t, "server", "listen", listen));
  if (!listen.empty()) {
    auto addr = ParseListenAddress(listen);
    if (!addr) return tl::unexpected(r.Fail("server.listen", addr.error().message));
    s.host = addr->first;
    s.port = addr->second;
  }
  SG_RETURN_IF_ERROR(r.Integer(t, "server", "threads", s.threads, 1, 256));
  SG_RETURN_IF_ERROR(r.Integer(t, "server", "workers", s.workers, 1, 256));
  SG_RETURN_IF_ERROR(r.Integer(t, "server", "max_body_bytes", s.max_body_bytes, 1024, 1LL << 30));
  SG_RETURN_IF_ERROR(r.Integer(t, "server", "max_header_bytes", s.max_header_bytes, 1024, 1 << 20));
  SG_RETURN_IF_ERROR(r.Integer(t, "server", "max_unauthenticated_body_bytes",
                               s.max_unauthenticated_body_bytes, 1024, 1 << 24));
  SG_RETURN_IF_ERROR(
      r.Integer(t, "server", "body_budget_bytes", s.body_budget_bytes, 1024, 1LL << 40));
  if (s.body_budget_bytes < s.max_body_bytes) {
    return tl::unexpected(r.Fail("server.body_budget_bytes",
                                 "must be at least server.max_body_bytes (" +
                                     std::to_string(s.max_body_bytes) +
                                     "), or no request of the largest size could ever be read"));
  }
  SG_RETURN_IF_ERROR(r.Integer(t, "server", "credential_workers", s.credential_workers, 1, 64));
  SG_RETURN_IF_ERROR(r.Millis(t, "server", "header_timeout_ms", s.header_timeout, kDayMs));
  SG_RETURN_IF_ERROR(r.Millis(t, "server", "read_timeout_ms", s.read_timeout, kDayMs));
  SG_RETURN_IF_ERROR(r.Millis(t, "server", "idle_timeout_ms", s.idle_timeout, kDayMs));
  SG_RETURN_IF_ERROR(r.Integer(t, "server", "max_connections", s.max_connections, 1, 1'000'000));
  SG_RETURN_IF_ERROR(r.Millis(t, "server", "shutdown_grace_ms", s.shutdown_grace, kDayMs));
  if (const toml::node* proxies = t.get("trusted_proxies")) {
    const toml::array* list = proxies->as_array();
    if (list == nullptr) {
      return tl::unexpected(r.Fail("server.trusted_proxies", "must be an array of strings"));
    }
    for (const auto& v : *list) {
      auto entry = v.value<std::string>();
      if (!v.is_string() || !entry) {
        return tl::unexpected(r.Fail("server.trusted_proxies", "must be an array of strings"));
      }
      s.trusted_proxies.push_back(*entry);
    }
    auto parsed = util::TrustedProxies::Parse(s.trusted_proxies);
    if (!parsed) return tl::unexpected(r.Fail("server.trusted_proxies", parsed.error().message));
  }
  if (const toml::node* tls = t.get("tls")) {
    const toml::table* table = tls->as_table();
    if (table == nullptr) return tl::unexpected(r.Fail("server.tls", "must be a table"));
    SG_RETURN_IF_ERROR(r.OnlyKeys(*table, "server.tls", {"cert_file", "key_file"}));
    SG_RETURN_IF_ERROR(r.String(*table, "server.tls", "cert_file", s.tls_cert_file));
    SG_RETURN_IF_ERROR(r.String(*table, "server.tls", "key_file", s.tls_key_file));
    if (s.tls_cert_file.empty() || s.tls_key_file.empty()) {
      return tl::unexpected(
          r.Fail("server.tls", "needs both cert_file and key_file (PEM files) to serve HTTPS"));
    }
  }
  return {};
}

Result<void> ReadDispatch(const Reader& r, const toml::table& t, DispatchSettings& d) {
  SG_RETURN_IF_ERROR(
      r.OnlyKeys(t, "dispatch",
                 {"workers", "max_in_flight", "poll_interval_ms", "lease_ms", "number_lease_ms",
                  "max_attempts", "max_age_ms", "base_backoff_ms", "max_backoff_ms",
                  "pair_per_minute", "pair_burst", "breaker_failures", "breaker_cooldown_ms",
                  "breaker_max_cooldown_ms", "max_outbox"}));
  SG_RETURN_IF_ERROR(r.Millis(t, "dispatch", "max_age_ms", d.max_age, 30 * kDayMs));
  SG_RETURN_IF_ERROR(r.Integer(t, "dispatch", "pair_burst", d.pair_burst, 1, 10'000));
  SG_RETURN_IF_ERROR(r.Integer(t, "dispatch", "breaker_failures", d.breaker_failures, 1, 10'000));
  SG_RETURN_IF_ERROR(r.Millis(t, "dispatch", "breaker_cooldown_ms", d.breaker_cooldown, kDayMs));
  SG_RETURN_IF_ERROR(
      r.Millis(t, "dispatch", "breaker_max_cooldown_ms", d.breaker_max_cooldown, kDayMs));
  SG_RETURN_IF_ERROR(r.Integer(t, "dispatch", "max_outbox", d.max_outbox, 1, 1'000'000'000));
  SG_RETURN_IF_ERROR(r.Number(t, "dispatch", "pair_per_minute", d.pair_per_minute, 0, 6000));
  SG_RETURN_IF_ERROR(r.Integer(t, "dispatch", "workers", d.workers, 1, 1024));
  SG_RETURN_IF_ERROR(r.Integer(t, "dispatch", "max_in_flight", d.max_in_flight, 1, 100'000));
  SG_RETURN_IF_ERROR(r.Millis(t, "dispatch", "poll_interval_ms", d.poll_interval, 3'600'000));
  SG_RETURN_IF_ERROR(r.Millis(t, "dispatch", "lease_ms", d.lease, kDayMs));
  SG_RETURN_IF_ERROR(r.Integer(t, "dispatch", "max_attempts", d.max_attempts, 1, 1000));
  SG_RETURN_IF_ERROR(r.Millis(t, "dispatch", "base_backoff_ms", d.base_backoff, kDayMs));
  SG_RETURN_IF_ERROR(r.Millis(t, "dispatch", "max_backoff_ms", d.max_backoff, kDayMs));
  SG_RETURN_IF_ERROR(r.Millis(t, "dispatch", "number_lease_ms", d.number_lease, kDayMs));
  if (d.lease.count() < 1000) return tl::unexpected(r.Fail("dispatch.lease_ms", "must be >= 1000"));
  if (d.number_lease.count() < 1000) {
    return tl::unexpected(r.Fail("dispatch.number_lease_ms", "must be >= 1000"));
  }
  return {};
}

Result<void> ReadMeta(const Reader& r, const toml::table& t, const std::string& where,
                      MetaSettings& m) {
  SG_RETURN_IF_ERROR(r.OnlyKeys(
      t, where,
      {"phone_number_id", "base_url", "api_version", "access_token_env", "access_token_file",
       "connect_timeout_ms", "timeout_ms", "media_ttl_ms", "waba_id"}));
  SG_RETURN_IF_ERROR(ReadWabaId(r, t, where, m));
  SG_RETURN_IF_ERROR(r.String(t, where, "phone_number_id", m.phone_number_id));
  if (m.phone_number_id.empty() ||
      m.phone_number_id.find_first_not_of("0123456789") != std::string::npos) {
    return tl::unexpected(
        r.Fail(where + ".phone_number_id", "is required: Meta's numeric id of the number"));
  }
  SG_RETURN_IF_ERROR(r.String(t, where, "base_url", m.base_url));
  while (!m.base_url.empty() && m.base_url.back() == '/') m.base_url.pop_back();
  if (m.base_url.rfind("https://", 0) != 0 && m.base_url.rfind("http://", 0) != 0) {
    return tl::unexpected(r.Fail(where + ".base_url", "must start with https:// or http://"));
  }
  SG_RETURN_IF_ERROR(r.String(t, where, "api_version", m.api_version));
  if (m.api_version.size() < 2 || m.api_version[0] != 'v') {
    return tl::unexpected(r.Fail(where + ".api_version", "must look like v23.0"));
  }
  SG_RETURN_IF_ERROR(r.Millis(t, where, "connect_timeout_ms", m.connect_timeout, 600'000));
  SG_RETURN_IF_ERROR(r.Millis(t, where, "timeout_ms", m.timeout, 600'000));
  SG_RETURN_IF_ERROR(r.Millis(t, where, "media_ttl_ms", m.media_ttl, 30 * kDayMs));
  SG_RETURN_IF_ERROR(
      ReadSecret(r, t, where, "access_token", m.access_token, m.access_token_source));
  return {};
}

Result<void> ReadNumber(const Reader& r, const toml::table& t, const std::string& where,
                        BusinessNumber& n) {
  SG_RETURN_IF_ERROR(r.OnlyKeys(
      t, where, {"phone", "provider", "messages_per_second", "sandbox", "meta", "templates_file"}));
  SG_RETURN_IF_ERROR(r.Number(t, where, "messages_per_second", n.messages_per_second, 0.01, 1000));
  std::string phone;
  SG_RETURN_IF_ERROR(r.String(t, where, "phone", phone));
  if (phone.empty()) return tl::unexpected(r.Fail(where + ".phone", "is required"));
  auto normalised = core::NormalizePhoneNumber(where + ".phone", phone);
  if (!normalised) return tl::unexpected(r.Fail(where + ".phone", normalised.error().message));
  n.phone = *normalised;
  std::string provider = "sandbox";
  SG_RETURN_IF_ERROR(r.String(t, where, "provider", provider));
  const std::optional<ProviderKind> kind = ParseProviderKind(provider);
  if (!kind) {
    // "must be "sandbox" or "meta"": every name config/provider_kind.hpp knows.
    std::string names;
    for (std::size_t i = 0; i < kProviderNames.size(); ++i) {
      if (i > 0) names += i + 1 == kProviderNames.size() ? " or " : ", ";
      names += "\"" + std::string(kProviderNames[i].name) + "\"";
    }
    return tl::unexpected(
        r.Fail(where + ".provider", "must be " + names + " (got \"" + provider + "\")"));
  }
  n.provider = *kind;
  if (n.provider == ProviderKind::kMeta) {
    const toml::table* mt = t.get_as<toml::table>("meta");
    if (mt == nullptr) {
      return tl::unexpected(r.Fail(where + ".meta", "is required when provider is \"meta\""));
    }
    SG_RETURN_IF_ERROR(ReadMeta(r, *mt, where + ".meta", n.meta));
  }
  if (const toml::table* sb = t.get_as<toml::table>("sandbox")) {
    const std::string sw = where + ".sandbox";
    SG_RETURN_IF_ERROR(r.OnlyKeys(
        *sb, sw, {"sent_after_ms", "delivered_after_ms", "read_after_ms", "templates_file"}));
    SG_RETURN_IF_ERROR(r.Millis(*sb, sw, "sent_after_ms", n.sandbox.sent_after, kDayMs));
    SG_RETURN_IF_ERROR(r.Millis(*sb, sw, "delivered_after_ms", n.sandbox.delivered_after, kDayMs));
    SG_RETURN_IF_ERROR(r.Millis(*sb, sw, "read_after_ms", n.sandbox.read_after, kDayMs));
  }
  SG_RETURN_IF_ERROR(ReadTemplatesFile(r, t, t.get_as<toml::table>("sandbox"), where, n));
  return {};
}

Result<void> ReadDomain(const Reader& r, const toml::table& t, const std::string& where,
                        Domain& d) {
  SG_RETURN_IF_ERROR(
      r.OnlyKeys(t, where,
                 {"name", "ack", "ack_timeout_ms", "max_attempts", "max_age_ms", "api_token_hash",
                  "session_ttl_ms", "users", "numbers", "callbacks", "templates",
                  "content_retention_ms", "message_retention_ms"}));
  SG_RETURN_IF_ERROR(ReadTemplatePolicy(r, t, where, d));
  SG_RETURN_IF_ERROR(
      r.Millis(t, where, "content_retention_ms", d.content_retention, 3650 * kDayMs));
  if (d.content_retention.count() > 0 && d.content_retention.count() < 1000) {
    return tl::unexpected(
        r.Fail(where + ".content_retention_ms", "must be 0 (off) or at least 1000"));
  }
  SG_RETURN_IF_ERROR(
      r.Millis(t, where, "message_retention_ms", d.message_retention, 3650 * kDayMs));
  if (d.message_retention.count() > 0 && d.message_retention.count() < 1000) {
    return tl::unexpected(r.Fail(where + ".message_retention_ms",
                                 "must be 0 (messages kept for ever) or at least 1000"));
  }
  if (const toml::node* callbacks = t.get("callbacks")) {
    const toml::table* ct = callbacks->as_table();
    if (ct == nullptr) return tl::unexpected(r.Fail(where + ".callbacks", "must be a table"));
    CallbackSettings c;
    SG_RETURN_IF_ERROR(ReadCallbacks(r, *ct, where + ".callbacks", c));
    d.callbacks = std::move(c);
  }
  SG_RETURN_IF_ERROR(r.String(t, where, "api_token_hash", d.api_token_hash));
  if (!d.api_token_hash.empty() && d.api_token_hash.rfind("$argon2id$", 0) != 0) {
    return tl::unexpected(r.Fail(where + ".api_token_hash",
                                 "must be an argon2id hash from `socialgate hash-secret`"));
  }
  SG_RETURN_IF_ERROR(r.Millis(t, where, "session_ttl_ms", d.session_ttl, 30 * kDayMs));
  if (d.session_ttl.count() < 1000) {
    return tl::unexpected(r.Fail(where + ".session_ttl_ms", "must be at least 1000"));
  }
  SG_RETURN_IF_ERROR(r.Integer(t, where, "max_attempts", d.max_attempts, 1, 1000));
  SG_RETURN_IF_ERROR(r.Millis(t, where, "max_age_ms", d.max_age, 30 * kDayMs));
  SG_RETURN_IF_ERROR(r.String(t, where, "name", d.name));
  d.name = core::AsciiLower(d.name);
  if (d.name.empty()) return tl::unexpected(r.Fail(where + ".name", "is required"));
  for (char c : d.name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      return tl::unexpected(
          r.Fail(where + ".name", "may hold only letters, digits, '-', '_' and '.'"));
    }
  }
  std::string ack = "provider";
  SG_RETURN_IF_ERROR(r.String(t, where, "ack", ack));
  if (ack == "provider") {
    d.ack = AckMode::kProvider;
  } else if (ack == "stored") {
    d.ack = AckMode::kStored;
  } else {
    return tl::unexpected(r.Fail(where + ".ack", "must be \"provider\" or \"stored\""));
  }
  SG_RETURN_IF_ERROR(r.Millis(t, where, "ack_timeout_ms", d.ack_timeout, 600'000));

  if (const toml::node* users = t.get("users")) {
    const toml::array* arr = users->as_array();
    if (arr == nullptr)
      return tl::unexpected(r.Fail(where + ".users", "must be an array of tables"));
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const std::string uw = where + ".users[" + std::to_string(i) + "]";
      const toml::table* ut = arr->get(i)->as_table();
      if (ut == nullptr) return tl::unexpected(r.Fail(uw, "must be a table"));
      SG_RETURN_IF_ERROR(r.OnlyKeys(*ut, uw, {"name", "password_hash", "numbers"}));
      User u;
      SG_RETURN_IF_ERROR(r.String(*ut, uw, "name", u.name));
      SG_RETURN_IF_ERROR(r.String(*ut, uw, "password_hash", u.password_hash));
      if (const toml::node* nums = ut->get("numbers")) {
        const toml::array* phones = nums->as_array();
        if (phones == nullptr) {
          return tl::unexpected(r.Fail(uw + ".numbers", "must be an array of phone numbers"));
        }
        for (const auto& v : *phones) {
          auto text = v.value<std::string>();
          if (!v.is_string() || !text) {
            return tl::unexpected(r.Fail(uw + ".numbers", "must be an array of phone numbers"));
          }
          auto phone = core::NormalizePhoneNumber(uw + ".numbers", *text);
          if (!phone) return tl::unexpected(r.Fail(uw + ".numbers", phone.error().message));
          u.numbers.push_back(*phone);
        }
      }
      if (u.name.empty()) return tl::unexpected(r.Fail(uw + ".name", "is required"));
      if (u.name.find(':') != std::string::npos) {
        return tl::unexpected(r.Fail(uw + ".name", "must not contain ':' (Basic auth)"));
      }
      if (u.password_hash.rfind("$argon2id$", 0) != 0) {
        return tl::unexpected(r.Fail(uw + ".password_hash",
                                     "must be an argon2id hash from `socialgate hash-secret`"));
      }
      for (const auto& other : d.users) {
        if (other.name == u.name) return tl::unexpected(r.Fail(uw + ".name", "is a duplicate"));
      }
      d.users.push_back(std::move(u));
    }
  }
  if (const toml::node* numbers = t.get("numbers")) {
    const toml::array* arr = numbers->as_array();
    if (arr == nullptr) {
      return tl::unexpected(r.Fail(where + ".numbers", "must be an array of tables"));
    }
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const std::string nw = where + ".numbers[" + std::to_string(i) + "]";
      const toml::table* nt = arr->get(i)->as_table();
      if (nt == nullptr) return tl::unexpected(r.Fail(nw, "must be a table"));
      BusinessNumber n;
      SG_RETURN_IF_ERROR(ReadNumber(r, *nt, nw, n));
      d.numbers.push_back(std::move(n));
    }
  }
  for (std::size_t i = 0; i < d.users.size(); ++i) {
    for (const auto& phone : d.users[i].numbers) {
      const bool known = std::any_of(d.numbers.begin(), d.numbers.end(),
                                     [&](const BusinessNumber& n) { return n.phone == phone; });
      if (!known) {
        return tl::unexpected(r.Fail(where + ".users[" + std::to_string(i) + "].numbers",
                                     phone + " is not a business number of this domain"));
      }
    }
  }
  return {};
}

}  // namespace

const Domain* Config::FindDomain(std::string_view name) const {
  const std::string lower = core::AsciiLower(name);
  for (const auto& d : domains) {
    if (d.name == lower) return &d;
  }
  return nullptr;
}

Result<std::pair<std::string, std::uint16_t>> ParseListenAddress(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "must be HOST:PORT, e.g. 127.0.0.1:8080 (got '" + std::string(text) + "')");
  }
  std::string host(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535) {
    return MakeError(ErrorCode::kInvalidArgument, "port must be a number from 0 to 65535 (got '" +
                                                      std::string(port_text) + "')");
  }
  return std::make_pair(host, static_cast<std::uint16_t>(port));
}

Result<Config> ParseConfig(std::string_view toml_text, std::string_view source) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    return MakeError(ErrorCode::kInvalidArgument, msg.str());
  }
  Reader r{std::string(source)};
  Config c;
  SG_RETURN_IF_ERROR(r.OnlyKeys(root, "",
                                {"server", "log", "storage", "dispatch", "webhooks", "templates",
                                 "conversations", "languages", "domains", "example"}));
  if (const toml::table* t = root.get_as<toml::table>("log")) {
    SG_RETURN_IF_ERROR(r.OnlyKeys(*t, "log", {"level", "format"}));
    SG_RETURN_IF_ERROR(r.String(*t, "log", "level", c.log.level));
    SG_RETURN_IF_ERROR(r.String(*t, "log", "format", c.log.format));
    const std::set<std::string_view> levels = {"trace", "debug", "info", "warn", "error"};
    if (levels.count(c.log.level) == 0) {
      return tl::unexpected(r.Fail("log.level", "must be trace, debug, info, warn or error, not '" +
                                                    c.log.level.substr(0, 32) + "'"));
    }
    if (c.log.format != "text" && c.log.format != "json") {
      return tl::unexpected(r.Fail(
          "log.format", "must be \"text\" or \"json\", not '" + c.log.format.substr(0, 32) + "'"));
    }
  }
  if (const toml::table* t = root.get_as<toml::table>("server")) {
    SG_RETURN_IF_ERROR(ReadServer(r, *t, c.server));
  }
  if (const toml::table* t = root.get_as<toml::table>("storage")) {
    SG_RETURN_IF_ERROR(r.OnlyKeys(*t, "storage", {"url"}));
    SG_RETURN_IF_ERROR(r.String(*t, "storage", "url", c.storage_url));
  }
  if (const toml::table* t = root.get_as<toml::table>("dispatch")) {
    SG_RETURN_IF_ERROR(ReadDispatch(r, *t, c.dispatch));
  }
  if (const toml::table* t = root.get_as<toml::table>("webhooks")) {
    SG_RETURN_IF_ERROR(ReadWebhooks(r, *t, c.webhooks));
  }
  if (const toml::table* t = root.get_as<toml::table>("templates")) {
    SG_RETURN_IF_ERROR(ReadTemplateSettings(r, *t, c.templates));
  }
  if (const toml::table* t = root.get_as<toml::table>("conversations")) {
    SG_RETURN_IF_ERROR(ReadConversationSettings(r, *t, c.conversations));
  }
  if (const toml::table* t = root.get_as<toml::table>("languages")) {
    SG_RETURN_IF_ERROR(r.OnlyKeys(*t, "languages", {"extra"}));
    if (const toml::array* extra = t->get_as<toml::array>("extra")) {
      for (const auto& v : *extra) {
        auto s = v.value<std::string>();
        if (!v.is_string() || !s || s->empty()) {
          return tl::unexpected(r.Fail("languages.extra", "must be an array of strings"));
        }
        c.extra_languages.push_back(*s);
      }
    }
  }
  const toml::array* domains = root.get_as<toml::array>("domains");
  if (domains == nullptr || domains->empty()) {
    return tl::unexpected(r.Fail("domains", "at least one [[domains]] table is required"));
  }
  for (std::size_t i = 0; i < domains->size(); ++i) {
    const std::string where = "domains[" + std::to_string(i) + "]";
    const toml::table* t = domains->get(i)->as_table();
    if (t == nullptr) return tl::unexpected(r.Fail(where, "must be a table"));
    Domain d;
    SG_RETURN_IF_ERROR(ReadDomain(r, *t, where, d));
    if (c.FindDomain(d.name) != nullptr) {
      return tl::unexpected(r.Fail(where + ".name", "duplicate domain '" + d.name + "'"));
    }
    c.domains.push_back(std::move(d));
  }
  // Meta's callbacks are routed by phone_number_id: two numbers with one would share them.
  std::set<std::string> seen_phone_number_ids;
  for (std::size_t i = 0; i < c.domains.size(); ++i) {
    for (std::size_t j = 0; j < c.domains[i].numbers.size(); ++j) {
      const auto& n = c.domains[i].numbers[j];
      if (n.provider == ProviderKind::kMeta &&
          !seen_phone_number_ids.insert(n.meta.phone_number_id).second) {
        return tl::unexpected(r.Fail("domains[" + std::to_string(i) + "].numbers[" +
                                         std::to_string(j) + "].meta.phone_number_id",
                                     "phone_number_id " + n.meta.phone_number_id +
                                         " is configured for more than one number"));
      }
    }
  }
  // A business number belongs to exactly one domain: that is what keeps tenants apart.
  std::set<std::string> seen_numbers;
  for (std::size_t i = 0; i < c.domains.size(); ++i) {
    for (std::size_t j = 0; j < c.domains[i].numbers.size(); ++j) {
      const auto& phone = c.domains[i].numbers[j].phone;
      if (!seen_numbers.insert(phone).second) {
        return tl::unexpected(
            r.Fail("domains[" + std::to_string(i) + "].numbers[" + std::to_string(j) + "].phone",
                   "number " + phone + " is configured more than once"));
      }
    }
  }
  if (const toml::table* t = root.get_as<toml::table>("example")) {
    SG_RETURN_IF_ERROR(r.OnlyKeys(*t, "example", {"domain", "user", "password"}));
    Example e;
    SG_RETURN_IF_ERROR(r.String(*t, "example", "domain", e.domain));
    SG_RETURN_IF_ERROR(r.String(*t, "example", "user", e.user));
    SG_RETURN_IF_ERROR(r.String(*t, "example", "password", e.password));
    if (c.FindDomain(e.domain) == nullptr) {
      return tl::unexpected(r.Fail("example.domain", "is not a configured domain"));
    }
    c.example = std::move(e);
  }
  return c;
}

Result<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError(ErrorCode::kNotFound, "cannot read config file '" + path + "'");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path);
}

}  // namespace socialgate::config
