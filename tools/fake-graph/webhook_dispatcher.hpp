// File: fake-graph/webhook_dispatcher.hpp
//
// Runs the webhook schedule (WebhookQueue) on a thread of its own and hands the due statuses (and
// template status webhooks) to a WebhookPoster, which posts them asynchronously. FakeGraph calls
// Add from the server's I/O threads: it only takes a short lock (no I/O, no waiting), so the fake's
// answers never wait for a webhook. Bodies are built and signed on the dispatcher's thread.
//
// The target (URL and app secret) may be set or changed while it runs (SetTarget, for
// PUT /_fake/webhooks): sends are scheduled only while a target is set, and each POST goes to the
// URL of the moment, retries included. A status's bytes and signature are built at its first
// POST, with the app secret of that moment, and kept for its retries (Meta resends the same
// bytes).
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

  // `poster` must not be null. options.url empty: no target yet, Add ignores sends until
  // SetTarget.
  WebhookDispatcher(WebhookOptions options, std::unique_ptr<WebhookPoster> poster);
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  // Schedules the statuses of an accepted send, whose answer goes out `answer_delay` from now.
  // Ignored without a target and after Close().
  void Add(AcceptedSend send, std::chrono::milliseconds answer_delay = {});
  // Schedules a template's message_template_status_update webhook, due at once. False when it
  // is not: no target, after Close(), or the queue is full (counted dropped).
  bool AddTemplateEvent(TemplateStatusEvent event);
  // Schedules one POST of `body`, a customer's message webhook, due at once. False when it is
  // not: no target, after Close(), or the queue is full (counted dropped).
  bool AddMessageEvent(std::string body);

  // Where the POSTs go from now on (both non-empty), and the app secret of the statuses not
  // posted yet.
  void SetTarget(std::string url, std::string app_secret);
  // Whether a target is set: sends get their statuses.
  bool HasTarget() const;

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

  mutable std::mutex mutex_;
  WebhookOptions options_;        // guarded by mutex_ (the target changes)
  std::condition_variable wake_;  // the dispatcher thread: something is due, or Close
  std::condition_variable idle_;  // Drain: a POST ended
  WebhookQueue queue_;
  bool closed_ = false;
  std::thread thread_;
  // Last: destroyed first, while the state its completions touch still exists.
  std::unique_ptr<WebhookPoster> poster_;
};

}  // namespace socialgate::fake_graph
