// File: fake-graph/fake_graph.hpp
//
// The fake WhatsApp Cloud API: routes a request to the Graph endpoints
// (POST /{version}/{phone-number-id}/messages and /media, GET /{version}/{waba-id}/
// message_templates, GET /{version}/{media-id} and the media URL it answers,
// /_fake/media-download/{media-id}), the control API (/_fake/...) or /healthz, and answers
// through the Responder. No sockets here: main.cpp hands Handle() to http::HttpServer, and the unit
// tests call it directly.
//
// A Graph request is checked in this order: path, Authorization, method, then the body (sends,
// uploads) or the WABA id and the query (the template listing, template_listing.hpp). Faults
// apply only to requests that pass every check (would have succeeded), so an injected fault
// never hides a malformed request. Every Graph request is recorded, refused or not.
//
// A template status change (POST /_fake/template-status) sets the template's status in the
// listing and, with a webhook target, posts Meta's message_template_status_update webhook
// through the same dispatcher as the status webhooks (signed, retried alike).
//
// A customer's message (POST /_fake/inbound, inbound_message.hpp) is posted as Meta's
// `messages` webhook through the same dispatcher; it needs a target (else 409). Its media, if
// any, is kept in a MediaStore under a fresh media id, for the media GETs above, which take
// the bearer token, fault rules (paths media_info and media_download) and recording of the
// other Graph requests; an unknown or forgotten media id gets Meta's unknown-object error.
//
// Status webhooks (Options::webhooks): every accepted send (answered 200 with a wamid, or
// accepted by a rule although its answer is lost) gets its sent/delivered/read (or sent/failed)
// statuses posted to the target URL by a WebhookDispatcher, counted from when its answer goes
// out; see webhook_queue.hpp for the schedule and GET /_fake/webhooks for the counters. The
// target is Options::webhooks->url, or what PUT /_fake/webhooks sets at run time (a test can
// start the fake first and point it at a gateway started after it); sends accepted while there
// is none get no statuses.
//
// Thread safety: Handle() may be called from several threads at once; one mutex guards the
// fault rules, the recorder and the id counters. Parsing and hashing happen outside it. Delayed
// answers (fault rules with delay_ms) wait on a TimerQueue, never on a server thread; webhooks
// are posted from the dispatcher's thread, never from a server thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "fake-graph/faults.hpp"
#include "fake-graph/media_store.hpp"
#include "fake-graph/recorder.hpp"
#include "fake-graph/template_listing.hpp"
#include "fake-graph/webhook_dispatcher.hpp"
#include "http/message.hpp"
#include "util/timer_queue.hpp"

namespace socialgate::fake_graph {

struct Options {
  static constexpr std::uint64_t kDefaultSeed = 20'240'601;

  std::string token;  // when set, the only bearer token accepted; otherwise any non-empty one
  std::uint64_t seed = kDefaultSeed;  // fault draws only; ids are random on every run
  std::size_t max_records = 100'000;
  std::size_t max_record_bytes = 256 * 1024 * 1024;
  // The WhatsApp Business Account this fake is: GET .../{waba-id}/message_templates must name
  // it, and every webhook's entry[].id is it (it replaces webhooks->waba_id).
  std::string waba_id = kDefaultWabaId;
  // The template listing served from the start (--templates-file), and again after
  // POST /_fake/reset; empty by default.
  TemplateList templates;
  // Set: status webhooks of accepted sends can be posted (FakeGraph then needs a WebhookPoster):
  // from the start when its url is set, else once PUT /_fake/webhooks sets a target. Unset:
  // never (PUT /_fake/webhooks answers 409).
  std::optional<WebhookOptions> webhooks;
  // The bytes of inbound messages' media kept for download, at most (the oldest go first).
  std::size_t max_media_bytes = kDefaultMaxMediaBytes;
};

class FakeGraph {
 public:
  // `poster` posts the status webhooks; required (not null) when options.webhooks is set,
  // unused otherwise. Throws std::invalid_argument when it is missing.
  explicit FakeGraph(Options options, std::unique_ptr<WebhookPoster> poster = nullptr);
  ~FakeGraph();
  FakeGraph(const FakeGraph&) = delete;
  FakeGraph& operator=(const FakeGraph&) = delete;

  void Handle(http::HttpRequest&& request, http::Responder respond);

  // Drops the delayed answers not yet sent (their clients get the Responder's 500) and runs no
  // more timers. Call it before the HTTP server is destroyed. Idempotent.
  void Stop();

  // Drops the status webhooks not yet posted and schedules no more; at once, from any thread
  // (e.g. a signal watcher). Idempotent.
  void CloseWebhooks();
  // CloseWebhooks(), then waits for the webhook POSTs still out until `deadline`; true when
  // none is left (always true without webhooks).
  bool StopWebhooks(std::chrono::steady_clock::time_point deadline);

 private:
  void HandleGraph(http::HttpRequest&& request, http::Responder respond);
  http::HttpResponse HandleControl(const http::HttpRequest& request);
  // GET and PUT /_fake/webhooks (webhook_control.cpp).
  http::HttpResponse HandleWebhooksControl(const http::HttpRequest& request);
  // POST /_fake/inbound (webhook_control.cpp).
  http::HttpResponse HandleInbound(const http::HttpRequest& request);
  // GET and PUT /_fake/templates (template_control.cpp).
  http::HttpResponse HandleTemplatesControl(const http::HttpRequest& request);
  // POST /_fake/template-status (template_control.cpp).
  http::HttpResponse HandleTemplateStatus(const http::HttpRequest& request);
  void Answer(http::Responder respond, http::HttpResponse response, std::int64_t delay_ms);

  // Under mutex_.
  std::string NewFbtraceId();
  std::string NewWamid();
  std::string NewMediaId();

  const Options options_;
  std::mutex mutex_;
  FaultEngine faults_;
  Recorder recorder_;
  std::mt19937_64 id_rng_;
  std::uint64_t message_counter_ = 0;
  std::uint64_t media_counter_ = 0;
  std::uint64_t media_id_base_ = 0;
  TemplateListing templates_;                    // thread-safe on its own, outside mutex_
  MediaStore media_;                             // thread-safe on its own, outside mutex_
  std::unique_ptr<WebhookDispatcher> webhooks_;  // null without Options::webhooks
  // Last member: destroyed first, so no timer runs against destroyed state.
  util::TimerQueue timers_;
};

}  // namespace socialgate::fake_graph
