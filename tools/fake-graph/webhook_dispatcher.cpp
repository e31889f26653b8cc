#include "fake-graph/webhook_dispatcher.hpp"

#include <utility>
#include <vector>

#include "util/ids.hpp"
#include "util/thread_name.hpp"

namespace socialgate::fake_graph {

namespace {

using Clock = std::chrono::steady_clock;

// Jobs taken per turn of the lock: the I/O threads' Add never waits behind a long batch.
constexpr std::size_t kBatch = 64;

// Whether the next due time moved earlier (or appeared): the dispatcher may sleep past it.
bool Earlier(const std::optional<Clock::time_point>& before,
             const std::optional<Clock::time_point>& after) {
  return after && (!before || *after < *before);
}

}  // namespace

WebhookDispatcher::WebhookDispatcher(WebhookOptions options, std::unique_ptr<WebhookPoster> poster)
    : options_(options), queue_(std::move(options)), poster_(std::move(poster)) {
  // Started last: the loop uses every member.
  thread_ = std::thread([this] {
    util::NameThisThread("fg-webhooks");
    Run();
  });
}

WebhookDispatcher::~WebhookDispatcher() {
  Close();
  if (thread_.joinable()) thread_.join();
  // Finishes (and calls back) every POST still out, while the queue still exists.
  poster_.reset();
}

void WebhookDispatcher::Add(AcceptedSend send, std::chrono::milliseconds answer_delay) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (closed_ || options_.url.empty()) return;
    const auto before = queue_.NextDue();
    queue_.Add(std::move(send), Clock::now() + answer_delay);
    wake = Earlier(before, queue_.NextDue());
  }
  if (wake) wake_.notify_one();
}

bool WebhookDispatcher::AddTemplateEvent(TemplateStatusEvent event) {
  bool added = false;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (closed_ || options_.url.empty()) return false;
    const auto before = queue_.NextDue();
    added = queue_.AddTemplateEvent(std::move(event), Clock::now());
    wake = Earlier(before, queue_.NextDue());
  }
  if (wake) wake_.notify_one();
  return added;
}

bool WebhookDispatcher::AddMessageEvent(std::string body) {
  bool added = false;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (closed_ || options_.url.empty()) return false;
    const auto before = queue_.NextDue();
    added = queue_.AddMessageEvent(std::move(body), Clock::now());
    wake = Earlier(before, queue_.NextDue());
  }
  if (wake) wake_.notify_one();
  return added;
}

void WebhookDispatcher::SetTarget(std::string url, std::string app_secret) {
  std::lock_guard lock(mutex_);
  options_.url = std::move(url);
  options_.app_secret = std::move(app_secret);
}

bool WebhookDispatcher::HasTarget() const {
  std::lock_guard lock(mutex_);
  return !options_.url.empty();
}

WebhookCounters WebhookDispatcher::Counters() const {
  std::lock_guard lock(mutex_);
  return queue_.Counters();
}

void WebhookDispatcher::ClearCounters() {
  std::lock_guard lock(mutex_);
  queue_.ClearCounters();
}

void WebhookDispatcher::Reset() {
  std::lock_guard lock(mutex_);
  queue_.DropPending();
  queue_.ClearCounters();
}

void WebhookDispatcher::Close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    queue_.DropPending();
  }
  wake_.notify_all();
}

bool WebhookDispatcher::Drain(TimePoint deadline) {
  Close();
  if (thread_.joinable()) thread_.join();
  std::unique_lock lock(mutex_);
  return idle_.wait_until(lock, deadline, [this] { return queue_.Counters().in_flight == 0; });
}

void WebhookDispatcher::Run() {
  std::unique_lock lock(mutex_);
  while (!closed_) {
    std::vector<WebhookJob> jobs = queue_.TakeDue(Clock::now(), kBatch);
    if (jobs.empty()) {
      if (const auto next = queue_.NextDue()) {
        wake_.wait_until(lock, *next);
      } else {
        wake_.wait(lock);
      }
      continue;
    }
    // The target of this moment, for the batch (SetTarget may change it meanwhile).
    const WebhookOptions target = options_;
    lock.unlock();
    const std::int64_t unix_seconds = util::NowUnixMillis() / 1000;
    for (auto& job : jobs) {
      FillPost(target, unix_seconds, job);
      WebhookPost post{target.url, job.body, job.signature};
      poster_->Post(std::move(post), [this, job = std::move(job)](PostOutcome outcome) mutable {
        OnDone(std::move(job), outcome);
      });
    }
    lock.lock();
  }
}

void WebhookDispatcher::OnDone(WebhookJob job, PostOutcome outcome) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    const auto before = queue_.NextDue();
    queue_.Complete(std::move(job), outcome, Clock::now());
    wake = Earlier(before, queue_.NextDue());
    if (queue_.Counters().in_flight == 0) idle_.notify_all();
  }
  if (wake) wake_.notify_one();
}

}  // namespace socialgate::fake_graph
