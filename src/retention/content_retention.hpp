// File: retention/content_retention.hpp
//
// The domains' content retention ([[domains]] content_retention_ms; off by default): the
// `sg-retention` thread, every [conversations] retention_interval_ms, empties what each such
// domain's messages said once they are older than its retention (store::Conversations::
// EraseContent: texts, template parameters, files, customers' names and payloads), keeping their
// metadata, in batches of kBatch each way and at most kMaxBatches per domain and round, so that
// it never holds the store's writes up for long.
//
// Thread safety: Start and Stop from one thread. Lifetime: `conversations` must outlive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "retention/round_thread.hpp"
#include "store/conversations.hpp"
#include "util/clock.hpp"

namespace socialgate::retention {

inline constexpr int kBatch = 500;
inline constexpr int kMaxBatches = 20;

struct DomainRetention {
  std::string domain;
  std::chrono::milliseconds retention{0};
};

class ContentRetention {
 public:
  ContentRetention(store::Conversations& conversations, std::vector<DomainRetention> domains,
                   std::chrono::milliseconds interval,
                   const util::Clock& clock = util::SystemClock());
  ~ContentRetention();  // Stop()
  ContentRetention(const ContentRetention&) = delete;
  ContentRetention& operator=(const ContentRetention&) = delete;
  ContentRetention(ContentRetention&&) = delete;
  ContentRetention& operator=(ContentRetention&&) = delete;

  // Does nothing when no domain has a retention.
  void Start();
  void Stop();

  // One round, on the caller's thread: how many messages were emptied.
  int RunOnce();

 private:
  store::Conversations& conversations_;
  const std::vector<DomainRetention> domains_;
  const std::chrono::milliseconds interval_;
  const util::Clock& clock_;

  RoundThread thread_;  // last: stopped before the members its rounds use go
};

}  // namespace socialgate::retention
