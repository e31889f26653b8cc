#include "store/status_order.hpp"

namespace socialgate::store {
namespace {

using core::MessageStatus;

// The position on the way forward; `failed` has none.
int Rank(MessageStatus s) {
  switch (s) {
    case MessageStatus::kQueued:
      return 0;
    case MessageStatus::kSending:
      return 1;
    case MessageStatus::kAccepted:
      return 2;
    case MessageStatus::kSent:
      return 3;
    case MessageStatus::kDelivered:
      return 4;
    case MessageStatus::kRead:
      return 5;
    case MessageStatus::kFailed:
      return -1;
  }
  return -1;
}

}  // namespace

bool StatusMovesForward(MessageStatus current, MessageStatus next) {
  if (current == MessageStatus::kFailed) return false;
  if (next == MessageStatus::kFailed) return Rank(current) < Rank(MessageStatus::kDelivered);
  return Rank(next) > Rank(current);
}

bool IsPending(MessageStatus status) {
  return status == MessageStatus::kQueued || status == MessageStatus::kSending;
}

}  // namespace socialgate::store
