// File: fake-graph/webhook_dispatcher.hpp
//
// Runs the webhook schedule (WebhookQueue) on a thread of its own and hands the due statuses to
// a WebhookPoster, which posts them asynchronously. FakeGraph calls Add from the server's I/O
// threads: it only takes a short lock (no I/O, no waiting), so the fake's answers never wait
// for a webhook. Bodies are built and signed on the dispatcher's thread.
//
// Shutdown: Close() (from any thread, at once) drops the waiting statuses and posts no more;
// Drain(deadline) then waits for the POSTs still out until the deadline. The destructor closes,
// waits for every POST out (each ends within the poster's timeout) and destroys the poster.
//
// Thread safety: every public method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "fake-graph/webhook_poster.hpp"
#include "fake-graph/webhook_queue.hpp"

namespace socialgate::fake_graph {

class WebhookDispatcher {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // `poster` must not be null.
  WebhookDispatcher(WebhookOptions options, std::unique_ptr<WebhookPoster> poster);
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  // Schedules the statuses of an accepted send, whose answer goes out `answer_delay` from now.
  // Ignored after Close().
  void Add(AcceptedSend send, std::chrono::milliseconds answer_delay = {});

  WebhookCounters Counters() const;
  void ClearCounters();
  // Drops the waiting statuses and clears the counters (POST /_fake/reset).
  void Reset();

  void Close();
  // Close(), then waits until no POST is out or `deadline` passes; true when none is out.
  bool Drain(TimePoint deadline);

 private:
  void Run();
  void OnDone(WebhookJob job, PostOutcome outcome);

  const WebhookOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;  // the dispatcher thread: something is due, or Close
  std::condition_variable idle_;  // Drain: a POST ended
  WebhookQueue queue_;
  bool closed_ = false;
  std::thread thread_;
  // Last: destroyed first, while the state its completions touch still exists.
  std::unique_ptr<WebhookPoster> poster_;
};

}  // namespace socialgate::fake_graph
