#include "config/webhooks_config.hpp"

namespace socialgate::config {
namespace {

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
  if (path.rfind("/livechat/", 0) == 0 || path == "/livechat" || path == "/healthz" ||
      path == "/readyz") {
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

}  // namespace socialgate::config
