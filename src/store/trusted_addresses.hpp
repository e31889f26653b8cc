// File: store/trusted_addresses.hpp
//
// The addresses from which each user has authenticated successfully, kept across restarts for
// auth::Lockout (a user locked by a guesser elsewhere still gets in from where they always do).
// Its own interface: the lockout needs nothing else of the store.
//
// Thread safety: safe to call from many threads at once. ListTrustedAddresses may block on disk
// I/O; SaveTrustedAddressAsync only queues its write.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace socialgate::store {

// An address from which a user has authenticated successfully.
struct TrustedAddress {
  std::string domain;
  std::string user;
  std::string address;
  std::int64_t last_success_ms = 0;  // Unix ms
};

class TrustedAddresses {
 public:
  virtual ~TrustedAddresses() = default;
  TrustedAddresses() = default;
  TrustedAddresses(const TrustedAddresses&) = delete;
  TrustedAddresses& operator=(const TrustedAddresses&) = delete;
  TrustedAddresses(TrustedAddresses&&) = delete;
  TrustedAddresses& operator=(TrustedAddresses&&) = delete;

  // Records that `trusted.user` authenticated from `trusted.address` (a newer time replaces an
  // older one) without waiting: `done` gets the result on the store's thread and must not
  // block. Entries whose last success is older than `forget_before_ms` are removed meanwhile.
  // Not accepted work: when too many writes wait for the disk it is refused at once (on the
  // caller's thread) with kUnavailable.
  virtual void SaveTrustedAddressAsync(TrustedAddress trusted, std::int64_t forget_before_ms,
                                       std::function<void(core::Result<void>)> done) = 0;
  // The trusted addresses whose last success is at `since_ms` or later, newest first, at most
  // `limit`.
  virtual core::Result<std::vector<TrustedAddress>> ListTrustedAddresses(std::int64_t since_ms,
                                                                         int limit) = 0;
};

}  // namespace socialgate::store
