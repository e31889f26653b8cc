// File: fake-graph/media_store.hpp
//
// The media of the customers' messages a test made the fake post (POST /_fake/inbound), kept
// under a media id for the gateway to download as it does from Meta: GET /{version}/{media-id}
// answers the media's URL (MediaInfoJson), and GET of that URL (/_fake/media-download/{id})
// its bytes with its mime type.
//
// Bounds: at most `max_bytes` of media are kept; adding more forgets the oldest first (Meta's
// media ids expire too), and a media larger than the whole budget is not kept.
//
// Thread safety: every method may be called from any thread; lookups share the bytes, never
// copy them under the lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace socialgate::fake_graph {

inline constexpr std::size_t kDefaultMaxMediaBytes = 16 * 1024 * 1024;

struct StoredMedia {
  std::string id;
  std::string mime_type;
  std::string file_name;  // "" when not a document's
  std::string bytes;
  std::string sha256_hex;  // of bytes, lower-case hex (the media URL answer's sha256)
};

class MediaStore {
 public:
  explicit MediaStore(std::size_t max_bytes = kDefaultMaxMediaBytes) : max_bytes_(max_bytes) {}

  std::size_t max_bytes() const { return max_bytes_; }

  // Keeps `media` (its id and sha256_hex set by the caller), forgetting the oldest to make
  // room; false (nothing changed) when it is larger than max_bytes.
  bool Add(StoredMedia media);

  // The media of that id; null when unknown or forgotten.
  std::shared_ptr<const StoredMedia> Find(std::string_view id) const;

  // Forgets every media (POST /_fake/reset).
  void Clear();

 private:
  const std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const StoredMedia>, std::less<>> by_id_;
  std::deque<std::string> order_;  // ids, oldest first
  std::size_t kept_bytes_ = 0;
};

// Meta's answer to GET /{version}/{media-id}:
//   {"messaging_product":"whatsapp","url":"<base_url>/_fake/media-download/<id>?mid=<id>&ext=
//    <unix_seconds + 300>","mime_type":"...","sha256":"<hex>","file_size":<bytes, a number>,
//    "id":"<id>"}
// `base_url` is "http://" and the request's Host (RequestUrl), without a trailing '/'.
nlohmann::ordered_json MediaInfoJson(const StoredMedia& media, std::string_view base_url,
                                     std::int64_t unix_seconds);

}  // namespace socialgate::fake_graph
