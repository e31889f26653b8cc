// File: providers/meta/media_cache.hpp
//
// Uploaded media ids of one business number, keyed by the SHA-256 of the bytes (and their MIME
// type), so the same PDF sent to 10,000 customers is uploaded once and its id reused until
// shortly before Meta forgets it. Concurrent sends of the same new file wait for one upload
// instead of each uploading it.
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

namespace socialgate::providers::meta {

class MediaCache {
 public:
  using Clock = std::chrono::steady_clock;

  MediaCache(std::chrono::milliseconds ttl, std::size_t max_entries = 10'000);

  // The cached id for `key`; otherwise runs `upload` (one caller per key at a time; others wait
  // for its result) and caches the id it returns. `upload` returns nullopt on failure, which is
  // not cached: the next caller tries again.
  std::optional<std::string> GetOrUpload(const std::string& key,
                                         const std::function<std::optional<std::string>()>& upload,
                                         bool* uploaded = nullptr);

  // Forgets `key` if it still maps to `media_id` (Meta no longer knows that id).
  void Invalidate(const std::string& key, const std::string& media_id);

  std::size_t size() const;

 private:
  struct Entry {
    std::string media_id;
    Clock::time_point expires;
  };
  void EvictLocked(Clock::time_point now);

  const std::chrono::milliseconds ttl_;
  const std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::condition_variable upload_done_;
  std::map<std::string, Entry> entries_;
  std::set<std::string> uploading_;
};

}  // namespace socialgate::providers::meta
