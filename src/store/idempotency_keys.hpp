// File: store/idempotency_keys.hpp
//
// The Idempotency-Keys of send requests. A key is stored with its message, in the insert's own
// transaction (NewMessage::idempotency); this interface finds a key and records the first answer
// given for it. A key holds for a day (kIdempotencyKeyLifetimeMs), then may be used again.
//
// Thread safety: safe to call from many threads at once; both calls may block on disk I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "store/records.hpp"

namespace socialgate::store {

// What a key recorded: its message, and the first answer once it was given.
struct IdempotencyRecord {
  std::string message_id;
  std::string request_hash;
  std::optional<int> answer_status;
  std::string answer_body;
};

class IdempotencyKeys {
 public:
  virtual ~IdempotencyKeys() = default;
  IdempotencyKeys() = default;
  IdempotencyKeys(const IdempotencyKeys&) = delete;
  IdempotencyKeys& operator=(const IdempotencyKeys&) = delete;
  IdempotencyKeys(IdempotencyKeys&&) = delete;
  IdempotencyKeys& operator=(IdempotencyKeys&&) = delete;

  // The record of an idempotency key in `domain`; nullopt when the key is unknown or expired.
  virtual core::Result<std::optional<IdempotencyRecord>> FindIdempotencyKey(
      std::string_view domain, std::string_view key, std::int64_t now_ms) = 0;

  // Records the first answer given for a key (later calls do not overwrite it). A write: it
  // joins the next group commit and returns once that is durable.
  virtual core::Result<void> SaveIdempotentAnswer(std::string_view domain, std::string_view key,
                                                  int status, std::string_view body) = 0;
};

}  // namespace socialgate::store
