// File: fake-graph/webhook_queue.hpp
//
// The schedule of status webhooks, with no threads, no sockets and no clock of its own: the
// caller passes the time (WebhookDispatcher the steady clock, unit tests whatever they like).
//
// Each accepted send gets a plan: `sent`, `delivered`, `read` (or `sent`, `failed` for a send
// a status_failed rule hit), each `delay` after the send's answer; a negative delay leaves that
// status out (for `failed`, the delivered delay decides). The statuses of one message are
// posted one after the other in the order of their delays: the next one starts when it is due
// and the previous one's first POST has been answered (or given up), so a receiver sees them in
// order unless a retry comes between.
//
// A template status change (AddTemplateEvent) is a plan of one POST, due at once: Meta's
// message_template_status_update webhook, built and signed at its first POST like a status.
// A customer's message (AddMessageEvent, POST /_fake/inbound) is a plan of one POST too, due
// at once, its body built by the caller (it names the wamid the caller answered) and signed at
// its first POST.
//
// A POST not answered 2xx is tried again after first_retry_delay, doubling, up to max_attempts
// tries in all; then the status counts once as `failed`. Retries may overtake later statuses of
// the same message, as Meta's do.
//
// Bounds: at most max_pending statuses wait (to be due, for their message's previous status, or
// for a retry); a send whose statuses do not fit is not scheduled, its statuses are counted
// `dropped`. Retries always find room (at most max_in_flight of them come at once). At most
// max_in_flight POSTs are out at once; TakeDue hands out no more.
//
// Thread safety: none; WebhookDispatcher serialises calls under its mutex.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fake-graph/webhook_body.hpp"

namespace socialgate::fake_graph {

inline constexpr char kDefaultWabaId[] = "102290129340398";

struct WebhookOptions {
  std::string url;         // where to POST (http:// or https://)
  std::string app_secret;  // signs X-Hub-Signature-256
  std::string waba_id = kDefaultWabaId;
  // Delays after the send's answer; negative: that status is not posted.
  std::int64_t sent_ms = 100;
  std::int64_t delivered_ms = 300;
  std::int64_t read_ms = 600;
  std::size_t max_pending = 1'000'000;
  std::size_t max_in_flight = 256;
  std::chrono::milliseconds post_timeout{5'000};
  int max_attempts = 5;
  std::chrono::milliseconds first_retry_delay{1'000};  // doubles with each try
};

// Whether `url` can be a webhook target: http:// or https:// and something after it.
bool IsWebhookUrl(std::string_view url);

// What FakeGraph tells the webhooks about a send it accepted.
struct AcceptedSend {
  std::string phone_number_id;
  std::string wamid;
  std::string recipient_id;              // digits of `to`
  std::string biz_opaque_callback_data;  // "" when absent
  std::optional<StatusError> failure;    // a status_failed rule: sent, then failed
};

// Counters since the last ClearCounters (events), and gauges (pending, in_flight).
struct WebhookCounters {
  std::uint64_t scheduled = 0;     // statuses planned for accepted sends
  std::uint64_t posted = 0;        // POSTs started, retries included
  std::uint64_t answered_2xx = 0;  // POSTs answered 2xx
  std::uint64_t refused = 0;       // POSTs answered, not 2xx
  std::uint64_t unanswered = 0;    // POSTs with no answer (connection error, timeout)
  std::uint64_t retried = 0;       // retries scheduled
  std::uint64_t failed = 0;        // statuses given up after max_attempts tries
  std::uint64_t dropped = 0;       // statuses not scheduled: max_pending reached
  std::uint64_t pending = 0;       // statuses waiting (gauge)
  std::uint64_t in_flight = 0;     // POSTs out (gauge)

  // {"enabled":..,"scheduled":..,"posted":..,"answered_2xx":..,"refused":..,"failed":..,
  //  "pending":..,"in_flight":..,"unanswered":..,"retried":..,"dropped":..}
  nlohmann::ordered_json ToJson(bool enabled) const;
};

enum class PostOutcome { kAnswered2xx, kRefused, kNoAnswer };

// One accepted send's statuses, in posting order.
struct WebhookPlan {
  struct Step {
    StatusKind status = StatusKind::kSent;
    std::chrono::milliseconds delay{0};
  };
  AcceptedSend send;
  // Set: the plan is this one template webhook (one step, delay 0), not `send`'s statuses; its
  // waba_id and timestamp are filled at the first POST.
  std::optional<TemplateStatusEvent> template_event;
  // Set: the plan is one POST of this body (a customer's message webhook, one step, delay 0).
  std::optional<std::string> message_body;
  std::chrono::steady_clock::time_point answered_at;  // delays count from here
  std::array<Step, 3> steps{};
  std::size_t step_count = 0;
  std::uint64_t epoch = 0;  // the queue's epoch when scheduled; DropPending moves on
};

// Steps for the options' delays, sorted by delay (stable), negative ones left out.
void PlanSteps(const WebhookOptions& options, WebhookPlan& plan);

// One POST of one status. body and signature are built at the first try (FillPost) and kept
// for the retries, as Meta resends the same bytes.
struct WebhookJob {
  std::shared_ptr<const WebhookPlan> plan;
  std::size_t step = 0;
  int attempt = 1;
  std::string body;
  std::string signature;  // the X-Hub-Signature-256 value

  StatusKind status() const { return plan->steps[step].status; }  // a send's status only
};

// Builds job.body (timestamp = unix_seconds) and job.signature if not built yet.
void FillPost(const WebhookOptions& options, std::int64_t unix_seconds, WebhookJob& job);

class WebhookQueue {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit WebhookQueue(WebhookOptions options);

  const WebhookOptions& options() const { return options_; }

  // Plans the send's statuses, counting from `answered_at`. False when they did not fit
  // (counted dropped) or the plan is empty.
  bool Add(AcceptedSend send, TimePoint answered_at);

  // Plans the template webhook of `event`, due at `now`; counted like a status (scheduled,
  // pending, dropped...). False when it did not fit (counted dropped).
  bool AddTemplateEvent(TemplateStatusEvent event, TimePoint now);

  // Plans one POST of `body` (a customer's message webhook), due at `now`; counted like a
  // status. False when it did not fit (counted dropped).
  bool AddMessageEvent(std::string body, TimePoint now);

  // The jobs due at `now`, earliest first, at most `max` and as many as max_in_flight allows;
  // each is counted posted and in flight until Complete.
  std::vector<WebhookJob> TakeDue(TimePoint now, std::size_t max);

  // When TakeDue will next have something: nullopt when nothing waits or max_in_flight POSTs
  // are out (a Complete changes that).
  std::optional<TimePoint> NextDue() const;

  // The answer to a job TakeDue gave: counts it, schedules its retry or its message's next
  // status. Jobs of an epoch before the last DropPending are only taken off in_flight.
  void Complete(WebhookJob job, PostOutcome outcome, TimePoint now);

  // Forgets every waiting status (POSTs out finish, but are neither retried nor followed).
  void DropPending();
  void ClearCounters();
  WebhookCounters Counters() const;

 private:
  struct Entry {
    TimePoint due;
    std::uint64_t seq;
    WebhookJob job;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.due != b.due ? a.due > b.due : a.seq > b.seq;
    }
  };

  // Counts the plan's steps and pushes its first; false (counted dropped) when they do not fit.
  bool Schedule(std::shared_ptr<WebhookPlan> plan);
  void Push(TimePoint due, WebhookJob job);

  const WebhookOptions options_;
  std::vector<Entry> heap_;  // a min-heap by (due, seq) under Later
  std::uint64_t next_seq_ = 0;
  std::uint64_t epoch_ = 0;
  WebhookCounters counters_;
};

}  // namespace socialgate::fake_graph
