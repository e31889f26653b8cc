#include "core/message_status.hpp"

#include <array>
#include <string>
#include <utility>

namespace socialgate::core {
namespace {

constexpr std::array<std::pair<MessageStatus, std::string_view>, 7> kNames{{
    {MessageStatus::kQueued, "queued"},
    {MessageStatus::kSending, "sending"},
    {MessageStatus::kAccepted, "accepted"},
    {MessageStatus::kSent, "sent"},
    {MessageStatus::kDelivered, "delivered"},
    {MessageStatus::kRead, "read"},
    {MessageStatus::kFailed, "failed"},
}};

}  // namespace

std::string_view MessageStatusName(MessageStatus status) {
  for (const auto& [value, name] : kNames) {
    if (value == status) return name;
  }
  return "unknown";  // not reached: every enumerator has a name
}

Result<MessageStatus> ParseMessageStatus(std::string_view name) {
  for (const auto& [value, known] : kNames) {
    if (known == name) return value;
  }
  return MakeError(ErrorCode::kInvalidArgument, "unknown message status",
                   "unknown message status \"" + std::string(name) + "\"");
}

}  // namespace socialgate::core
