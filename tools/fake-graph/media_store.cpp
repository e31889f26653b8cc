#include "fake-graph/media_store.hpp"

#include <utility>

namespace socialgate::fake_graph {

namespace {

// How long Meta says a media URL is valid.
constexpr std::int64_t kUrlSeconds = 300;

}  // namespace

bool MediaStore::Add(StoredMedia media) {
  const std::size_t size = media.bytes.size();
  if (size > max_bytes_) return false;
  std::string id = media.id;
  std::lock_guard lock(mutex_);
  if (const auto old = by_id_.find(id); old != by_id_.end()) {
    kept_bytes_ -= old->second->bytes.size();
    by_id_.erase(old);
    std::erase(order_, id);
  }
  while (kept_bytes_ + size > max_bytes_ && !order_.empty()) {
    const auto oldest = by_id_.find(order_.front());
    kept_bytes_ -= oldest->second->bytes.size();
    by_id_.erase(oldest);
    order_.pop_front();
  }
  kept_bytes_ += size;
  order_.push_back(id);
  by_id_.emplace(std::move(id), std::make_shared<const StoredMedia>(std::move(media)));
  return true;
}

std::shared_ptr<const StoredMedia> MediaStore::Find(std::string_view id) const {
  std::lock_guard lock(mutex_);
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

void MediaStore::Clear() {
  std::lock_guard lock(mutex_);
  by_id_.clear();
  order_.clear();
  kept_bytes_ = 0;
}

nlohmann::ordered_json MediaInfoJson(const StoredMedia& media, std::string_view base_url,
                                     std::int64_t unix_seconds) {
  std::string url(base_url);
  url += "/_fake/media-download/" + media.id + "?mid=" + media.id +
         "&ext=" + std::to_string(unix_seconds + kUrlSeconds);
  return {{"messaging_product", "whatsapp"}, {"url", std::move(url)},
          {"mime_type", media.mime_type},    {"sha256", media.sha256_hex},
          {"file_size", media.bytes.size()}, {"id", media.id}};
}

}  // namespace socialgate::fake_graph
