// File: store/status_order.hpp
//
// The order of message statuses, shared by every storage engine so they agree on when a late or
// repeated provider report changes the current status. Pure functions; thread-safe.
#pragma once

#include "core/message_status.hpp"

namespace socialgate::store {

// True when a message whose current status is `current` should take `next` as its new status.
// Statuses move forward only (queued < sending < accepted < sent < delivered < read); `failed`
// replaces anything before `delivered`; nothing replaces `failed`.
bool StatusMovesForward(core::MessageStatus current, core::MessageStatus next);

// True for the statuses the outbox depth counts: queued and sending.
bool IsPending(core::MessageStatus status);

}  // namespace socialgate::store
