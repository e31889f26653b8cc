// File: inbound_media/fetcher.hpp
//
// Fetches the media of customers' messages (store/conversations.hpp) in the background: the
// `sg-media` thread claims the pending media that are due (a few at a time, leased so that an
// instance that stops leaves them to another), downloads each from its number's provider
// (meta_media.hpp) and records the outcome:
//   - the bytes, kept in the store (getMultimediaMessageByMessageID serves them);
//   - a failure that may pass (the network, 429, 5xx): tried again after retry_first, doubling
//     up to an hour, while the message is younger than max_age and fewer than kMaxAttempts were
//     made; then given up, with the last reason;
//   - a failure that will not (too large, 4xx, no Meta number to ask): given up at once.
// Nothing of this is in the webhook's way: the webhook was answered when its event was stored.
//
// Thread safety: Start and Stop from one thread. Lifetime: `conversations` and `http` must
// outlive the fetcher.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "config/config.hpp"
#include "inbound_media/meta_media.hpp"
#include "net/http_client.hpp"
#include "store/conversations.hpp"
#include "util/clock.hpp"

namespace socialgate::inbound_media {

struct FetcherOptions {
  std::size_t max_bytes = 16 * 1024 * 1024;
  std::chrono::milliseconds max_age{7LL * 24 * 3600 * 1000};
  std::chrono::milliseconds retry_first{5'000};
  std::chrono::milliseconds poll_interval{1'000};
  int batch = 4;  // claimed at once
};

inline constexpr int kMaxAttempts = 12;
inline constexpr std::chrono::milliseconds kMaxRetryWait{3'600'000};

// The business numbers the fetcher can download for: Meta numbers by their phone.
std::map<std::string, GraphTarget, std::less<>> GraphTargetsOf(const config::Config& config);

class MediaFetcher {
 public:
  MediaFetcher(store::Conversations& conversations, net::HttpClient& http,
               std::map<std::string, GraphTarget, std::less<>> targets, FetcherOptions options,
               const util::Clock& clock = util::SystemClock());
  ~MediaFetcher();  // Stop()
  MediaFetcher(const MediaFetcher&) = delete;
  MediaFetcher& operator=(const MediaFetcher&) = delete;
  MediaFetcher(MediaFetcher&&) = delete;
  MediaFetcher& operator=(MediaFetcher&&) = delete;

  void Start();
  // Waits for the download in progress, if any; what was claimed and not fetched is due again
  // when its lease ends.
  void Stop();

  // A configuration reload: media are downloaded for the numbers of `targets`, with their
  // credentials, from now on (a download in progress finishes with the ones it began with).
  // Any thread.
  void SetTargets(std::map<std::string, GraphTarget, std::less<>> targets);

  // One round, on the caller's thread: claims what is due and fetches it. How many were
  // claimed. For tests; the thread calls it.
  int RunOnce();

  // The outcome of one fetch, decided alone: for tests.
  store::MediaFetchOutcome Decide(const store::MediaFetch& fetch,
                                  const core::Result<std::string>& fetched,
                                  std::int64_t now_ms) const;

 private:
  void Run();

  store::Conversations& conversations_;
  net::HttpClient& http_;
  using Targets = std::map<std::string, GraphTarget, std::less<>>;
  mutable std::mutex targets_mutex_;
  std::shared_ptr<const Targets> targets_;  // replaced whole by SetTargets
  const FetcherOptions options_;
  const util::Clock& clock_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace socialgate::inbound_media
