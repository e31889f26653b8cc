#include "api/livechat_api.hpp"

#include <atomic>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "api/envelope.hpp"
#include "api/template_codec.hpp"
#include "core/validate.hpp"
#include "obs/log.hpp"
#include "util/ids.hpp"
#include "util/json_nesting.hpp"
#include "util/sha256.hpp"

namespace socialgate::api {
namespace {

using core::ErrorCode;
using http::HttpRequest;
using http::HttpResponse;
using http::JsonError;
using http::Responder;

constexpr std::string_view kSendMethod = "sendExternalTemplateMessageToCtlivesocial";
constexpr std::string_view kDefaultDomain = "default";

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);  // Express tolerates it
  std::size_t start = 0;
  while (start < path.size()) {
    if (path[start] == '/') {
      ++start;
      continue;
    }
    const auto end = path.find('/', start);
    parts.push_back(path.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

// The value of `name` in a query string, percent-decoded; "" when absent.
std::string QueryParameter(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) != name || eq == std::string_view::npos) continue;
    std::string out;
    const std::string_view v = pair.substr(eq + 1);
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '%' && i + 2 < v.size() && std::isxdigit(static_cast<unsigned char>(v[i + 1])) &&
          std::isxdigit(static_cast<unsigned char>(v[i + 2]))) {
        out.push_back(static_cast<char>(std::stoi(std::string(v.substr(i + 1, 2)), nullptr, 16)));
        i += 2;
      } else {
        out.push_back(v[i] == '+' ? ' ' : v[i]);
      }
    }
    return out;
  }
  return {};
}

bool IsJsonContentType(std::string_view value) {
  const auto semi = value.find(';');
  std::string_view type = value.substr(0, semi);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  while (!type.empty() && type.front() == ' ') type.remove_prefix(1);
  constexpr std::string_view kJson = "application/json";
  if (type.size() != kJson.size()) return false;
  for (std::size_t i = 0; i < type.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(type[i])) != kJson[i]) return false;
  }
  return true;
}

HttpResponse Json(unsigned status, const nlohmann::ordered_json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return r;
}

HttpResponse MethodNotAllowed(std::string_view allow) {
  HttpResponse r = JsonError(405, "this endpoint accepts only " + std::string(allow));
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

// The answer for a message whose first attempt ended (or was not awaited).
HttpResponse SendAnswer(const std::string& message_id, const dispatch::AttemptResult& attempt) {
  // The seed's two fields first, then the additive ones.
  nlohmann::ordered_json body;
  if (attempt.status == "failed") {
    std::string error = "the provider rejected the message";
    if (!attempt.error_code.empty()) error += " (code " + attempt.error_code + ")";
    if (!attempt.error_message.empty()) error += ": " + attempt.error_message;
    body["result"] = false;
    body["error"] = error;
  } else {
    body["result"] = true;
    body["error"] = nullptr;
  }
  body["messageId"] = message_id;
  body["status"] = attempt.status;
  if (attempt.status == "accepted") body["providerMessageId"] = attempt.provider_message_id;
  const unsigned status = attempt.status == "accepted" ? 200
                          : attempt.status == "failed" ? 422
                                                       : 202;
  return Json(status, body);
}

}  // namespace

LivechatApi::LivechatApi(ApiDependencies deps) : deps_(deps) {}

void LivechatApi::OnWorker(Responder respond, std::function<void(const Responder&)> work) {
  if (deps_.workers->Backlog() >= deps_.max_queued_requests) {
    respond(JsonError(503, "the gateway is overloaded, try again shortly"));
    return;
  }
  const bool queued = deps_.workers->Submit([respond, work = std::move(work)] { work(respond); });
  if (!queued) respond(JsonError(503, "the gateway is shutting down, try again shortly"));
}

void LivechatApi::Handle(HttpRequest&& request, Responder respond) {
  const auto parts = SplitPath(request.path);
  const bool is_get = request.method == "GET";
  const bool is_post = request.method == "POST";

  if (parts.size() == 1 && (parts[0] == "healthz" || parts[0] == "readyz")) {
    if (!is_get) return respond(MethodNotAllowed("GET"));
    if (parts[0] == "healthz") {
      return respond(Json(200, {{"result", true}, {"error", nullptr}, {"status", "ok"}}));
    }
    return OnWorker(std::move(respond), [this](const Responder& r) { Ready(r); });
  }
  if (parts.empty() || parts[0] != "livechat") {
    return respond(JsonError(404, "no such endpoint: " + request.method + " " + request.path));
  }

  // /livechat/{method} means domain "default" (the seed marks {domain} as optional).
  std::string_view domain_name;
  std::string_view method;
  std::string message_id;
  if (parts.size() == 2 && parts[1] == kSendMethod) {
    domain_name = kDefaultDomain;
    method = parts[1];
  } else if (parts.size() == 3 && parts[2] == kSendMethod) {
    domain_name = parts[1];
    method = parts[2];
  } else if (parts.size() == 4 && parts[2] == "messages") {
    domain_name = parts[1];
    method = parts[2];
    message_id = std::string(parts[3]);
  } else if (parts.size() == 2 && (parts[1] == "login" || parts[1] == "logout")) {
    domain_name = kDefaultDomain;
    method = parts[1];
  } else if (parts.size() == 3 && (parts[2] == "login" || parts[2] == "logout")) {
    domain_name = parts[1];
    method = parts[2];
  } else {
    return respond(JsonError(404, "no such endpoint: " + request.method + " " + request.path));
  }
  if (method == kSendMethod && !is_post) return respond(MethodNotAllowed("POST"));
  if (method == "messages" && !is_get) return respond(MethodNotAllowed("GET"));
  if ((method == "login" || method == "logout") && !is_post) {
    return respond(MethodNotAllowed("POST"));
  }

  const config::Domain* domain = deps_.config->FindDomain(domain_name);
  if (domain == nullptr) {
    return respond(JsonError(404, "unknown domain '" + std::string(domain_name) + "'"));
  }
  if (method == kSendMethod && SendWithoutWaiting(*domain, request, respond)) return;
  auto shared = std::make_shared<HttpRequest>(std::move(request));
  if (method == kSendMethod) {
    return OnWorker(std::move(respond),
                    [this, domain, shared](const Responder& r) { Send(*domain, *shared, r); });
  }
  if (method == "login") {
    return OnWorker(std::move(respond),
                    [this, domain, shared](const Responder& r) { Login(*domain, *shared, r); });
  }
  if (method == "logout") {
    return OnWorker(std::move(respond),
                    [this, domain, shared](const Responder& r) { Logout(*domain, *shared, r); });
  }
  OnWorker(std::move(respond), [this, domain, shared, id = std::move(message_id)](
                                   const Responder& r) { GetMessage(*domain, id, *shared, r); });
}

std::optional<auth::Principal> LivechatApi::Authenticate(const config::Domain& domain,
                                                         const HttpRequest& request,
                                                         const Responder& respond) {
  const std::string_view authorization = request.Header("authorization");
  std::string token(request.Header("ctlivetoken"));
  if (token.empty()) token = QueryParameter(request.query, "ctlivetoken");
  const AttemptKeys keys = KeysFor(domain, request, auth::Authenticator::BasicUser(authorization));
  if (auto refused = Refused(keys)) {
    respond(std::move(*refused));
    return std::nullopt;
  }
  auto principal = deps_.authenticator->Authenticate(domain, {authorization, token});
  if (principal) {
    Succeeded(keys);
    return std::move(*principal);
  }
  if (principal.error().code != ErrorCode::kUnauthenticated) {
    respond(ErrorResponse(principal.error()));  // e.g. the session store is unavailable
    return std::nullopt;
  }
  Failed(keys, principal.error(), respond);
  return std::nullopt;
}

LivechatApi::AttemptKeys LivechatApi::KeysFor(const config::Domain& domain,
                                              const HttpRequest& request, const std::string& user) {
  AttemptKeys keys;
  keys.address = "ip:" + request.remote_address;
  if (!user.empty()) {
    keys.user = "user:" + domain.name + "/" + user;
    keys.user_at_address = keys.user + "@" + request.remote_address;
  }
  return keys;
}

std::optional<HttpResponse> LivechatApi::Refused(const AttemptKeys& keys) {
  const auto now = std::chrono::steady_clock::now();
  std::optional<std::chrono::milliseconds> wait = address_failures_.Locked(keys.address, now);
  if (!keys.user.empty()) {
    for (auto w : {user_failures_.Locked(keys.user, now),
                   user_address_failures_.Locked(keys.user_at_address, now)}) {
      if (w && (!wait || *w > *wait)) wait = w;
    }
  }
  if (!wait) return std::nullopt;
  const auto seconds = std::max<std::int64_t>(1, (wait->count() + 999) / 1000);
  HttpResponse r = JsonError(429, "too many failed authentication attempts; try again in " +
                                      std::to_string(seconds) + " s");
  r.headers.emplace_back("Retry-After", std::to_string(seconds));
  return r;
}

void LivechatApi::Succeeded(const AttemptKeys& keys) {
  if (keys.user.empty()) return;
  user_failures_.RecordSuccess(keys.user);
  user_address_failures_.RecordSuccess(keys.user_at_address);
}

void LivechatApi::Failed(const AttemptKeys& keys, const core::Error& error,
                         const Responder& respond) {
  const auto now = std::chrono::steady_clock::now();
  int failures = address_failures_.RecordFailure(keys.address, now);
  if (!keys.user.empty()) {
    user_failures_.RecordFailure(keys.user, now);
    failures = std::max(failures, user_address_failures_.RecordFailure(keys.user_at_address, now));
  }
  HttpResponse r = ErrorResponse(error);
  r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"socialgate\", charset=\"UTF-8\"");
  // Slow down a guesser before the lock: from the third failure on, the answer waits.
  if (failures < 3) return respond(std::move(r));
  const auto delay = std::chrono::milliseconds(std::min(2000, 250 * (failures - 2)));
  deps_.timers->Schedule(delay, [respond, r = std::move(r)] { respond(r); });
}

void LivechatApi::Login(const config::Domain& domain, HttpRequest& request,
                        const Responder& respond) {
  // Credentials by Basic auth, or as JSON {"username": ..., "password": ...}.
  std::string user = auth::Authenticator::BasicUser(request.Header("authorization"));
  core::Result<auth::Principal> principal = tl::unexpected(core::Error{});
  if (!user.empty()) {
    const AttemptKeys keys = KeysFor(domain, request, user);
    if (auto refused = Refused(keys)) return respond(std::move(*refused));
    principal = deps_.authenticator->Authenticate(domain, {request.Header("authorization"), {}});
    if (!principal) return Failed(keys, principal.error(), respond);
    Succeeded(keys);
  } else {
    if (!IsJsonContentType(request.Header("content-type"))) {
      return respond(JsonError(
          415, "login: send Basic credentials, or a JSON body {\"username\", \"password\"}"));
    }
    // Bounded before parsing, as the send endpoint's body is: a megabyte of '[' would
    // otherwise cost a parsed value per level.
    if (!util::JsonNestingWithin(request.body, static_cast<int>(kMaxJsonDepth))) {
      return respond(JsonError(400, "login: the body is JSON nested more than " +
                                        std::to_string(kMaxJsonDepth) + " levels deep"));
    }
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("username") || !body["username"].is_string() ||
        !body.contains("password") || !body["password"].is_string()) {
      return respond(JsonError(400,
                               "login: the body must be {\"username\": string, "
                               "\"password\": string}"));
    }
    user = body["username"].get<std::string>();
    const AttemptKeys keys = KeysFor(domain, request, user);
    if (auto refused = Refused(keys)) return respond(std::move(*refused));
    principal =
        deps_.authenticator->CheckPassword(domain, user, body["password"].get<std::string>());
    if (!principal) return Failed(keys, principal.error(), respond);
    Succeeded(keys);
  }
  if (principal->mechanism != "basic") {
    return respond(JsonError(400, "login: needs a user name and password"));
  }
  auto issued = deps_.authenticator->Login(domain, *principal);
  if (!issued) return respond(ErrorResponse(issued.error()));
  spdlog::info("api: user {} of domain {} logged in", principal->user, domain.name);
  respond(Json(200, {{"result", true},
                     {"error", nullptr},
                     {"token", issued->token},
                     {"expiresAt", util::FormatUtcMillis(issued->expires_at_ms)}}));
}

void LivechatApi::Logout(const config::Domain& domain, const HttpRequest& request,
                         const Responder& respond) {
  auto principal = Authenticate(domain, request, respond);
  if (!principal) return;
  if (principal->mechanism != "session") {
    return respond(JsonError(400, "logout: send the session token (ctlivetoken) to end it"));
  }
  std::string token(request.Header("ctlivetoken"));
  if (token.empty()) token = QueryParameter(request.query, "ctlivetoken");
  auto ended = deps_.authenticator->Logout(token);
  if (!ended) return respond(ErrorResponse(ended.error()));
  respond(Json(200, {{"result", true}, {"error", nullptr}}));
}

std::optional<HttpResponse> LivechatApi::CheckBusinessNumber(const config::Domain& domain,
                                                             const std::string& phone) const {
  for (const auto& n : domain.numbers) {
    if (n.phone == phone) return std::nullopt;
  }
  for (const auto& other : deps_.config->domains) {
    for (const auto& n : other.numbers) {
      if (n.phone == phone) {
        return JsonError(403, "servicePhoneNumber: " + phone +
                                  " is not a business number of domain '" + domain.name + "'");
      }
    }
  }
  return JsonError(422, "servicePhoneNumber: " + phone +
                            " is not a WhatsApp business number configured in domain '" +
                            domain.name + "'");
}

std::optional<HttpResponse> LivechatApi::CheckOutboxDepth() {
  // Counting the outbox costs a query: refresh the figure at most every 100 ms.
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  constexpr std::int64_t kRefreshNs = 100'000'000;
  if (now - outbox_checked_at_.load() > kRefreshNs && !outbox_refreshing_.exchange(true)) {
    // On a worker: an I/O thread must not wait for the store. Meanwhile the figure in hand
    // answers, at most one refresh (about 100 ms) old.
    outbox_checked_at_ = now;
    const bool queued = deps_.workers->Submit([this] {
      if (auto pending = deps_.store->PendingCount()) outbox_depth_ = *pending;
      outbox_refreshing_ = false;
    });
    if (!queued) outbox_refreshing_ = false;
  }
  const std::int64_t depth = outbox_depth_.load();
  const std::int64_t limit = deps_.config->dispatch.max_outbox;
  if (depth < limit) return std::nullopt;
  return JsonError(503, "the gateway's outbox holds " + std::to_string(depth) +
                            " messages waiting to be sent, at its limit of " +
                            std::to_string(limit) + "; try again later");
}

// A repeat of an Idempotency-Key: the first answer, or, while the first request is still
// waiting for the provider, what is known now. Nothing is sent again.
HttpResponse LivechatApi::RepeatAnswer(const store::IdempotencyRecord& record,
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
  HttpResponse r = SendAnswer(record.message_id, dispatch::AttemptResult{"queued", "", "", ""});
  r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

bool LivechatApi::SendWithoutWaiting(const config::Domain& domain, HttpRequest& request,
                                     const Responder& respond) {
  // Media headers take base64 decoding and sniffing; a key is looked up in the store.
  if (request.body.size() > kMaxBodyBytesWithoutWaiting ||
      !request.Header("idempotency-key").empty()) {
    return false;
  }
  const std::string_view authorization = request.Header("authorization");
  auto principal = deps_.authenticator->AuthenticateRemembered(domain, authorization);
  if (!principal) return false;
  const AttemptKeys keys = KeysFor(domain, request, auth::Authenticator::BasicUser(authorization));
  if (auto refused = Refused(keys)) {
    respond(std::move(*refused));
    return true;
  }
  Succeeded(keys);
  SendAs(domain, *principal, request, respond);
  return true;
}

void LivechatApi::Send(const config::Domain& domain, HttpRequest& request,
                       const Responder& respond) {
  const auto principal = Authenticate(domain, request, respond);
  if (!principal) return;
  SendAs(domain, *principal, request, respond);
}

void LivechatApi::SendAs(const config::Domain& domain, const auth::Principal& principal,
                         HttpRequest& request, const Responder& respond) {
  if (!IsJsonContentType(request.Header("content-type"))) {
    return respond(JsonError(415, "Content-Type: must be application/json"));
  }
  // Optional Idempotency-Key: a repeat returns the first answer and sends nothing again.
  std::optional<store::IdempotencyKey> key;
  if (const std::string_view k = request.Header("idempotency-key"); !k.empty()) {
    const bool printable =
        std::all_of(k.begin(), k.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
    if (k.size() > 255 || !printable) {
      return respond(
          JsonError(400, "Idempotency-Key: must be 1 to 255 printable ASCII characters"));
    }
    key = store::IdempotencyKey{std::string(k), util::Sha256Hex(request.body)};
    auto found = deps_.store->FindIdempotencyKey(domain.name, key->key, util::NowUnixMillis());
    if (!found) return respond(ErrorResponse(found.error()));
    if (*found) return respond(RepeatAnswer(**found, key->request_hash));
  }
  // The decoded copy is all we need from here on.
  auto decoded = DecodeTemplateRequest(std::move(request.body));
  if (!decoded) return respond(ErrorResponse(decoded.error()));

  core::ValidationContext context;
  context.languages = deps_.languages;
  auto message = core::ValidateTemplateRequest(std::move(*decoded), context);
  if (!message) return respond(ErrorResponse(message.error()));
  if (auto refused = CheckBusinessNumber(domain, message->service_phone)) {
    return respond(std::move(*refused));
  }
  if (!principal.MaySendFrom(message->service_phone)) {
    return respond(JsonError(403, "servicePhoneNumber: user '" + principal.user +
                                      "' may not send from " + message->service_phone));
  }
  if (auto refused = CheckOutboxDepth()) return respond(std::move(*refused));

  store::NewMessage stored;
  stored.id = util::NewMessageId();
  stored.domain = domain.name;
  stored.now_ms = util::NowUnixMillis();
  stored.idempotency = key;
  // A message held by Meta's pair limit is stored due when its slot comes: no worker claims it
  // (and gives it back) before.
  const std::int64_t hold_ms =
      deps_.dispatcher->ReservePairSlot(stored.id, message->service_phone, message->customer_phone)
          .count();
  stored.due_at_ms = stored.now_ms + hold_ms;
  const std::string customer = message->customer_phone;
  stored.message = std::move(*message);

  const std::string id = stored.id;
  const bool wait_for_provider = domain.ack == config::AckMode::kProvider;
  // The answer, recorded first for the request's Idempotency-Key if it has one.
  auto answer = [respond, key, domain_name = domain.name, store = deps_.store,
                 workers = deps_.workers](HttpResponse response) {
    if (!key) return respond(std::move(response));
    // A database write: keep it off the dispatcher and timer threads.
    auto save_and_respond = [respond, key, domain_name, store, response]() {
      auto saved = store->SaveIdempotentAnswer(domain_name, key->key,
                                               static_cast<int>(response.status), response.body);
      if (!saved) spdlog::error("api: recording an idempotent answer: {}", saved.error().detail);
      respond(response);
    };
    if (!workers->Submit(save_and_respond)) save_and_respond();
  };
  // Whichever comes first, the first attempt's outcome or the ack timeout, answers.
  auto answered = std::make_shared<std::atomic<bool>>(false);
  if (wait_for_provider) {
    deps_.dispatcher->Listen(id, [answer, answered, id](const dispatch::AttemptResult& attempt) {
      if (!answered->exchange(true)) answer(SendAnswer(id, attempt));
    });
  }
  // Stored durably before any answer: the store groups concurrent inserts into one commit, and
  // this continues on its thread once the commit is on disk (or refused).
  const std::string service_phone = stored.message.service_phone;
  const std::string template_name = stored.message.template_name;
  auto stored_done = [=, deps = deps_, domain_name = domain.name,
                      ack_timeout = domain.ack_timeout](core::Result<void> inserted) {
    if (!inserted) {
      if (wait_for_provider) deps.dispatcher->Forget(id);
      if (key && inserted.error().code == ErrorCode::kAlreadyExists) {
        // A concurrent request with the same key stored its message first: answer as its
        // repeat, reading the key off the store's thread.
        auto repeat = [=] {
          auto found = deps.store->FindIdempotencyKey(domain_name, key->key, util::NowUnixMillis());
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
    spdlog::info("api: message {} queued for {} from {} ({})", id, obs::MaskPhone(customer),
                 service_phone, template_name);
    // A held message is found by the workers' poll once due; waking one now finds nothing.
    if (hold_ms == 0) deps.dispatcher->Notify();
    if (!wait_for_provider) {
      return answer(SendAnswer(id, dispatch::AttemptResult{"queued", "", "", ""}));
    }
    deps.timers->Schedule(ack_timeout, [answer, answered, id, dispatcher = deps.dispatcher] {
      if (answered->exchange(true)) return;
      dispatcher->Forget(id);
      answer(SendAnswer(id, dispatch::AttemptResult{"queued", "", "", ""}));
    });
  };
  deps_.store->InsertAsync(std::move(stored), std::move(stored_done));
}

void LivechatApi::GetMessage(const config::Domain& domain, const std::string& id,
                             const HttpRequest& request, const Responder& respond) {
  const auto principal = Authenticate(domain, request, respond);
  if (!principal) return;
  auto found = deps_.store->Get(domain.name, id);
  if (!found) return respond(ErrorResponse(found.error()));
  // A user limited to some numbers does not see the others' messages.
  if (!found->has_value() || !principal->MaySendFrom((*found)->message.service_phone)) {
    return respond(
        JsonError(404, "messageId: no message '" + id + "' in domain '" + domain.name + "'"));
  }
  const store::StoredMessage& m = **found;
  nlohmann::ordered_json history = nlohmann::ordered_json::array();
  for (const auto& e : m.history) {
    nlohmann::ordered_json event = {{"status", e.status}, {"at", util::FormatUtcMillis(e.at_ms)}};
    if (!e.detail.empty()) event["detail"] = e.detail;
    history.push_back(std::move(event));
  }
  nlohmann::ordered_json body = {
      {"result", true},
      {"error", nullptr},
      {"messageId", m.id},
      {"status", m.status},
      {"providerMessageId", m.provider_message_id.empty()
                                ? nlohmann::ordered_json(nullptr)
                                : nlohmann::ordered_json(m.provider_message_id)},
      {"deliveryError",
       m.error_message.empty()
           ? nlohmann::ordered_json(nullptr)
           : nlohmann::ordered_json{{"code", m.error_code}, {"message", m.error_message}}},
      {"attempts", m.attempts},
      {"customerPhoneNumber", m.message.customer_phone},
      {"servicePhoneNumber", m.message.service_phone},
      {"templateName", m.message.template_name},
      {"language", m.message.language},
      {"createdAt", util::FormatUtcMillis(m.created_at_ms)},
      {"updatedAt", util::FormatUtcMillis(m.updated_at_ms)},
      {"history", std::move(history)},
  };
  respond(Json(200, body));
}

void LivechatApi::Ready(const Responder& respond) {
  auto pending = deps_.store->PendingCount();
  if (!pending) return respond(JsonError(503, "storage is unavailable"));
  respond(Json(200,
               {{"result", true}, {"error", nullptr}, {"status", "ready"}, {"pending", *pending}}));
}

}  // namespace socialgate::api
