// File: fake_graph/capturing_poster.hpp
//
// A WebhookPoster for the unit tests: records every POST (and when it came) in a PostLog the
// test keeps, and answers it at once with a fixed outcome, so tests see exactly what the fake
// would post without a socket.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "fake-graph/webhook_poster.hpp"

namespace socialgate::fake_graph::test_support {

// What a CapturingPoster saw; shared with the test, which outlives the poster.
struct PostLog {
  struct Entry {
    WebhookPost post;
    std::chrono::steady_clock::time_point at;
  };
  std::mutex mutex;
  std::vector<Entry> entries;

  std::size_t size() {
    std::lock_guard lock(mutex);
    return entries.size();
  }
  std::vector<Entry> Copy() {
    std::lock_guard lock(mutex);
    return entries;
  }
};

// Answers every POST at once with `outcome`.
class CapturingPoster final : public WebhookPoster {
 public:
  explicit CapturingPoster(std::shared_ptr<PostLog> log,
                           PostOutcome outcome = PostOutcome::kAnswered2xx)
      : log_(std::move(log)), outcome_(outcome) {}
  void Post(WebhookPost post, Done done) override {
    {
      std::lock_guard lock(log_->mutex);
      log_->entries.push_back({std::move(post), std::chrono::steady_clock::now()});
    }
    done(outcome_);
  }

 private:
  std::shared_ptr<PostLog> log_;
  PostOutcome outcome_;
};

}  // namespace socialgate::fake_graph::test_support
