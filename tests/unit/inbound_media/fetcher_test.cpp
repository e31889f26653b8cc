// The media fetcher's decisions: the bytes are kept; a failure that may pass is tried again
// after retry_first, doubling up to an hour, until kMaxAttempts or media_max_age; one that will
// not is given up at once, with its reason.
#include "inbound_media/fetcher.hpp"

#include <gtest/gtest.h>

#include "store/storage.hpp"

namespace socialgate::inbound_media {
namespace {

using Kind = store::MediaFetchOutcome::Kind;

constexpr std::int64_t kNow = 1'800'000'000'000;

class FetcherDecisionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenStorage("sqlite::memory:");
    ASSERT_TRUE(opened) << opened.error().detail;
    storage_ = std::move(*opened);
    auto client = net::MakeCurlHttpClient();
    ASSERT_TRUE(client);
    http_ = std::move(*client);
    FetcherOptions options;
    options.retry_first = std::chrono::milliseconds(5'000);
    options.max_age = std::chrono::milliseconds(24LL * 3600 * 1000);
    fetcher_ =
        std::make_unique<MediaFetcher>(storage_->conversations(), *http_,
                                       std::map<std::string, GraphTarget, std::less<>>{}, options);
  }
  store::MediaFetch Fetch(int attempts, std::int64_t received_at_ms = kNow) {
    return store::MediaFetch{7,        "meta",        "3902124122690", "123", "image/jpeg",
                             attempts, received_at_ms};
  }

  store::StoragePtr storage_;
  net::HttpClientPtr http_;
  std::unique_ptr<MediaFetcher> fetcher_;
};

TEST_F(FetcherDecisionTest, TheBytesAreKept) {
  const auto o = fetcher_->Decide(Fetch(1), std::string("bytes"), kNow);
  EXPECT_EQ(o.kind, Kind::kFetched);
  EXPECT_EQ(o.seq, 7);
  EXPECT_EQ(o.bytes, "bytes");
}

TEST_F(FetcherDecisionTest, APassingFailureIsRetriedDoublingUpToAnHour) {
  const core::Result<std::string> passing =
      core::MakeError(core::ErrorCode::kUnavailable, "Meta answered HTTP 503");
  auto o = fetcher_->Decide(Fetch(1), passing, kNow);
  EXPECT_EQ(o.kind, Kind::kRetry);
  EXPECT_EQ(o.next_attempt_at_ms, kNow + 5'000);
  EXPECT_EQ(o.error, "Meta answered HTTP 503");
  EXPECT_EQ(fetcher_->Decide(Fetch(2), passing, kNow).next_attempt_at_ms, kNow + 10'000);
  EXPECT_EQ(fetcher_->Decide(Fetch(3), passing, kNow).next_attempt_at_ms, kNow + 20'000);
  EXPECT_EQ(fetcher_->Decide(Fetch(11), passing, kNow).next_attempt_at_ms, kNow + 3'600'000);
  o = fetcher_->Decide(Fetch(kMaxAttempts), passing, kNow);
  EXPECT_EQ(o.kind, Kind::kFailed);
  EXPECT_EQ(o.error, "Meta answered HTTP 503 (12 attempts)");
  // Past media_max_age by the next attempt: given up.
  o = fetcher_->Decide(Fetch(2, kNow - 24LL * 3600 * 1000 + 5'000), passing, kNow);
  EXPECT_EQ(o.kind, Kind::kFailed);
  EXPECT_EQ(o.error, "Meta answered HTTP 503 (older than media_max_age_ms)");
}

TEST_F(FetcherDecisionTest, AFailureThatWillNotPassIsGivenUpAtOnce) {
  const core::Result<std::string> lasting =
      core::MakeError(core::ErrorCode::kProviderRejected, "media '123' is too large");
  const auto o = fetcher_->Decide(Fetch(1), lasting, kNow);
  EXPECT_EQ(o.kind, Kind::kFailed);
  EXPECT_EQ(o.error, "media '123' is too large");
}

TEST_F(FetcherDecisionTest, OnlyMetaNumbersAreTargets) {
  auto config = config::ParseConfig(R"(
[[domains]]
name = "default"
[[domains.users]]
name = "demo"
password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"
[[domains.numbers]]
phone = "+39 02 1241 22690"
provider = "sandbox"
)",
                                    "test");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(GraphTargetsOf(*config).empty());
}

}  // namespace
}  // namespace socialgate::inbound_media
