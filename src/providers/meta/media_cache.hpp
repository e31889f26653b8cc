// File: providers/meta/media_cache.hpp
//
// Uploaded media ids of one business number, keyed by the SHA-256 of the bytes (and their MIME
// type), so the same PDF sent to 10,000 customers is uploaded once and its id reused until
// shortly before Meta forgets it. Concurrent sends of the same new file wait for one upload
// instead of each uploading it, for a bounded time.
//
// Thread safety: all methods may be called from many threads at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "util/clock.hpp"

namespace socialgate::providers::meta {

class MediaCache {
 public:
  // What GetOrUpload found or did.
  struct Lookup {
    std::optional<std::string> media_id;  // set when there is one
    bool uploaded = false;                // this call ran `upload`, which gave the id
    bool wait_expired = false;  // another caller's upload of the key outlasted max_wait: nothing
                                // ran and there is no id (a failure worth another try)
  };

  // `max_wait`: the longest a caller waits for another's upload of the same key; at least the
  // upload's own timeout, so that a waiter gives up only on an upload that should have ended.
  // Entries expire by `clock` (which must outlive the cache); waits are in real time.
  MediaCache(std::chrono::milliseconds ttl, std::chrono::milliseconds max_wait,
             std::size_t max_entries = 10'000, const util::Clock& clock = util::SystemClock());

  // The cached id for `key`; otherwise runs `upload` (one caller per key at a time; others wait
  // for its result, at most max_wait) and caches the id it returns. `upload` returns nullopt on
  // failure, which is not cached: the next caller (or a waiter) tries again. If `upload`
  // throws, the key is released and its waiters woken before the exception leaves this call.
  Lookup GetOrUpload(const std::string& key,
                     const std::function<std::optional<std::string>()>& upload);

  // Forgets `key` if it still maps to `media_id` (Meta no longer knows that id).
  void Invalidate(const std::string& key, const std::string& media_id);

  std::size_t size() const;

 private:
  struct Entry {
    std::string media_id;
    util::Clock::TimePoint expires;
  };
  void EvictLocked(util::Clock::TimePoint now);

  // Ends an upload of `key`: the key is free, waiters wake.
  void Release(const std::string& key);

  const std::chrono::milliseconds ttl_;
  const std::chrono::milliseconds max_wait_;
  const std::size_t max_entries_;
  const util::Clock& clock_;
  mutable std::mutex mutex_;
  std::condition_variable upload_done_;
  std::map<std::string, Entry> entries_;
  std::set<std::string> uploading_;
};

}  // namespace socialgate::providers::meta
