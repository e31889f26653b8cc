#include "config/conversations_config.hpp"

namespace socialgate::config {
core::Result<void> ReadConversationSettings(const Reader& r, const toml::table& t,
                                            ConversationSettings& s) {
  SG_RETURN_IF_ERROR(r.OnlyKeys(t, "conversations",
                                {"chat_idle_timeout_ms", "media_max_bytes", "media_max_age_ms",
                                 "media_retry_ms", "retention_interval_ms"}));
  SG_RETURN_IF_ERROR(
      r.Millis(t, "conversations", "chat_idle_timeout_ms", s.chat_idle_timeout, 30 * kDayMs));
  if (s.chat_idle_timeout.count() < 1000) {
    return tl::unexpected(r.Fail("conversations.chat_idle_timeout_ms", "must be at least 1000"));
  }
  std::int64_t max_bytes = static_cast<std::int64_t>(s.media_max_bytes);
  SG_RETURN_IF_ERROR(
      r.Integer(t, "conversations", "media_max_bytes", max_bytes, 1024, 100LL * 1024 * 1024));
  s.media_max_bytes = static_cast<std::size_t>(max_bytes);
  SG_RETURN_IF_ERROR(
      r.Millis(t, "conversations", "media_max_age_ms", s.media_max_age, 30 * kDayMs));
  SG_RETURN_IF_ERROR(r.Millis(t, "conversations", "media_retry_ms", s.media_retry, kDayMs));
  if (s.media_max_age.count() < 60'000) {
    return tl::unexpected(r.Fail("conversations.media_max_age_ms", "must be at least 60000"));
  }
  SG_RETURN_IF_ERROR(
      r.Millis(t, "conversations", "retention_interval_ms", s.retention_interval, kDayMs));
  if (s.retention_interval.count() < 100) {
    return tl::unexpected(r.Fail("conversations.retention_interval_ms", "must be at least 100"));
  }
  if (s.media_retry.count() < 100) {
    return tl::unexpected(r.Fail("conversations.media_retry_ms", "must be at least 100"));
  }
  return {};
}

}  // namespace socialgate::config
