// File: fake-graph/webhook_poster.hpp
//
// Where status webhooks go: an interface, so the unit tests can capture what would be posted,
// and its implementation over the project's HTTP client (net::MakeCurlHttpClient, libcurl
// multi on its own thread: thousands of POSTs in flight without a thread each).
//
// Thread safety: Post may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "fake-graph/webhook_queue.hpp"

namespace socialgate::fake_graph {

struct WebhookPost {
  std::string url;
  std::string body;       // compact JSON, sent as is
  std::string signature;  // the X-Hub-Signature-256 value, "sha256=<hex>"
};

class WebhookPoster {
 public:
  using Done = std::function<void(PostOutcome)>;

  virtual ~WebhookPoster() = default;
  WebhookPoster() = default;
  WebhookPoster(const WebhookPoster&) = delete;
  WebhookPoster& operator=(const WebhookPoster&) = delete;
  WebhookPoster(WebhookPoster&&) = delete;
  WebhookPoster& operator=(WebhookPoster&&) = delete;

  // Sends POST `post.url` with the body, Content-Type: application/json and
  // X-Hub-Signature-256, and calls `done` exactly once with how it went: on any thread, maybe
  // before Post returns; it must not block. Destroying the poster first calls `done` of every
  // POST still out (answered, timed out or cut).
  virtual void Post(WebhookPost post, Done done) = 0;
};

// Over net::HttpClient; each POST ends after `timeout` at the latest (kNoAnswer). kInternal
// when libcurl cannot be set up.
core::Result<std::unique_ptr<WebhookPoster>> MakeHttpWebhookPoster(
    std::chrono::milliseconds timeout);

}  // namespace socialgate::fake_graph
