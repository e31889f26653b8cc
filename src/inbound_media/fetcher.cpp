#include "inbound_media/fetcher.hpp"

#include <algorithm>
#include <future>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "util/thread_name.hpp"

namespace socialgate::inbound_media {
namespace {

// A fetch's claim lasts this long: beyond the longest download (two requests of `timeout`).
constexpr std::int64_t kLeaseMs = 5 * 60 * 1000;

}  // namespace

std::map<std::string, GraphTarget, std::less<>> GraphTargetsOf(const config::Config& config) {
  std::map<std::string, GraphTarget, std::less<>> targets;
  for (const auto& domain : config.domains) {
    for (const auto& number : domain.numbers) {
      if (number.provider != config::ProviderKind::kMeta) continue;
      const auto& m = number.meta;
      targets.emplace(number.phone,
                      GraphTarget{m.base_url, m.api_version, m.access_token, m.connect_timeout,
                                  std::chrono::milliseconds(60'000)});
    }
  }
  return targets;
}

MediaFetcher::MediaFetcher(store::Conversations& conversations, net::HttpClient& http,
                           std::map<std::string, GraphTarget, std::less<>> targets,
                           FetcherOptions options, const util::Clock& clock)
    : conversations_(conversations),
      http_(http),
      targets_(std::make_shared<const Targets>(std::move(targets))),
      options_(options),
      clock_(clock) {}

void MediaFetcher::SetTargets(std::map<std::string, GraphTarget, std::less<>> targets) {
  auto next = std::make_shared<const Targets>(std::move(targets));
  std::lock_guard lock(targets_mutex_);
  targets_ = std::move(next);
}

MediaFetcher::~MediaFetcher() { Stop(); }

void MediaFetcher::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void MediaFetcher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MediaFetcher::Run() {
  util::NameThisThread("sg-media");
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const int claimed = RunOnce();
    lock.lock();
    // A full batch: more may be due at once.
    if (claimed < options_.batch) {
      wake_.wait_for(lock, options_.poll_interval, [this] { return stopping_; });
    }
  }
}

int MediaFetcher::RunOnce() {
  std::promise<core::Result<std::vector<store::MediaFetch>>> claimed;
  conversations_.ClaimMediaFetchesAsync({clock_.UnixMillis(), kLeaseMs, options_.batch},
                                        [&claimed](core::Result<std::vector<store::MediaFetch>> r) {
                                          claimed.set_value(std::move(r));
                                        });
  auto fetches = claimed.get_future().get();
  if (!fetches) {
    spdlog::warn("media: cannot claim the media to fetch: {}", fetches.error().detail);
    return 0;
  }
  std::shared_ptr<const Targets> targets;
  {
    std::lock_guard lock(targets_mutex_);
    targets = targets_;
  }
  for (const store::MediaFetch& fetch : *fetches) {
    core::Result<std::string> fetched =
        core::MakeError(core::ErrorCode::kProviderRejected,
                        "no Meta number " + fetch.service_phone + " to download media " +
                            fetch.media_id + " from (a " + fetch.source + " message)");
    if (const auto target = targets->find(fetch.service_phone);
        target != targets->end() && fetch.source == "meta") {
      fetched = FetchMetaMedia(http_, target->second, fetch.media_id, options_.max_bytes);
    }
    store::MediaFetchOutcome outcome = Decide(fetch, fetched, clock_.UnixMillis());
    if (outcome.kind == store::MediaFetchOutcome::Kind::kFetched) {
      spdlog::info("media: fetched media {} of inbound message {} ({} bytes)", fetch.media_id,
                   fetch.seq, outcome.bytes.size());
    } else {
      spdlog::warn("media: media {} of inbound message {}: {}{}", fetch.media_id, fetch.seq,
                   outcome.error,
                   outcome.kind == store::MediaFetchOutcome::Kind::kFailed ? "; given up"
                                                                           : "; tried again later");
    }
    std::promise<core::Result<void>> recorded;
    conversations_.RecordMediaFetchAsync(std::move(outcome), [&recorded](core::Result<void> r) {
      recorded.set_value(std::move(r));
    });
    if (auto r = recorded.get_future().get(); !r) {
      // The claim's lease ends and the fetch is made again.
      spdlog::warn("media: the outcome for inbound message {} was not recorded: {}", fetch.seq,
                   r.error().detail);
    }
  }
  return static_cast<int>(fetches->size());
}

store::MediaFetchOutcome MediaFetcher::Decide(const store::MediaFetch& fetch,
                                              const core::Result<std::string>& fetched,
                                              std::int64_t now_ms) const {
  using Kind = store::MediaFetchOutcome::Kind;
  store::MediaFetchOutcome outcome;
  outcome.seq = fetch.seq;
  if (fetched) {
    outcome.kind = Kind::kFetched;
    outcome.bytes = *fetched;
    return outcome;
  }
  outcome.error = fetched.error().message;
  const bool passing = fetched.error().code == core::ErrorCode::kUnavailable;
  // The next wait doubles with each attempt made: retry_first, twice that, ... up to an hour.
  std::int64_t wait = options_.retry_first.count();
  for (int i = 1; i < fetch.attempts && wait < kMaxRetryWait.count(); ++i) wait *= 2;
  wait = std::min<std::int64_t>(wait, kMaxRetryWait.count());
  const bool too_old = now_ms + wait - fetch.received_at_ms > options_.max_age.count();
  if (!passing || fetch.attempts >= kMaxAttempts || too_old) {
    outcome.kind = Kind::kFailed;
    if (passing) {
      outcome.error += fetch.attempts >= kMaxAttempts
                           ? " (" + std::to_string(fetch.attempts) + " attempts)"
                           : " (older than media_max_age_ms)";
    }
    return outcome;
  }
  outcome.kind = Kind::kRetry;
  outcome.next_attempt_at_ms = now_ms + wait;
  return outcome;
}

}  // namespace socialgate::inbound_media
