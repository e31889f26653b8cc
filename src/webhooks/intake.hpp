// File: webhooks/intake.hpp
//
// Where status webhook events come in, from Meta's callbacks (api/webhook_endpoints) and from
// the providers that report statuses themselves (the sandbox), and how they are applied:
//
//   1. Receive parses the event (meta_notification.hpp) and routes every status and every
//      inbound message by its phone_number_id to the business number that owns it (a number the
//      gateway does not know is logged and what is for it left out), then has the store keep
//      the event and apply its reports and inbound messages in one commit
//      (store::DeliveryStatuses::ReceiveAndApplyWebhookAsync; store/conversations.hpp). It
//      answers once that is durable: the webhook is then answered 200.
//   2. When that write fails, or the event carries template status changes (whose sink writes
//      first), or the intake is stopping, the event is stored alone as received
//      (ReceiveWebhookAsync) and answered once durable, and the applier thread (`sg-webhooks`)
//      applies it after, as in 1 but in a commit of its own that marks it applied.
//   3. Events not applied by then (the process stopped, the database refused the application,
//      or more arrived than the applier keeps in memory) are read back from the store and
//      applied: every `recover_every`, once the queue has drained, those received
//      `recover_after` ago or earlier, by any instance, a batch after another while batches come
//      back full. Applying an event twice changes nothing.
//
// Thread safety: Receive and ReceiveOwn may be called from any thread once Start has run.
// Lifetime: `statuses`, `timers` and `clock` must outlive the intake; `timers` must be stopped
// before the intake is destroyed (a retry of ReceiveOwn is a timer).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "store/delivery_statuses.hpp"
#include "util/clock.hpp"
#include "util/timer_queue.hpp"
#include "webhooks/meta_notification.hpp"

namespace socialgate::webhooks {

// The business number a phone_number_id of a source belongs to.
struct Route {
  std::string source;           // "meta", "sandbox"
  std::string phone_number_id;  // Meta's id of the number; the sandbox's is the number itself
  std::string service_phone;    // the business number, E.164 digits
  std::string domain;           // the domain the number belongs to
};

struct IntakeOptions {
  // A status whose message is not found is kept this long, applied if the message appears.
  std::chrono::milliseconds hold_unmatched{3'600'000};
  // Applied events are kept this long (then deleted), for inspection.
  std::chrono::milliseconds keep_events{24LL * 3600 * 1000};
  // Events waiting in memory to be applied; beyond it they wait in the store for recovery.
  std::size_t max_waiting = 100'000;
  // Applications handed to the store and not yet answered.
  int max_in_flight = 256;
  std::chrono::milliseconds recover_after{10'000};
  std::chrono::milliseconds recover_every{5'000};
};

class WebhookIntake {
 public:
  WebhookIntake(store::DeliveryStatuses& statuses, std::vector<Route> routes, IntakeOptions options,
                util::TimerQueue& timers, const util::Clock& clock = util::SystemClock());
  ~WebhookIntake();  // Stop()
  WebhookIntake(const WebhookIntake&) = delete;
  WebhookIntake& operator=(const WebhookIntake&) = delete;
  WebhookIntake(WebhookIntake&&) = delete;
  WebhookIntake& operator=(WebhookIntake&&) = delete;

  // Starts the applier thread; its first recovery looks at once for events a previous run left.
  void Start();
  // Stops applying new events at once, waits for the applications in flight to be answered,
  // and stops the thread. Events received and not applied stay in the store for the next start.
  void Stop();

  // Stores the event (`source` and its raw body); `done` gets the result once it is durable
  // (kUnavailable when the store refuses it: the sender tries again) and runs on the store's
  // thread. A stored event is applied after.
  void Receive(std::string source, std::string body, std::function<void(core::Result<void>)> done);

  // The same, and `applied` runs once the event's application has committed (true) or failed
  // (false: it is applied later, by a recovery, without calling `applied` again); on the store's
  // thread, must not block. For the sandbox's simulated customers, whose caller waits until the
  // message is in the store (api/sandbox_endpoints.hpp).
  void ReceiveAndApply(std::string source, std::string body,
                       std::function<void(core::Result<void>)> stored,
                       std::function<void(bool)> applied);

  // The same for the gateway's own events (the sandbox's): a refusal is tried again, a second
  // later and then doubling up to 30 s, for 30 minutes, then logged and dropped.
  void ReceiveOwn(std::string source, std::string body);

  // Where the template status changes of Meta's events go (field
  // "message_template_status_update"), applied before the event is marked applied; false when
  // the change could not be recorded (the event is then applied later, again). Without a sink
  // they are noted with the event and not applied. Set before Start.
  using TemplateStatusSink = std::function<bool(const TemplateStatusUpdate&)>;
  void SetTemplateStatusSink(TemplateStatusSink sink);

  // A configuration reload: events applied from now on are routed by `routes` (an event being
  // applied finishes with the routes it began with). Any thread.
  void SetRoutes(std::vector<Route> routes);

  // Events applied (their application committed) since start: for tests and benchmarks.
  std::uint64_t applied() const;

 private:
  void Run();
  // Reads back events not applied (all of them when `everything`, else those received
  // recover_after ago or earlier) into the queue; whether a full batch came back.
  bool Recover(bool everything);
  void Apply(store::WebhookEvent event);
  // An application handed out by Apply has ended (applied, or to be tried again later).
  void Finished(const std::string& id, bool applied);
  // Step 2 of the contract above: stored alone, applied by the thread after.
  void ReceiveThenApply(store::WebhookEvent event, std::function<void(core::Result<void>)> stored,
                        std::function<void(bool)> applied);
  // What the event says, routed: the application of step 1 or 2 (reports not counted yet).
  store::WebhookApplication MakeApplication(const store::WebhookEvent& event,
                                            MetaNotification notification,
                                            const std::string& template_outcome);
  void ReceiveOwnTry(std::string source, std::string body, std::chrono::milliseconds wait,
                     std::chrono::milliseconds waited);

  store::DeliveryStatuses& statuses_;
  struct RoutedNumber {
    std::string service_phone;
    std::string domain;
  };
  using RouteMap = std::map<std::pair<std::string, std::string>, RoutedNumber, std::less<>>;
  static std::shared_ptr<const RouteMap> MakeRoutes(std::vector<Route> routes);
  mutable std::mutex routes_mutex_;
  std::shared_ptr<const RouteMap> routes_;  // replaced whole by SetRoutes
  IntakeOptions options_;
  util::TimerQueue& timers_;
  const util::Clock& clock_;
  TemplateStatusSink template_sink_;  // set before Start; read by the applier only

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<store::WebhookEvent> waiting_;   // guarded by mutex_
  std::set<std::string, std::less<>> known_;  // ids waiting or in flight; guarded by mutex_
  // ReceiveAndApply's callbacks by event id, until the event's first application ends; guarded
  // by mutex_.
  std::map<std::string, std::function<void(bool)>, std::less<>> on_applied_;
  // While Recover reads the store, the ids whose application ended meanwhile: they leave known_
  // only after the rows read are sorted out (one of them may have been read before its commit).
  bool reading_back_ = false;                        // guarded by mutex_
  std::vector<std::string> finished_while_reading_;  // guarded by mutex_
  int in_flight_ = 0;                                // guarded by mutex_
  int receiving_ = 0;          // ReceiveAndApplyWebhookAsync writes not answered; guarded by mutex_
  bool stopping_ = false;      // guarded by mutex_
  bool started_ = false;       // guarded by mutex_
  std::uint64_t applied_ = 0;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace socialgate::webhooks
