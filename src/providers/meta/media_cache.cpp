#include "providers/meta/media_cache.hpp"

#include <sodium.h>

namespace socialgate::providers::meta {

MediaCache::MediaCache(std::chrono::milliseconds ttl, std::chrono::milliseconds max_wait,
                       std::size_t max_entries, const util::Clock& clock)
    : ttl_(ttl), max_wait_(max_wait), max_entries_(max_entries), clock_(clock) {}

MediaCache::Lookup MediaCache::GetOrUpload(
    const std::string& key, const std::function<std::optional<std::string>()>& upload) {
  Lookup lookup;
  {
    std::unique_lock lock(mutex_);
    std::optional<std::chrono::steady_clock::time_point> deadline;  // real time: a wait
    bool waited_out = false;
    for (;;) {
      auto it = entries_.find(key);
      if (it != entries_.end() && it->second.expires > clock_.Now()) {
        lookup.media_id = it->second.media_id;
        return lookup;
      }
      if (uploading_.count(key) == 0) break;
      // Another sender uploads this file now: wait for its id, or for it to fail (then upload
      // here), but no longer than its upload may take.
      if (waited_out) {
        lookup.wait_expired = true;
        return lookup;
      }
      if (!deadline) deadline = std::chrono::steady_clock::now() + max_wait_;
      waited_out = upload_done_.wait_until(lock, *deadline) == std::cv_status::timeout;
    }
    uploading_.insert(key);
  }
  // However `upload` ends, a return or an exception, the key is released and waiters woken:
  // left marked, every later send of this file would wait for an upload that is not running.
  struct Releaser {
    MediaCache* cache;
    const std::string* key;
    ~Releaser() { cache->Release(*key); }
  } releaser{this, &key};
  std::optional<std::string> id = upload();
  if (id) {
    std::lock_guard lock(mutex_);
    const auto now = clock_.Now();
    if (entries_.size() >= max_entries_) EvictLocked(now);
    entries_[key] = Entry{*id, now + ttl_};
  }
  lookup.uploaded = id.has_value();
  lookup.media_id = std::move(id);
  return lookup;
}

void MediaCache::Release(const std::string& key) {
  {
    std::lock_guard lock(mutex_);
    uploading_.erase(key);
  }
  upload_done_.notify_all();
}

void MediaCache::Invalidate(const std::string& key, const std::string& media_id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.media_id == media_id) entries_.erase(it);
}

std::size_t MediaCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void MediaCache::EvictLocked(util::Clock::TimePoint now) {
  std::erase_if(entries_, [&](const auto& e) { return e.second.expires <= now; });
  // Still full: drop the entries closest to expiry (the oldest uploads).
  while (entries_.size() >= max_entries_) {
    auto oldest = entries_.begin();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.expires < oldest->second.expires) oldest = it;
    }
    entries_.erase(oldest);
  }
}

}  // namespace socialgate::providers::meta
