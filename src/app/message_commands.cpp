#include "app/message_commands.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "api/message_json.hpp"
#include "api/message_query.hpp"
#include "app/exit_codes.hpp"
#include "app/text_table.hpp"
#include "core/message_status.hpp"
#include "core/phone_number.hpp"
#include "core/text.hpp"
#include "store/storage.hpp"
#include "util/ids.hpp"

namespace socialgate::app {
namespace {

using MessageJson = nlohmann::ordered_json;

// What the message commands share: the configuration, the store and the domains to look in.
struct MessageStore {
  config::Config config;
  store::StoragePtr storage;
  std::vector<std::string> domains;  // --domain's, or every domain of the configuration
};

core::Result<MessageStore> OpenOutbox(const ServeOptions& options, const std::string& domain) {
  MessageStore o;
  SG_ASSIGN_OR_RETURN(o.config, LoadEffectiveConfig(options));
  if (!domain.empty()) {
    const config::Domain* d = o.config.FindDomain(domain);
    if (d == nullptr) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             "--domain: " + core::QuoteForMessage(domain) + " is not a domain of " +
                                 options.config_path);
    }
    o.domains.push_back(d->name);
  } else {
    for (const auto& d : o.config.domains) o.domains.push_back(d.name);
  }
  SG_ASSIGN_OR_RETURN(o.storage, store::OpenStorage(o.config.storage_url));
  return o;
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

// "TEMPLATE shipping_confirmation (en_GB)", "TEXT", "IMAGE photo.jpg".
std::string ContentSummary(const store::StoredMessage& m) {
  return std::visit(
      core::Overloaded{[](const core::TemplateContent& t) {
                         return "TEMPLATE " + t.template_name + " (" + t.language + ")";
                       },
                       [](const core::TextContent&) { return std::string("TEXT"); },
                       [](const core::MediaContent& c) {
                         return std::string(c.media.kind == core::MediaKind::kImage ? "IMAGE "
                                                                                    : "DOCUMENT ") +
                                c.media.file_name;
                       }},
      m.message.content);
}

// The API's fields of a message, after its domain.
MessageJson MessageFields(const store::StoredMessage& m) {
  MessageJson item = {{"domain", m.domain}};
  api::AddMessageFields(item, m);
  return item;
}

// The message `id` in the first of `domains` that has it (an id is unique across domains);
// nullopt when none has it.
core::Result<std::optional<store::StoredMessage>> Find(MessageStore& o, const std::string& id) {
  for (const auto& domain : o.domains) {
    SG_ASSIGN_OR_RETURN(auto found, o.storage->outbox().Get(domain, id));
    if (found) return found;
  }
  return std::optional<store::StoredMessage>();
}

int NotFound(std::FILE* err, const std::string& command, const MessageStore& o,
             const std::string& id, const std::string& domain) {
  std::fprintf(err, "socialgate: %s: no message %s in %s\n", command.c_str(),
               core::QuoteForMessage(id).c_str(),
               domain.empty() ? "any domain of the configuration"
                              : ("domain " + core::QuoteForMessage(o.domains.front())).c_str());
  return kExitNotFound;
}

core::Result<store::MessageQuery> QueryOf(const MessageListOptions& list) {
  store::MessageQuery q;
  for (const auto& given : list.statuses) {
    std::size_t start = 0;
    while (start <= given.size()) {
      const std::size_t comma = std::min(given.find(',', start), given.size());
      const std::string name = given.substr(start, comma - start);
      auto status = core::ParseMessageStatus(name);
      if (!status) {
        return core::MakeError(core::ErrorCode::kInvalidArgument,
                               "--status: " + status.error().message);
      }
      q.statuses.push_back(*status);
      start = comma + 1;
    }
  }
  if (!list.phone.empty()) {
    SG_ASSIGN_OR_RETURN(q.customer_phone, core::NormalizePhoneNumber("--phone", list.phone));
  }
  if (!list.number.empty()) {
    SG_ASSIGN_OR_RETURN(q.service_phone, core::NormalizePhoneNumber("--number", list.number));
  }
  q.template_name = list.template_name;
  for (const auto& [field, text, into] :
       {std::tuple{"--from", &list.from, &q.from_ms}, std::tuple{"--to", &list.to, &q.to_ms}}) {
    if (text->empty()) continue;
    *into = api::ParseUtcMillis(*text);
    if (!*into) {
      return core::MakeError(
          core::ErrorCode::kInvalidArgument,
          std::string(field) + ": must be an RFC 3339 UTC time such as 2026-12-06T09:00:00Z, got " +
              core::QuoteForMessage(*text));
    }
  }
  if (q.from_ms && q.to_ms && *q.from_ms >= *q.to_ms) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, "--from: must be before --to");
  }
  q.limit = list.limit;
  return q;
}

}  // namespace

core::Result<int> ListMessages(const ServeOptions& options, const MessageListOptions& list,
                               std::FILE* out) {
  SG_ASSIGN_OR_RETURN(store::MessageQuery query, QueryOf(list));
  SG_ASSIGN_OR_RETURN(MessageStore o, OpenOutbox(options, list.domain));
  // Each domain's newest `limit`, merged: the newest `limit` of them all.
  std::vector<store::StoredMessage> messages;
  for (const auto& domain : o.domains) {
    query.domain = domain;
    SG_ASSIGN_OR_RETURN(store::MessagePage page, o.storage->outbox().ListMessages(query));
    for (auto& m : page.messages) messages.push_back(std::move(m));
  }
  std::stable_sort(messages.begin(), messages.end(), [](const auto& a, const auto& b) {
    return a.created_at_ms != b.created_at_ms ? a.created_at_ms > b.created_at_ms : a.id > b.id;
  });
  if (messages.size() > static_cast<std::size_t>(list.limit))
    messages.resize(static_cast<std::size_t>(list.limit));

  if (list.json) {
    MessageJson items = MessageJson::array();
    for (const auto& m : messages) items.push_back(MessageFields(m));
    std::fprintf(out, "%s\n", MessageJson{{"messages", std::move(items)}}.dump(2).c_str());
    return kExitOk;
  }
  if (messages.empty()) {
    std::fprintf(out, "no messages\n");
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{{"CREATED", "DOMAIN", "ID", "STATUS", "ATTEMPTS",
                                              "CUSTOMER", "SERVICE", "CONTENT", "UPDATED",
                                              "ERROR"}};
  for (const auto& m : messages) {
    std::string error = m.error_message;
    if (error.size() > 60) error = error.substr(0, 57) + "...";
    rows.push_back({util::FormatUtcMillis(m.created_at_ms), m.domain, m.id,
                    std::string(core::MessageStatusName(m.status)), std::to_string(m.attempts),
                    m.message.customer_phone, m.message.service_phone, ContentSummary(m),
                    util::FormatUtcMillis(m.updated_at_ms), OrDash(error)});
  }
  PrintTable(out, rows);
  return kExitOk;
}

core::Result<int> ShowMessage(const ServeOptions& options, const MessageOptions& show,
                              std::FILE* out, std::FILE* err) {
  SG_ASSIGN_OR_RETURN(MessageStore o, OpenOutbox(options, show.domain));
  SG_ASSIGN_OR_RETURN(auto found, Find(o, show.id));
  if (!found) return NotFound(err, "messages show", o, show.id, show.domain);
  const store::StoredMessage& m = *found;
  if (show.json) {
    MessageJson body = MessageFields(m);
    body["waId"] = m.wa_id.empty() ? MessageJson(nullptr) : MessageJson(m.wa_id);
    body["nextAttemptAt"] = m.status == core::MessageStatus::kQueued
                                ? MessageJson(util::FormatUtcMillis(m.next_attempt_at_ms))
                                : MessageJson(nullptr);
    api::AddBillingFields(body, m);
    body["history"] = api::MessageHistoryJson(m);
    std::fprintf(out, "%s\n", body.dump(2).c_str());
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{
      {"message", m.id},
      {"domain", m.domain},
      {"status", std::string(core::MessageStatusName(m.status))},
      {"attempts", std::to_string(m.attempts)},
      {"customer", m.message.customer_phone},
      {"service", m.message.service_phone},
      {"content", ContentSummary(m)}};
  if (const auto* text = std::get_if<core::TextContent>(&m.message.content)) {
    rows.push_back({"text", text->text});
  }
  rows.push_back({"provider id", OrDash(m.provider_message_id)});
  rows.push_back(
      {"error", m.error_message.empty()
                    ? "-"
                    : (m.error_code.empty() ? "" : m.error_code + ": ") + m.error_message});
  rows.push_back({"chat", OrDash(m.chat_id)});
  rows.push_back({"created", util::FormatUtcMillis(m.created_at_ms)});
  rows.push_back({"updated", util::FormatUtcMillis(m.updated_at_ms)});
  if (m.status == core::MessageStatus::kQueued) {
    rows.push_back({"next attempt", util::FormatUtcMillis(m.next_attempt_at_ms)});
  }
  PrintTable(out, rows);
  std::fprintf(out, "\nhistory:\n");
  std::vector<std::vector<std::string>> events{{"  AT", "STATUS", "SOURCE", "DETAIL"}};
  for (const auto& e : m.history) {
    events.push_back({"  " + util::FormatUtcMillis(e.at_ms),
                      std::string(core::MessageStatusName(e.status)),
                      e.source.empty() ? "gateway" : e.source, OrDash(e.detail)});
  }
  PrintTable(out, events);
  return kExitOk;
}

core::Result<int> RetryMessage(const ServeOptions& options, const MessageOptions& retry,
                               std::FILE* out, std::FILE* err) {
  SG_ASSIGN_OR_RETURN(MessageStore o, OpenOutbox(options, retry.domain));
  SG_ASSIGN_OR_RETURN(auto found, Find(o, retry.id));
  if (!found) return NotFound(err, "messages retry", o, retry.id, retry.domain);
  const store::StoredMessage& m = *found;
  const auto refuse = [&](core::MessageStatus status) {
    std::fprintf(err,
                 "socialgate: messages retry: message %s is %s, not failed: only a failed "
                 "message can be retried\n",
                 core::QuoteForMessage(m.id).c_str(),
                 std::string(core::MessageStatusName(status)).c_str());
    return kExitRefused;
  };
  if (m.status != core::MessageStatus::kFailed) return refuse(m.status);
  const std::int64_t now_ms = util::NowUnixMillis();
  store::MessageRetry request{m.domain, m.id, now_ms,
                              "retried from the command line after " + std::to_string(m.attempts) +
                                  (m.attempts == 1 ? " attempt" : " attempts")};
  SG_ASSIGN_OR_RETURN(const store::RetryOutcome outcome, o.storage->outbox().RetryMessage(request));
  if (outcome == store::RetryOutcome::kNotFound) {
    return NotFound(err, "messages retry", o, retry.id, retry.domain);  // erased meanwhile
  }
  if (outcome == store::RetryOutcome::kNotFailed) {
    // Retried by someone else meanwhile: say what it is now.
    SG_ASSIGN_OR_RETURN(auto now, o.storage->outbox().Get(m.domain, m.id));
    return refuse(now ? now->status : core::MessageStatus::kQueued);
  }
  spdlog::info("messages: retried message {} of domain '{}' after {} attempts", m.id, m.domain,
               m.attempts);
  const auto poll_ms = o.config.dispatch.poll_interval.count();
  if (retry.json) {
    const MessageJson body = {{"domain", m.domain},
                              {"messageId", m.id},
                              {"status", "queued"},
                              {"previousAttempts", m.attempts},
                              {"nextAttemptAt", util::FormatUtcMillis(now_ms)}};
    std::fprintf(out, "%s\n", body.dump().c_str());
  } else {
    std::fprintf(out,
                 "message %s of domain %s is queued again after %d attempts; a running gateway "
                 "sends it within %lld ms (dispatch.poll_interval_ms)\n",
                 m.id.c_str(), m.domain.c_str(), m.attempts, static_cast<long long>(poll_ms));
  }
  return kExitOk;
}

}  // namespace socialgate::app
