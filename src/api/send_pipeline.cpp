#include "api/send_pipeline.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>

#include <spdlog/spdlog.h>

#include "api/envelope.hpp"
#include "core/text.hpp"
#include "obs/log.hpp"
#include "templates/send_check.hpp"
#include "util/ids.hpp"
#include "util/json_writer.hpp"
#include "util/sha256.hpp"

namespace socialgate::api {

using core::ErrorCode;
using http::HttpRequest;
using http::HttpResponse;
using http::JsonError;
using http::Responder;

void SendPipeline::Send(const Kind& kind, const config::Domain& domain,
                        const auth::Principal& principal, HttpRequest&& request,
                        Responder respond) {
  // Media headers take base64 decoding and sniffing; a key and a window are read in the store.
  if (request.body.size() <= kMaxBodyBytesWithoutWaiting &&
      request.Header("idempotency-key").empty() &&
      (!kind.free_form || deps_.conversations == nullptr)) {
    return Run(kind, domain, principal, request, respond);
  }
  auto shared = std::make_shared<HttpRequest>(std::move(request));
  const config::Domain* d = &domain;
  const Kind* k = &kind;
  OnWorker(deps_, std::move(respond), [this, k, d, principal, shared](const Responder& r) {
    Run(*k, *d, principal, *shared, r);
  });
}

void SendPipeline::Run(const Kind& kind, const config::Domain& domain,
                       const auth::Principal& principal, HttpRequest& request,
                       const Responder& respond) {
  // idempotency: a repeat returns the first answer and sends nothing again.
  auto read = ReadIdempotencyKey(request);
  if (read.refusal) return respond(std::move(*read.refusal));
  const std::optional<store::IdempotencyKey>& key = read.key;
  if (key) {
    auto found =
        deps_.idempotency_keys->FindIdempotencyKey(domain.name, key->key, util::NowUnixMillis());
    if (!found) return respond(ErrorResponse(found.error()));
    if (*found) return respond(RepeatAnswer(**found, key->request_hash));
  }
  // decode (the decoded copy is all we need from here on).
  core::ValidationContext rules;
  rules.languages = deps_.languages;
  auto message = kind.decode(std::move(request.body), rules);
  if (!message) return respond(ErrorResponse(message.error()));
  // validate, authorize.
  if (auto refused = Validate(deps_.config->Current(), domain, *message, kind.names)) {
    return respond(std::move(*refused));
  }
  if (auto refused = Authorize(principal, *message, kind.names)) {
    return respond(std::move(*refused));
  }
  // chat (on a worker: a chat send is free-form).
  if (!message->chat_id.empty() && deps_.conversations != nullptr) {
    auto chat = deps_.conversations->FindChat(domain.name, message->chat_id, util::NowUnixMillis());
    if (!chat) return respond(ErrorResponse(chat.error()));
    if (auto refused = CheckChat(*message, *chat, kind.names)) return respond(std::move(*refused));
  }
  if (deps_.catalogs != nullptr) {
    if (auto refused = CheckTemplate(*deps_.catalogs->Current(), domain, *message)) {
      return respond(std::move(*refused));
    }
  }
  // window (on a worker: Send saw to it).
  if (kind.free_form && deps_.conversations != nullptr) {
    auto last = deps_.conversations->LastInboundAt(message->service_phone, message->customer_phone);
    if (!last) return respond(ErrorResponse(last.error()));
    if (auto refused = CheckWindow(*message, *last, util::NowUnixMillis(), kind.names)) {
      return respond(std::move(*refused));
    }
  }
  // store, then ack.
  if (auto refused = CheckOutboxDepth()) return respond(std::move(*refused));
  Store(domain, std::move(*message), key, respond);
}

SendPipeline::KeyOrRefusal SendPipeline::ReadIdempotencyKey(const HttpRequest& request) {
  const std::string_view k = request.Header("idempotency-key");
  if (k.empty()) return {};
  const bool printable =
      std::all_of(k.begin(), k.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
  if (k.size() > 255 || !printable) {
    return {std::nullopt,
            JsonError(400, "Idempotency-Key: must be 1 to 255 printable ASCII characters")};
  }
  return {store::IdempotencyKey{std::string(k), util::Sha256Hex(request.body)}, std::nullopt};
}

std::optional<HttpResponse> SendPipeline::Validate(const config::Config& config,
                                                   const config::Domain& domain,
                                                   const core::OutboundMessage& message,
                                                   const FieldNames& names) {
  const std::string& phone = message.service_phone;
  for (const auto& n : domain.numbers) {
    if (n.phone == phone) return std::nullopt;
  }
  for (const auto& other : config.domains) {
    for (const auto& n : other.numbers) {
      if (n.phone == phone) {
        return JsonError(403, std::string(names.service) + ": " + phone +
                                  " is not a business number of domain '" + domain.name + "'");
      }
    }
  }
  return JsonError(422, std::string(names.service) + ": " + phone +
                            " is not a WhatsApp business number configured in domain '" +
                            domain.name + "'");
}

std::optional<HttpResponse> SendPipeline::Authorize(const auth::Principal& principal,
                                                    const core::OutboundMessage& message,
                                                    const FieldNames& names) {
  if (principal.MaySendFrom(message.service_phone)) return std::nullopt;
  return JsonError(403, std::string(names.service) + ": user " +
                            core::QuoteForMessage(principal.user) + " may not send from " +
                            message.service_phone);
}

std::optional<HttpResponse> SendPipeline::CheckChat(const core::OutboundMessage& message,
                                                    const std::optional<store::ChatRecord>& chat,
                                                    const FieldNames& names) {
  const std::string quoted = core::QuoteForMessage(message.chat_id, 80);
  if (!chat) return JsonError(404, "chatid: there is no chat " + quoted + " in this domain");
  if (chat->customer_phone != message.customer_phone ||
      chat->service_phone != message.service_phone) {
    return JsonError(422, "chatid: chat " + quoted + " is between " + chat->service_phone +
                              " and " + chat->customer_phone + ", not " + message.service_phone +
                              " (" + std::string(names.service) + ") and " +
                              message.customer_phone + " (" + std::string(names.customer) + ")");
  }
  if (!chat->active()) {
    return JsonError(
        409, "chatid: chat " + quoted + " ended at " + util::FormatUtcMillis(chat->ended_at_ms) +
                 " (" +
                 (chat->end_reason.empty() ? std::string("no reason given")
                                           : core::QuoteForMessage(chat->end_reason, 80)) +
                 "); a new message to the customer opens a new chat");
  }
  return std::nullopt;
}

std::optional<HttpResponse> SendPipeline::CheckTemplate(const templates::Snapshot& catalogs,
                                                        const config::Domain& domain,
                                                        const core::OutboundMessage& message) {
  const auto* content = std::get_if<core::TemplateContent>(&message.content);
  const config::BusinessNumber* number = domain.FindNumber(message.service_phone);
  if (content == nullptr || number == nullptr) return std::nullopt;
  const config::TemplatePolicy policy = domain.TemplatePolicyFor(*number);
  if (policy == config::TemplatePolicy::kOff) return std::nullopt;
  const std::string account = number->TemplateAccount();
  const templates::AccountCatalog* catalog = catalogs.Find(account);
  if (account.empty() || catalog == nullptr || catalog->synced_at_ms == 0) {
    // Nothing known yet contradicts the send (a catalog never synchronised): it goes as asked.
    return std::nullopt;
  }
  std::vector<std::string> neighbours;  // the domain's other accounts, which a refusal may name
  for (const auto& n : domain.numbers) {
    std::string other = n.TemplateAccount();
    if (!other.empty() && other != account &&
        std::find(neighbours.begin(), neighbours.end(), other) == neighbours.end()) {
      neighbours.push_back(std::move(other));
    }
  }
  auto checked =
      templates::CheckTemplateSend(catalogs, account, message.service_phone, *content, neighbours);
  if (checked) return std::nullopt;
  if (policy == config::TemplatePolicy::kLenient) {
    spdlog::warn("api: sending anyway (domain '{}' is lenient): {}", domain.name,
                 checked.error().message);
    return std::nullopt;
  }
  return JsonError(422, checked.error().message);
}

std::optional<HttpResponse> SendPipeline::CheckWindow(
    const core::OutboundMessage& message, std::optional<std::int64_t> last_inbound_at_ms,
    std::int64_t now_ms, const FieldNames& names) {
  if (std::holds_alternative<core::TemplateContent>(message.content)) return std::nullopt;
  if (last_inbound_at_ms && *last_inbound_at_ms + store::kCustomerWindowMs > now_ms) {
    return std::nullopt;
  }
  const std::string when =
      last_inbound_at_ms ? "the window closed at " +
                               util::FormatUtcMillis(*last_inbound_at_ms + store::kCustomerWindowMs)
                         : "the customer has never written to " + message.service_phone;
  return JsonError(422, std::string(names.customer) + ": no message from " +
                            message.customer_phone + " in the last 24 h (" + when +
                            "): a free-form message may only answer a customer within 24 "
                            "hours of their last message; send a template");
}

std::optional<HttpResponse> SendPipeline::CheckOutboxDepth() {
  // Counting the outbox costs a query: refresh the figure at most every 100 ms.
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  constexpr std::int64_t kRefreshNs = 100'000'000;
  if (now - outbox_checked_at_.load() > kRefreshNs && !outbox_refreshing_.exchange(true)) {
    // On a worker: an I/O thread must not wait for the store. Meanwhile the figure in hand
    // answers, at most one refresh (about 100 ms) old.
    outbox_checked_at_ = now;
    const bool queued = deps_.workers->Submit([this] {
      if (auto pending = deps_.outbox->PendingCount()) outbox_depth_ = *pending;
      outbox_refreshing_ = false;
    });
    if (!queued) outbox_refreshing_ = false;
  }
  const std::int64_t depth = outbox_depth_.load();
  const std::int64_t limit = deps_.config->Current().dispatch.max_outbox;
  if (depth < limit) return std::nullopt;
  return JsonError(503, "the gateway's outbox holds " + std::to_string(depth) +
                            " messages waiting to be sent, at its limit of " +
                            std::to_string(limit) + "; try again later");
}

void SendPipeline::Store(const config::Domain& domain, core::OutboundMessage message,
                         const std::optional<store::IdempotencyKey>& key,
                         const Responder& respond) {
  store::NewMessage stored;
  stored.id = util::NewMessageId();
  stored.domain = domain.name;
  stored.now_ms = util::NowUnixMillis();
  stored.idempotency = key;
  // A message held by Meta's pair limit is stored due when its slot comes: no worker claims it
  // (and gives it back) before.
  const std::int64_t hold_ms =
      deps_.dispatcher->ReservePairSlot(stored.id, message.service_phone, message.customer_phone)
          .count();
  stored.due_at_ms = stored.now_ms + hold_ms;
  const std::string customer = message.customer_phone;
  stored.message = std::move(message);

  const std::string id = stored.id;
  const bool wait_for_provider = domain.ack == config::AckMode::kProvider;
  const Answer answer = MakeAnswer(domain, key, respond);
  // Whichever comes first, the first attempt's outcome or the ack timeout, answers.
  auto answered = std::make_shared<std::atomic<bool>>(false);
  // The chat the message joined, known once it is stored: a worker may claim the message and
  // end its first attempt before the store's thread has run stored_done, hence the lock.
  struct JoinedChat {
    std::mutex mutex;
    std::string id;  // guarded by mutex
    std::string Get() {
      std::lock_guard lock(mutex);
      return id;
    }
  };
  auto chat = std::make_shared<JoinedChat>();
  if (wait_for_provider) {
    deps_.dispatcher->Listen(id, stored.message.service_phone,
                             [answer, answered, id, chat](const dispatch::AttemptResult& attempt) {
                               if (!answered->exchange(true)) {
                                 answer(SendAnswer(id, attempt, chat->Get()));
                               }
                             });
  }
  // Stored durably before any answer: the store groups concurrent inserts into one commit, and
  // this continues on its thread once the commit is on disk (or refused).
  const std::string service_phone = stored.message.service_phone;
  const std::string label(core::MessageLogLabel(stored.message.content));
  auto stored_done = [=, deps = deps_, domain_name = domain.name,
                      ack_timeout = domain.ack_timeout](core::Result<store::Inserted> inserted) {
    if (!inserted) {
      // Never to be sent: its pair slot goes to that customer's next message.
      deps.dispatcher->ReleasePairSlot(id, service_phone, customer);
      if (wait_for_provider) deps.dispatcher->Forget(id);
      if (key && inserted.error().code == ErrorCode::kAlreadyExists) {
        // A concurrent request with the same key stored its message first: answer as its
        // repeat, reading the key off the store's thread.
        auto repeat = [=] {
          auto found = deps.idempotency_keys->FindIdempotencyKey(domain_name, key->key,
                                                                 util::NowUnixMillis());
          if (found && *found) return respond(RepeatAnswer(**found, key->request_hash));
          respond(ErrorResponse(inserted.error()));
        };
        if (!deps.workers->Submit(repeat)) respond(ErrorResponse(inserted.error()));
        return;
      }
      spdlog::error("api: storing message for {} failed: {}", obs::MaskPhone(customer),
                    inserted.error().detail);
      return respond(ErrorResponse(inserted.error()));
    }
    {
      std::lock_guard lock(chat->mutex);
      chat->id = inserted->chat_id;
    }
    spdlog::info("api: message {} queued for {} from {} ({})", id, obs::MaskPhone(customer),
                 service_phone, label);
    // A held message is found by the workers' poll once due; waking one now finds nothing.
    if (hold_ms == 0) deps.dispatcher->Notify(service_phone);
    // ack.
    if (!wait_for_provider) {
      return answer(SendAnswer(id,
                               dispatch::AttemptResult{core::MessageStatus::kQueued, "", "", ""},
                               inserted->chat_id));
    }
    deps.timers->Schedule(ack_timeout, [answer, answered, id, dispatcher = deps.dispatcher,
                                        chat_id = inserted->chat_id] {
      if (answered->exchange(true)) return;
      dispatcher->Forget(id);
      answer(SendAnswer(id, dispatch::AttemptResult{core::MessageStatus::kQueued, "", "", ""},
                        chat_id));
    });
  };
  deps_.outbox->InsertAsync(std::move(stored), std::move(stored_done));
}

SendPipeline::Answer SendPipeline::MakeAnswer(const config::Domain& domain,
                                              const std::optional<store::IdempotencyKey>& key,
                                              const Responder& respond) const {
  return [respond, key, domain_name = domain.name, keys = deps_.idempotency_keys,
          workers = deps_.workers](HttpResponse response) {
    if (!key) return respond(std::move(response));
    // A database write: keep it off the dispatcher and timer threads.
    auto save_and_respond = [respond, key, domain_name, keys, response]() {
      auto saved = keys->SaveIdempotentAnswer(domain_name, key->key,
                                              static_cast<int>(response.status), response.body);
      if (!saved) spdlog::error("api: recording an idempotent answer: {}", saved.error().detail);
      respond(response);
    };
    if (!workers->Submit(save_and_respond)) save_and_respond();
  };
}

HttpResponse SendPipeline::SendAnswer(const std::string& message_id,
                                      const dispatch::AttemptResult& attempt,
                                      const std::string& chat_id) {
  // The seed's two fields first, then the additive ones. Written straight into the body (every
  // send answers with it: an nlohmann tree was 1% of the CPU per message).
  util::JsonWriter body;
  body.BeginObject();
  using core::MessageStatus;
  if (attempt.status == MessageStatus::kFailed) {
    std::string error = "the provider rejected the message";
    if (!attempt.error_code.empty()) error += " (code " + attempt.error_code + ")";
    if (!attempt.error_message.empty()) error += ": " + attempt.error_message;
    body.Key("result").Bool(false).Key("error").String(error);
  } else {
    body.Key("result").Bool(true).Key("error").Null();
  }
  body.Key("messageId").String(message_id);
  body.Key("status").String(core::MessageStatusName(attempt.status));
  if (attempt.status == MessageStatus::kAccepted) {
    body.Key("providerMessageId").String(attempt.provider_message_id);
  }
  if (!chat_id.empty()) body.Key("chatId").String(chat_id);
  body.EndObject();
  const unsigned status = attempt.status == MessageStatus::kAccepted ? 200
                          : attempt.status == MessageStatus::kFailed ? 422
                                                                     : 202;
  return JsonAnswer(status, body.Take());
}

// A repeat of an Idempotency-Key: the first answer, or, while the first request is still
// waiting for the provider, what is known now. Nothing is sent again.
HttpResponse SendPipeline::RepeatAnswer(const store::IdempotencyRecord& record,
                                        const std::string& request_hash) {
  if (record.request_hash != request_hash) {
    return JsonError(422,
                     "Idempotency-Key: was already used with a different request body; use a "
                     "new key for a new message");
  }
  if (record.answer_status) {
    HttpResponse r;
    r.status = static_cast<unsigned>(*record.answer_status);
    r.body = record.answer_body;
    r.headers.emplace_back("Idempotent-Replayed", "true");
    return r;
  }
  HttpResponse r = SendAnswer(record.message_id,
                              dispatch::AttemptResult{core::MessageStatus::kQueued, "", "", ""});
  r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

}  // namespace socialgate::api
