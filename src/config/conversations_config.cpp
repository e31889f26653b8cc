#include "config/conversations_config.hpp"

namespace socialgate::config {
core::Result<void> ReadConversationSettings(const Reader& r, const toml::table& t,
                                            ConversationSettings& s) {
  SG_RETURN_IF_ERROR(r.OnlyKeys(t, "conversations", {"chat_idle_timeout_ms"}));
  SG_RETURN_IF_ERROR(
      r.Millis(t, "conversations", "chat_idle_timeout_ms", s.chat_idle_timeout, 30 * kDayMs));
  if (s.chat_idle_timeout.count() < 1000) {
    return tl::unexpected(r.Fail("conversations.chat_idle_timeout_ms", "must be at least 1000"));
  }
  return {};
}

}  // namespace socialgate::config
