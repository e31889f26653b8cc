#include "providers/meta/media_cache.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace socialgate::providers::meta {
namespace {

using std::chrono::milliseconds;

TEST(MediaCacheTest, UploadsOnceThenReuses) {
  MediaCache cache(std::chrono::hours(1));
  int uploads = 0;
  auto upload = [&]() -> std::optional<std::string> {
    ++uploads;
    return "media-" + std::to_string(uploads);
  };
  bool fresh = false;
  EXPECT_EQ(cache.GetOrUpload("k", upload, &fresh), "media-1");
  EXPECT_TRUE(fresh);
  EXPECT_EQ(cache.GetOrUpload("k", upload, &fresh), "media-1");
  EXPECT_FALSE(fresh);
  EXPECT_EQ(cache.GetOrUpload("other", upload), "media-2");
  EXPECT_EQ(uploads, 2);
}

TEST(MediaCacheTest, FailuresAreNotCachedAndInvalidateForgets) {
  MediaCache cache(std::chrono::hours(1));
  EXPECT_FALSE(cache.GetOrUpload("k", [] { return std::optional<std::string>(); }));
  EXPECT_EQ(cache.GetOrUpload("k", [] { return std::optional<std::string>("a"); }), "a");
  cache.Invalidate("k", "not-a");  // a stale invalidation does not forget the newer id
  EXPECT_EQ(cache.size(), 1u);
  cache.Invalidate("k", "a");
  EXPECT_EQ(cache.size(), 0u);
}

TEST(MediaCacheTest, ExpiredIdsAreUploadedAgain) {
  MediaCache cache(milliseconds(1));
  int uploads = 0;
  auto upload = [&] { return std::optional<std::string>(std::to_string(++uploads)); };
  cache.GetOrUpload("k", upload);
  std::this_thread::sleep_for(milliseconds(5));
  EXPECT_EQ(cache.GetOrUpload("k", upload), "2");
}

TEST(MediaCacheTest, ConcurrentSendersOfOneFileShareOneUpload) {
  MediaCache cache(std::chrono::hours(1));
  std::atomic<int> uploads{0};
  std::vector<std::thread> threads;
  std::vector<std::string> ids(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      ids[i] = *cache.GetOrUpload("k", [&] {
        ++uploads;
        std::this_thread::sleep_for(milliseconds(50));
        return std::optional<std::string>("shared");
      });
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(uploads, 1);
  for (const auto& id : ids) EXPECT_EQ(id, "shared");
}

TEST(MediaCacheTest, BoundedSize) {
  MediaCache cache(std::chrono::hours(1), 3);
  for (int i = 0; i < 10; ++i) {
    cache.GetOrUpload(std::to_string(i), [&] { return std::optional<std::string>("x"); });
  }
  EXPECT_LE(cache.size(), 3u);
}

}  // namespace
}  // namespace socialgate::providers::meta
