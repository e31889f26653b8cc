#include "providers/meta/media_cache.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "util/clock.hpp"

namespace socialgate::providers::meta {
namespace {

using std::chrono::milliseconds;

constexpr auto kHour = std::chrono::hours(1);
// How long a test waits for a thread that should finish at once: generous, so a loaded machine
// never fails it, and bounded, so a regression fails instead of hanging.
constexpr auto kBound = std::chrono::seconds(10);

TEST(MediaCacheTest, UploadsOnceThenReuses) {
  MediaCache cache(kHour, kHour);
  int uploads = 0;
  auto upload = [&]() -> std::optional<std::string> {
    ++uploads;
    return "media-" + std::to_string(uploads);
  };
  auto lookup = cache.GetOrUpload("k", upload);
  EXPECT_EQ(lookup.media_id, "media-1");
  EXPECT_TRUE(lookup.uploaded);
  lookup = cache.GetOrUpload("k", upload);
  EXPECT_EQ(lookup.media_id, "media-1");
  EXPECT_FALSE(lookup.uploaded);
  EXPECT_EQ(cache.GetOrUpload("other", upload).media_id, "media-2");
  EXPECT_EQ(uploads, 2);
}

TEST(MediaCacheTest, FailuresAreNotCachedAndInvalidateForgets) {
  MediaCache cache(kHour, kHour);
  const auto failed = cache.GetOrUpload("k", [] { return std::optional<std::string>(); });
  EXPECT_FALSE(failed.media_id);
  EXPECT_FALSE(failed.uploaded);
  EXPECT_FALSE(failed.wait_expired);
  EXPECT_EQ(cache.GetOrUpload("k", [] { return std::optional<std::string>("a"); }).media_id, "a");
  cache.Invalidate("k", "not-a");  // a stale invalidation does not forget the newer id
  EXPECT_EQ(cache.size(), 1u);
  cache.Invalidate("k", "a");
  EXPECT_EQ(cache.size(), 0u);
}

TEST(MediaCacheTest, ExpiredIdsAreUploadedAgain) {
  util::ManualClock clock;
  MediaCache cache(milliseconds(10), kHour, 10, clock);
  int uploads = 0;
  auto upload = [&] { return std::optional<std::string>(std::to_string(++uploads)); };
  cache.GetOrUpload("k", upload);
  clock.Advance(milliseconds(9));
  EXPECT_EQ(cache.GetOrUpload("k", upload).media_id, "1");  // still cached
  clock.Advance(milliseconds(1));
  EXPECT_EQ(cache.GetOrUpload("k", upload).media_id, "2");  // expired exactly at its ttl
}

TEST(MediaCacheTest, ConcurrentSendersOfOneFileShareOneUpload) {
  MediaCache cache(kHour, kHour);
  std::atomic<int> uploads{0};
  std::vector<std::thread> threads;
  std::vector<std::string> ids(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      ids[i] = cache
                   .GetOrUpload("k",
                                [&] {
                                  ++uploads;
                                  std::this_thread::sleep_for(milliseconds(50));
                                  return std::optional<std::string>("shared");
                                })
                   .media_id.value_or("none");
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(uploads, 1);
  for (const auto& id : ids) EXPECT_EQ(id, "shared");
}

TEST(MediaCacheTest, BoundedSize) {
  MediaCache cache(kHour, kHour, 3);
  for (int i = 0; i < 10; ++i) {
    cache.GetOrUpload(std::to_string(i), [&] { return std::optional<std::string>("x"); });
  }
  EXPECT_LE(cache.size(), 3u);
}

// Runs GetOrUpload("k", upload) on its own thread and gives its result, or nullopt if it has
// not returned within kBound. The thread is detached and shares `cache`, so a caller stuck for
// good (the regression these tests catch) fails the test instead of hanging it.
std::optional<MediaCache::Lookup> LookUpWithin(const std::shared_ptr<MediaCache>& cache,
                                               std::function<std::optional<std::string>()> upload) {
  auto result = std::make_shared<std::promise<MediaCache::Lookup>>();
  auto answered = result->get_future();
  std::thread([cache, upload = std::move(upload), result] {
    result->set_value(cache->GetOrUpload("k", upload));
  }).detach();
  if (answered.wait_for(kBound) != std::future_status::ready) return std::nullopt;
  return answered.get();
}

// An upload that throws (a bug in it, or memory running out) left the key marked as being
// uploaded: every later send of the file waited for ever.
TEST(MediaCacheTest, AnUploadThatThrowsReleasesTheKeyForTheNextSender) {
  auto cache = std::make_shared<MediaCache>(kHour, kHour);
  auto go = std::make_shared<std::promise<void>>();
  std::promise<void> started;
  std::promise<bool> threw;
  std::thread uploader([&, gone = go->get_future().share()] {
    try {
      cache->GetOrUpload("k", [&]() -> std::optional<std::string> {
        started.set_value();
        gone.wait();
        throw std::runtime_error("the upload's bug");
      });
      threw.set_value(false);
    } catch (const std::runtime_error&) {
      threw.set_value(true);
    }
  });
  ASSERT_EQ(started.get_future().wait_for(kBound), std::future_status::ready);
  // Waits for the throwing upload, or comes after it: either way it must upload itself.
  auto waiter = std::async(std::launch::async, [cache] {
    return LookUpWithin(cache, [] { return std::optional<std::string>("mine"); });
  });
  go->set_value();
  auto threw_future = threw.get_future();
  ASSERT_EQ(threw_future.wait_for(kBound), std::future_status::ready);
  uploader.join();
  EXPECT_TRUE(threw_future.get()) << "the exception reaches the uploading caller";
  const auto lookup = waiter.get();
  ASSERT_TRUE(lookup.has_value()) << "the next sender still waits for the failed upload";
  EXPECT_EQ(lookup->media_id, "mine");
  EXPECT_TRUE(lookup->uploaded);
}

// A waiter never waits longer than max_wait (the upload's own timeout and a margin): then it
// gets a failure it can retry, and nothing was uploaded by it.
TEST(MediaCacheTest, AWaiterGivesUpAfterMaxWaitWithAFailureToRetry) {
  auto cache = std::make_shared<MediaCache>(kHour, milliseconds(50));
  std::promise<void> started;
  auto finish = std::make_shared<std::promise<void>>();
  auto slow = std::async(std::launch::async, [&, done = finish->get_future().share()] {
    return cache->GetOrUpload("k", [&] {
      started.set_value();
      done.wait();
      return std::optional<std::string>("slow");
    });
  });
  ASSERT_EQ(started.get_future().wait_for(kBound), std::future_status::ready);
  auto waiter_uploaded = std::make_shared<std::atomic<bool>>(false);
  const auto lookup = LookUpWithin(cache, [waiter_uploaded] {
    *waiter_uploaded = true;
    return std::optional<std::string>("waiter");
  });
  finish->set_value();  // whatever happened, let the slow upload end
  ASSERT_TRUE(lookup.has_value()) << "the waiter waited for the slow upload beyond max_wait";
  EXPECT_TRUE(lookup->wait_expired);
  EXPECT_FALSE(lookup->media_id);
  EXPECT_FALSE(*waiter_uploaded);
  EXPECT_EQ(slow.get().media_id, "slow");
  // The slow upload's id is cached for the next sender.
  EXPECT_EQ(cache->GetOrUpload("k", [] { return std::optional<std::string>("x"); }).media_id,
            "slow");
}

}  // namespace
}  // namespace socialgate::providers::meta
