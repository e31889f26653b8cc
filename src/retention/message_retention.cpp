#include "retention/message_retention.hpp"

#include <spdlog/spdlog.h>

#include "obs/metrics.hpp"

namespace socialgate::retention {
namespace {

obs::CounterFamily& DeletedMessages() {
  static obs::CounterFamily& deleted = obs::DefaultRegistry().AddCounter(
      "socialgate_retention_deleted_messages_total",
      "Messages deleted by the domains' message retention once final and older than it, by "
      "direction (outbound: sent to customers, inbound: received from them), with their history, "
      "media and callbacks.",
      {"direction"});
  return deleted;
}
// Registered at start, so that a scrape shows the family before the first deletion.
[[maybe_unused]] const obs::CounterFamily& kDeletedMessagesRegistered = DeletedMessages();

}  // namespace

MessageRetention::MessageRetention(store::Storage& storage, std::vector<DomainRetention> domains,
                                   std::chrono::milliseconds interval, const util::Clock& clock,
                                   RetentionLimits limits)
    : storage_(storage),
      domains_(std::move(domains)),
      interval_(interval),
      clock_(clock),
      limits_(limits),
      thread_("sg-msg-retain",
              [this] { return RunOnce().more ? limits_.backlog_pause : interval_; }) {}

MessageRetention::~MessageRetention() { Stop(); }

void MessageRetention::Start() {
  if (!domains_.empty()) thread_.Start();
}

void MessageRetention::Stop() { thread_.Stop(); }

RetentionRound MessageRetention::RunOnce() {
  RetentionRound round;
  store::Conversations& conversations = storage_.conversations();
  for (const DomainRetention& d : domains_) {
    const std::int64_t before = clock_.UnixMillis() - d.retention.count();
    int batch = 0;
    for (; batch < limits_.max_batches; ++batch) {
      auto deleted = conversations.DeleteOldMessages({d.domain, before, limits_.batch});
      if (!deleted) {
        spdlog::warn("retention: domain '{}': cannot delete old messages now: {}", d.domain,
                     deleted.error().detail);
        break;
      }
      round.sent += deleted->messages;
      round.received += deleted->inbound;
      round.chats += deleted->chats;
      if (deleted->messages < limits_.batch && deleted->inbound < limits_.batch) break;
    }
    if (batch == limits_.max_batches) round.more = true;
  }
  if (round.sent + round.received == 0) return round;
  DeletedMessages().With({"outbound"}).Add(static_cast<std::uint64_t>(round.sent));
  DeletedMessages().With({"inbound"}).Add(static_cast<std::uint64_t>(round.received));
  for (int i = 0; i < limits_.max_reclaims; ++i) {
    auto pages = storage_.ReclaimSpace(limits_.reclaim_pages);
    if (!pages) {
      spdlog::warn("retention: cannot give free pages back now: {}", pages.error().detail);
      break;
    }
    round.pages += *pages;
    if (*pages < limits_.reclaim_pages) break;
  }
  spdlog::info(
      "retention: deleted {} sent and {} received messages and {} chats past their domain's "
      "message retention; {} free pages given back",
      round.sent, round.received, round.chats, round.pages);
  return round;
}

}  // namespace socialgate::retention
