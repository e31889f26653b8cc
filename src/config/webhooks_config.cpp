#include "config/webhooks_config.hpp"

#include <sodium.h>

namespace socialgate::config {
namespace {

// The key a Standard Webhooks secret encodes: "whsec_" and the base64 (standard alphabet, with
// padding) of 24 to 64 random bytes.
core::Result<std::string> DecodeWebhookSecret(std::string_view text) {
  constexpr std::string_view kPrefix = "whsec_";
  const auto refuse = [](std::string why) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, std::move(why));
  };
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    return refuse("the secret must start with \"whsec_\" (a Standard Webhooks secret)");
  }
  const std::string_view base64 = text.substr(kPrefix.size());
  std::string key(base64.size(), '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), base64.data(),
                        base64.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != base64.data() + base64.size()) {
    return refuse("the secret after \"whsec_\" must be base64 (standard alphabet, padded)");
  }
  if (length < 24 || length > 64) {
    return refuse("the secret must encode 24 to 64 bytes, not " + std::to_string(length));
  }
  key.resize(length);
  return key;
}

constexpr std::size_t kMaxPathBytes = 256;

// A path of its own: absolute, plain, and clear of the API's routes.
core::Result<void> CheckPath(const Reader& r, const std::string& key, const std::string& path) {
  if (path.empty() || path.front() != '/' || path.size() > kMaxPathBytes) {
    return tl::unexpected(r.Fail(key, "must be an absolute path of at most " +
                                          std::to_string(kMaxPathBytes) + " bytes, like " +
                                          "\"/webhooks/meta\""));
  }
  for (const char c : path) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '/' || c == '-' || c == '_' || c == '.' || c == '~';
    if (!plain) {
      return tl::unexpected(r.Fail(key,
                                   "may hold only letters, digits, '/', '-', '_', '.' and "
                                   "'~' (got \"" +
                                       path + "\")"));
    }
  }
  if (path.find("//") != std::string::npos || (path.size() > 1 && path.back() == '/')) {
    return tl::unexpected(
        r.Fail(key, "must not hold an empty segment or end in '/' (got \"" + path + "\")"));
  }
  if (path.rfind("/livechat/", 0) == 0 || path == "/livechat" || path == "/healthz" ||
      path == "/readyz" || path == "/") {
    return tl::unexpected(r.Fail(key, "\"" + path + "\" is a path of the gateway's own API"));
  }
  return {};
}

}  // namespace

core::Result<void> ReadWebhooks(const Reader& r, const toml::table& t, WebhookSettings& w) {
  SG_RETURN_IF_ERROR(r.OnlyKeys(t, "webhooks", {"meta", "hold_unmatched_ms", "keep_events_ms"}));
  SG_RETURN_IF_ERROR(r.Millis(t, "webhooks", "hold_unmatched_ms", w.hold_unmatched, 30 * kDayMs));
  SG_RETURN_IF_ERROR(r.Millis(t, "webhooks", "keep_events_ms", w.keep_events, 365 * kDayMs));
  const toml::node* meta_node = t.get("meta");
  if (meta_node == nullptr) return {};
  const toml::table* mt = meta_node->as_table();
  if (mt == nullptr) return tl::unexpected(r.Fail("webhooks.meta", "must be a table"));
  const std::string where = "webhooks.meta";
  SG_RETURN_IF_ERROR(r.OnlyKeys(
      *mt, where,
      {"path", "verify_token_env", "verify_token_file", "app_secret_env", "app_secret_file"}));
  MetaWebhookSettings m;
  SG_RETURN_IF_ERROR(r.String(*mt, where, "path", m.path));
  SG_RETURN_IF_ERROR(CheckPath(r, where + ".path", m.path));
  SG_RETURN_IF_ERROR(
      ReadSecret(r, *mt, where, "verify_token", m.verify_token, m.verify_token_source));
  SG_RETURN_IF_ERROR(ReadSecret(r, *mt, where, "app_secret", m.app_secret, m.app_secret_source));
  w.meta = std::move(m);
  return {};
}

core::Result<void> ReadCallbacks(const Reader& r, const toml::table& t, const std::string& where,
                                 CallbackSettings& c) {
  SG_RETURN_IF_ERROR(
      r.OnlyKeys(t, where, {"url", "secret_env", "secret_file", "timeout_ms", "max_age_ms"}));
  SG_RETURN_IF_ERROR(r.String(t, where, "url", c.url));
  if (c.url.rfind("https://", 0) != 0 && c.url.rfind("http://", 0) != 0) {
    return tl::unexpected(r.Fail(where + ".url", "is required: an https:// or http:// URL"));
  }
  for (const char ch : c.url) {
    if (ch <= 0x20 || ch >= 0x7f) {
      return tl::unexpected(
          r.Fail(where + ".url", "must be printable ASCII without spaces (encode the rest)"));
    }
  }
  SG_RETURN_IF_ERROR(r.Millis(t, where, "timeout_ms", c.timeout, 120'000));
  if (c.timeout.count() < 100) {
    return tl::unexpected(r.Fail(where + ".timeout_ms", "must be at least 100"));
  }
  SG_RETURN_IF_ERROR(r.Millis(t, where, "max_age_ms", c.max_age, 30 * kDayMs));
  if (c.max_age.count() < 1000) {
    return tl::unexpected(r.Fail(where + ".max_age_ms", "must be at least 1000"));
  }
  std::string text;
  SG_RETURN_IF_ERROR(ReadSecret(r, t, where, "secret", text, c.secret_source));
  auto key = DecodeWebhookSecret(text);
  if (!key) {
    return tl::unexpected(
        r.Fail(where + (c.secret_source.rfind("env:", 0) == 0 ? ".secret_env" : ".secret_file"),
               key.error().message));
  }
  c.secret = std::move(*key);
  return {};
}

}  // namespace socialgate::config
