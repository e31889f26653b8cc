#include "providers/meta/media_cache.hpp"

#include <array>

#include <sodium.h>

namespace socialgate::providers::meta {

MediaCache::MediaCache(std::chrono::milliseconds ttl, std::size_t max_entries)
    : ttl_(ttl), max_entries_(max_entries) {}

std::optional<std::string> MediaCache::GetOrUpload(
    const std::string& key, const std::function<std::optional<std::string>()>& upload,
    bool* uploaded) {
  if (uploaded != nullptr) *uploaded = false;
  {
    std::unique_lock lock(mutex_);
    for (;;) {
      auto it = entries_.find(key);
      if (it != entries_.end() && it->second.expires > Clock::now()) return it->second.media_id;
      if (uploading_.count(key) == 0) break;
      // Another sender uploads this file now: wait for its id (bounded by its HTTP timeout).
      upload_done_.wait(lock);
    }
    uploading_.insert(key);
  }
  std::optional<std::string> id = upload();
  {
    std::lock_guard lock(mutex_);
    uploading_.erase(key);
    if (id) {
      const auto now = Clock::now();
      if (entries_.size() >= max_entries_) EvictLocked(now);
      entries_[key] = Entry{*id, now + ttl_};
    }
  }
  upload_done_.notify_all();
  if (uploaded != nullptr) *uploaded = id.has_value();
  return id;
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

void MediaCache::EvictLocked(Clock::time_point now) {
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
