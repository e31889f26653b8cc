// File: store/sessions.hpp
//
// Login sessions (CTLive's ctlivetoken). Only the token's SHA-256 is stored.
//
// Thread safety: safe to call from many threads at once; every call may block on disk I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace socialgate::store {

struct Session {
  std::string token_hash;
  std::string domain;
  std::string user;
  std::int64_t created_at_ms = 0;
  std::int64_t expires_at_ms = 0;
};

class Sessions {
 public:
  virtual ~Sessions() = default;
  Sessions() = default;
  Sessions(const Sessions&) = delete;
  Sessions& operator=(const Sessions&) = delete;
  Sessions(Sessions&&) = delete;
  Sessions& operator=(Sessions&&) = delete;

  // Stores a session. Expired sessions are removed meanwhile (in the same write).
  virtual core::Result<void> CreateSession(const Session& session) = 0;
  // Only an unexpired session is found.
  virtual core::Result<std::optional<Session>> FindSession(std::string_view token_hash,
                                                           std::int64_t now_ms) = 0;
  // Whether there was one.
  virtual core::Result<bool> DeleteSession(std::string_view token_hash) = 0;
};

}  // namespace socialgate::store
