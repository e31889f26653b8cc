// File: store/status_order.hpp
//
// The order of message statuses, shared by every storage engine so they agree on when a late or
// repeated provider report changes the current status. Pure functions; thread-safe.
#pragma once

#include <string_view>

namespace socialgate::store {

// True when a message whose current status is `current` should take `next` as its new status.
// Statuses move forward only (sent < delivered < read); `failed` replaces anything before
// `delivered`; nothing replaces `failed`.
bool StatusMovesForward(std::string_view current, std::string_view next);

}  // namespace socialgate::store
