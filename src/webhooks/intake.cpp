#include "webhooks/intake.hpp"

#include <set>
#include <utility>

#include <spdlog/spdlog.h>

#include "obs/metrics.hpp"
#include "util/ids.hpp"
#include "util/thread_name.hpp"
#include "webhooks/meta_notification.hpp"

namespace socialgate::webhooks {

namespace {

obs::CounterFamily& RoutedReports() {
  static obs::CounterFamily& reports = obs::DefaultRegistry().AddCounter(
      "socialgate_status_reports_total",
      "Delivery status reports routed to a business number for applying, by source and status "
      "(sent, delivered, read, failed). An event applied again after a restart counts again.",
      {"source", "status"});
  return reports;
}
// Registered at start, so that a scrape shows the family before the first report.
[[maybe_unused]] const obs::CounterFamily& kRoutedReportsRegistered = RoutedReports();

void CountRouted(const std::vector<core::MessageStatus>& statuses, const std::string& source) {
  obs::CounterFamily& routed = RoutedReports();
  for (const core::MessageStatus status : statuses) {
    routed.With({source, std::string(core::MessageStatusName(status))}).Add();
  }
}

std::vector<core::MessageStatus> StatusesOf(const store::WebhookApplication& application) {
  std::vector<core::MessageStatus> statuses;
  statuses.reserve(application.reports.size());
  for (const auto& report : application.reports) statuses.push_back(report.status);
  return statuses;
}

}  // namespace
namespace {

// Events read back at each recovery, at most.
constexpr int kRecoverBatch = 1000;
// The outcome kept with an event, at most.
constexpr std::size_t kMaxOutcomeBytes = 2048;

constexpr auto kOwnFirstWait = std::chrono::milliseconds(1'000);
constexpr auto kOwnMaxWait = std::chrono::milliseconds(30'000);
constexpr auto kOwnRetryFor = std::chrono::milliseconds(30LL * 60 * 1000);

}  // namespace

WebhookIntake::WebhookIntake(store::DeliveryStatuses& statuses, std::vector<Route> routes,
                             IntakeOptions options, util::TimerQueue& timers,
                             const util::Clock& clock)
    : statuses_(statuses),
      routes_(MakeRoutes(std::move(routes))),
      options_(options),
      timers_(timers),
      clock_(clock) {}

std::shared_ptr<const WebhookIntake::RouteMap> WebhookIntake::MakeRoutes(
    std::vector<Route> routes) {
  auto map = std::make_shared<RouteMap>();
  for (auto& r : routes) {
    map->emplace(std::make_pair(std::move(r.source), std::move(r.phone_number_id)),
                 RoutedNumber{std::move(r.service_phone), std::move(r.domain)});
  }
  return map;
}

void WebhookIntake::SetRoutes(std::vector<Route> routes) {
  auto next = MakeRoutes(std::move(routes));
  std::lock_guard lock(routes_mutex_);
  routes_ = std::move(next);
}

WebhookIntake::~WebhookIntake() { Stop(); }

void WebhookIntake::Start() {
  std::lock_guard lock(mutex_);
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

void WebhookIntake::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  // Applications made at receipt are answered by the store too.
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [this] { return receiving_ == 0; });
}

std::uint64_t WebhookIntake::applied() const {
  std::lock_guard lock(mutex_);
  return applied_;
}

void WebhookIntake::Receive(std::string source, std::string body,
                            std::function<void(core::Result<void>)> done) {
  ReceiveAndApply(std::move(source), std::move(body), std::move(done), nullptr);
}

void WebhookIntake::ReceiveAndApply(std::string source, std::string body,
                                    std::function<void(core::Result<void>)> stored,
                                    std::function<void(bool)> applied) {
  store::WebhookEvent event{util::NewMessageId(), std::move(source), clock_.UnixMillis(),
                            std::move(body)};
  MetaNotification notification = ParseMetaNotification(event.body);
  bool at_once = notification.template_statuses.empty();
  {
    std::lock_guard lock(mutex_);
    at_once = at_once && !stopping_;
    if (at_once) ++receiving_;
  }
  if (!at_once) return ReceiveThenApply(std::move(event), std::move(stored), std::move(applied));
  store::WebhookApplication application = MakeApplication(event, std::move(notification), "");
  // Counted once the write holds, so an event that falls back is not counted twice.
  std::vector<core::MessageStatus> routed = StatusesOf(application);
  store::WebhookEvent copy = event;
  statuses_.ReceiveAndApplyWebhookAsync(
      std::move(copy), std::move(application),
      [this, event = std::move(event), stored = std::move(stored), applied = std::move(applied),
       routed = std::move(routed)](core::Result<store::WebhookApplied> done) mutable {
        if (done) {
          CountRouted(routed, event.source);
          {
            std::lock_guard lock(mutex_);
            ++applied_;  // before the answer, which may read it
          }
          stored({});
          if (applied) applied(true);
        } else {
          // Nothing was stored: the event alone, applied after (a refusal under load is
          // answered to the sender from there).
          ReceiveThenApply(std::move(event), std::move(stored), std::move(applied));
        }
        // Notified under the lock: once it is released with receiving_ at 0, Stop may return
        // and the intake be destroyed.
        std::lock_guard lock(mutex_);
        --receiving_;
        wake_.notify_all();
      });
}

void WebhookIntake::ReceiveThenApply(store::WebhookEvent event,
                                     std::function<void(core::Result<void>)> stored,
                                     std::function<void(bool)> applied) {
  if (applied) {
    std::lock_guard lock(mutex_);
    on_applied_.emplace(event.id, std::move(applied));
  }
  store::WebhookEvent copy = event;
  statuses_.ReceiveWebhookAsync(
      std::move(copy), [this, event = std::move(event),
                        stored = std::move(stored)](core::Result<void> received) mutable {
        {
          std::lock_guard lock(mutex_);
          if (!received) {
            on_applied_.erase(event.id);  // nothing stored, nothing to apply: `stored` says so
          } else if (!stopping_ && waiting_.size() < options_.max_waiting) {
            // Beyond the bound, or while stopping, the event waits in the store for recovery.
            known_.insert(event.id);
            waiting_.push_back(std::move(event));
            wake_.notify_one();
          }
        }
        stored(std::move(received));
      });
}

void WebhookIntake::ReceiveOwn(std::string source, std::string body) {
  ReceiveOwnTry(std::move(source), std::move(body), kOwnFirstWait, {});
}

void WebhookIntake::ReceiveOwnTry(std::string source, std::string body,
                                  std::chrono::milliseconds wait,
                                  std::chrono::milliseconds waited) {
  std::string kept_source = source;
  std::string kept_body = body;
  Receive(std::move(source), std::move(body),
          [this, source = std::move(kept_source), body = std::move(kept_body), wait,
           waited](core::Result<void> received) mutable {
            if (received) return;
            if (received.error().code != core::ErrorCode::kUnavailable || waited >= kOwnRetryFor) {
              spdlog::error("webhooks: a {} status event was not stored and is dropped: {}", source,
                            received.error().detail);
              return;
            }
            timers_.Schedule(wait, [this, source = std::move(source), body = std::move(body), wait,
                                    waited]() mutable {
              ReceiveOwnTry(std::move(source), std::move(body), std::min(wait * 2, kOwnMaxWait),
                            waited + wait);
            });
          });
}

void WebhookIntake::Run() {
  util::NameThisThread("sg-webhooks");
  // The first recovery, at once, takes every event a previous run left.
  bool first_recovery = true;
  auto next_recovery = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    // A recovery runs once the queue has drained: what it reads back joins the queue's end, and
    // nothing waiting in memory is read back again. A full batch is followed by the next at once.
    const bool recovery_due = std::chrono::steady_clock::now() >= next_recovery;
    if (recovery_due && waiting_.empty()) {
      lock.unlock();
      const bool more = Recover(first_recovery);
      first_recovery = first_recovery && more;  // the previous run's, until they are all read
      next_recovery = std::chrono::steady_clock::now() +
                      (more ? std::chrono::milliseconds(0) : options_.recover_every);
      lock.lock();
      continue;
    }
    const auto can_apply = [this] {
      return stopping_ || (!waiting_.empty() && in_flight_ < options_.max_in_flight);
    };
    // While a recovery is due the queue is not empty: applying it is what the wait is for.
    const bool ready = recovery_due ? (wake_.wait(lock, can_apply), true)
                                    : wake_.wait_until(lock, next_recovery, can_apply);
    if (!ready || stopping_) continue;
    store::WebhookEvent event = std::move(waiting_.front());
    waiting_.pop_front();
    ++in_flight_;
    lock.unlock();
    Apply(std::move(event));
    lock.lock();
  }
  // Applications in flight are answered by the store; wait for them (they touch this object).
  wake_.wait(lock, [this] { return in_flight_ == 0; });
}

bool WebhookIntake::Recover(bool everything) {
  {
    // An event in flight whose application commits while the read runs may be among the rows
    // read (read before the commit): it stays known until the rows are sorted out below, so it
    // is not applied a second time.
    std::lock_guard lock(mutex_);
    reading_back_ = true;
  }
  const std::int64_t now_ms = clock_.UnixMillis();
  const std::int64_t before_ms = everything ? now_ms : now_ms - options_.recover_after.count();
  auto events = statuses_.UnappliedWebhooks(before_ms, kRecoverBatch);
  int added = 0;
  {
    std::lock_guard lock(mutex_);
    for (auto& e : events ? *events : std::vector<store::WebhookEvent>()) {
      if (known_.contains(e.id)) continue;
      known_.insert(e.id);
      waiting_.push_back(std::move(e));
      ++added;
    }
    for (const auto& id : finished_while_reading_) known_.erase(id);
    finished_while_reading_.clear();
    reading_back_ = false;
  }
  if (!events) {
    spdlog::warn("webhooks: cannot read back the events not applied yet: {}",
                 events.error().detail);
    return false;
  }
  if (added > 0) {
    spdlog::info("webhooks: applying {} stored events not applied before", added);
    wake_.notify_one();
  }
  return static_cast<int>(events->size()) == kRecoverBatch && added > 0;
}

void WebhookIntake::SetTemplateStatusSink(TemplateStatusSink sink) {
  template_sink_ = std::move(sink);
}

void WebhookIntake::Apply(store::WebhookEvent event) {
  MetaNotification notification = ParseMetaNotification(event.body);
  std::string template_outcome;
  if (!notification.template_statuses.empty()) {
    if (!template_sink_) {
      template_outcome = "; " + std::to_string(notification.template_statuses.size()) +
                         " template statuses not applied (no template catalog)";
    } else {
      for (const auto& update : notification.template_statuses) {
        if (!template_sink_(update)) {
          spdlog::warn(
              "webhooks: {} event {}: a template status could not be recorded; the event "
              "is applied later",
              event.source, event.id);
          return Finished(event.id, false);
        }
      }
      template_outcome =
          "; " + std::to_string(notification.template_statuses.size()) + " template statuses";
    }
  }
  store::WebhookApplication application =
      MakeApplication(event, std::move(notification), template_outcome);
  CountRouted(StatusesOf(application), event.source);
  statuses_.ApplyWebhookAsync(
      std::move(application),
      [this, id = event.id, source = event.source](core::Result<store::WebhookApplied> applied) {
        if (!applied) {
          spdlog::warn("webhooks: {} event {} not applied yet, tried again later: {}", source, id,
                       applied.error().detail);
        }
        Finished(id, applied.has_value());
      });
}

store::WebhookApplication WebhookIntake::MakeApplication(const store::WebhookEvent& event,
                                                         MetaNotification notification,
                                                         const std::string& template_outcome) {
  store::WebhookApplication application;
  application.event_id = event.id;
  application.now_ms = clock_.UnixMillis();
  application.hold_until_ms = application.now_ms + options_.hold_unmatched.count();
  application.forget_events_before_ms = application.now_ms - options_.keep_events.count();
  // Each phone_number_id the gateway does not know is noted once, with the event.
  std::set<std::string, std::less<>> unrouted;
  std::shared_ptr<const RouteMap> routes;
  {
    std::lock_guard lock(routes_mutex_);
    routes = routes_;
  }
  const auto route_of = [&](const std::string& phone_number_id) -> const RoutedNumber* {
    const auto route = routes->find(std::make_pair(event.source, phone_number_id));
    if (route != routes->end()) return &route->second;
    if (unrouted.insert(phone_number_id).second) {
      spdlog::warn(
          "webhooks: {} event {} is for phone_number_id {}, which is no business number of "
          "this gateway; what it says for it is kept with the event, not applied",
          event.source, event.id, phone_number_id);
      notification.ignored.push_back("phone_number_id " + phone_number_id +
                                     " is no business number of this gateway");
    }
    return nullptr;
  };
  for (auto& s : notification.statuses) {
    const RoutedNumber* number = route_of(s.phone_number_id);
    if (number == nullptr) continue;
    s.report.service_phone = number->service_phone;
    s.report.source = event.source;
    application.reports.push_back(std::move(s.report));
  }
  for (auto& m : notification.inbound) {
    const RoutedNumber* number = route_of(m.phone_number_id);
    if (number == nullptr) continue;
    m.record.service_phone = number->service_phone;
    m.record.domain = number->domain;
    m.record.source = event.source;
    application.inbound.push_back(std::move(m.record));
  }
  std::string outcome =
      std::to_string(application.reports.size()) + " statuses to apply" + template_outcome;
  if (!application.inbound.empty()) {
    outcome += "; " + std::to_string(application.inbound.size()) + " inbound messages";
  }
  for (const auto& note : notification.ignored) {
    if (outcome.size() + note.size() + 2 > kMaxOutcomeBytes) break;
    outcome += "; " + note;
  }
  application.outcome = std::move(outcome);
  return application;
}

void WebhookIntake::Finished(const std::string& id, bool applied) {
  std::function<void(bool)> on_applied;
  {
    std::lock_guard lock(mutex_);
    if (const auto waiting = on_applied_.find(id); waiting != on_applied_.end()) {
      on_applied = std::move(waiting->second);
      on_applied_.erase(waiting);
    }
    --in_flight_;
    if (reading_back_) {
      finished_while_reading_.push_back(id);
    } else {
      known_.erase(id);
    }
    if (applied) ++applied_;
    wake_.notify_all();  // under the lock: Stop may return once it is released
  }
  if (on_applied) on_applied(applied);
}

}  // namespace socialgate::webhooks
